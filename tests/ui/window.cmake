# Main window tests: pcstudio_add_test(tst_x SOURCES ui/tst_x.cpp LIBS ui)
