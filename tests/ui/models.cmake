# Model tests: pcstudio_add_test(tst_x SOURCES ui/tst_x.cpp LIBS ui)
pcstudio_add_test(tst_selectiontablemodel SOURCES ui/tst_selectiontablemodel.cpp LIBS ui)
pcstudio_add_test(tst_texttableview SOURCES ui/tst_texttableview.cpp LIBS ui)
pcstudio_add_test(tst_valueorder SOURCES ui/tst_valueorder.cpp LIBS ui)
# QAbstractItemModelTester on every model in ui/ (and the queue's order as results arrive).
pcstudio_add_test(tst_models SOURCES ui/tst_models.cpp LIBS ui)
