# Tests of core/selection: pcstudio_add_test(tst_name SOURCES selection/tst_name.cpp)
pcstudio_add_test(tst_estimators SOURCES selection/tst_estimators.cpp)
pcstudio_add_test(tst_estimators_properties SOURCES selection/tst_estimators_properties.cpp)
pcstudio_add_test(tst_projection SOURCES selection/tst_projection.cpp)
