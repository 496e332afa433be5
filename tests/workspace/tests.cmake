# The background selection session and the workspace file.
pcstudio_add_test(tst_selectionsession SOURCES workspace/tst_selectionsession.cpp)
pcstudio_add_test(tst_workspacefile SOURCES workspace/tst_workspacefile.cpp)
pcstudio_add_test(tst_filtersession SOURCES workspace/tst_filtersession.cpp)
pcstudio_add_test(tst_reviewsession SOURCES workspace/tst_reviewsession.cpp LIBS pcstudio_fake_openai)
target_compile_definitions(tst_reviewsession PRIVATE PCSTUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
pcstudio_add_test(tst_backgroundtask SOURCES workspace/tst_backgroundtask.cpp)
pcstudio_add_test(tst_keyresolver SOURCES workspace/tst_keyresolver.cpp review/fakesecrettool.h)
