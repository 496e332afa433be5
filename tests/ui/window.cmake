# Main window tests: pcstudio_add_test(tst_x SOURCES ui/tst_x.cpp LIBS ui)
pcstudio_add_test(tst_mainwindow SOURCES ui/tst_mainwindow.cpp LIBS ui)
