# Alignment, writers, tau resolution, demo data and the real upstream files, end to end in core.
pcstudio_add_test(tst_alignment SOURCES pipeline/tst_alignment.cpp)
pcstudio_add_test(tst_llmmatching SOURCES pipeline/tst_llmmatching.cpp)
pcstudio_add_test(tst_benchmarkchoice SOURCES pipeline/tst_benchmarkchoice.cpp)
pcstudio_add_test(tst_selectionwriter SOURCES pipeline/tst_selectionwriter.cpp)
pcstudio_add_test(tst_selectionrun SOURCES pipeline/tst_selectionrun.cpp)
pcstudio_add_test(tst_upstreamdata SOURCES pipeline/tst_upstreamdata.cpp)
pcstudio_add_test(tst_streamestimate SOURCES pipeline/tst_streamestimate.cpp)
