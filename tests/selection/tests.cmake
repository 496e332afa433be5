# Tests of core/selection: pcstudio_add_test(tst_name SOURCES selection/tst_name.cpp)
