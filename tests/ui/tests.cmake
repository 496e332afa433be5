# Tests of core/ui: pcstudio_add_test(tst_name SOURCES ui/tst_name.cpp)
