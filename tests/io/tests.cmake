# Tests of core/io: pcstudio_add_test(tst_name SOURCES io/tst_name.cpp)
