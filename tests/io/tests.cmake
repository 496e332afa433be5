# Tests of core/io: pcstudio_add_test(tst_name SOURCES io/tst_name.cpp)
pcstudio_add_test(tst_bpbloader SOURCES io/tst_bpbloader.cpp io/npytestfile.h)
pcstudio_add_test(tst_loaderrors SOURCES io/tst_loaderrors.cpp io/npytestfile.h)
pcstudio_add_test(tst_benchmarkerrors SOURCES io/tst_benchmarkerrors.cpp)
pcstudio_add_test(tst_namedvalues SOURCES io/tst_namedvalues.cpp)
pcstudio_add_test(tst_atomicwrite SOURCES io/tst_atomicwrite.cpp)
pcstudio_add_test(tst_outputpaths SOURCES io/tst_outputpaths.cpp)
pcstudio_add_test(tst_npywriter SOURCES io/tst_npywriter.cpp)
pcstudio_add_test(tst_lmevalresults SOURCES io/tst_lmevalresults.cpp)
# Hand-written results files of each layout (0.3, 0.4, Open LLM Leaderboard).
target_compile_definitions(tst_lmevalresults PRIVATE
  PCSTUDIO_LMEVAL_FIXTURES="${CMAKE_CURRENT_LIST_DIR}/data/lmeval")
pcstudio_add_test(tst_warningcollector SOURCES io/tst_warningcollector.cpp)
