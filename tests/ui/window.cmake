# Main window tests: pcstudio_add_test(tst_x SOURCES ui/tst_x.cpp LIBS ui)
pcstudio_add_test(tst_mainwindow SOURCES ui/tst_mainwindow.cpp LIBS ui)
# Issue 15's walkthrough fixes on the Data, Selection and Filter pages (and `pcstudio --help`).
pcstudio_add_test(tst_walkthroughfixes SOURCES ui/tst_walkthroughfixes.cpp LIBS ui)
target_compile_definitions(tst_walkthroughfixes PRIVATE PCSTUDIO_GUI_PATH="$<TARGET_FILE:pcstudio>")
add_dependencies(tst_walkthroughfixes pcstudio)
