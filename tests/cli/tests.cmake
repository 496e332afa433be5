# Tests of core/cli: pcstudio_add_test(tst_name SOURCES cli/tst_name.cpp)
