# Model tests: pcstudio_add_test(tst_x SOURCES ui/tst_x.cpp LIBS ui)
pcstudio_add_test(tst_selectiontablemodel SOURCES ui/tst_selectiontablemodel.cpp LIBS ui)
pcstudio_add_test(tst_texttableview SOURCES ui/tst_texttableview.cpp LIBS ui)
pcstudio_add_test(tst_valueorder SOURCES ui/tst_valueorder.cpp LIBS ui)
