# Review stage tests: pcstudio_add_test(tst_x SOURCES ui/tst_x.cpp LIBS ui)
pcstudio_add_test(tst_reviewqueuemodel SOURCES ui/tst_reviewqueuemodel.cpp LIBS ui)
pcstudio_add_test(tst_worddiff SOURCES ui/tst_worddiff.cpp LIBS ui)
pcstudio_add_test(tst_reviewdetailpane SOURCES ui/tst_reviewdetailpane.cpp LIBS ui)
