# Filter stage tests: pcstudio_add_test(tst_x SOURCES ui/tst_x.cpp LIBS ui)
pcstudio_add_test(tst_filterpage SOURCES ui/tst_filterpage.cpp LIBS ui)
