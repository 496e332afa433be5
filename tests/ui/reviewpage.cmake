# The Review stage page, offscreen, against the scripted OpenAI-compatible server.
pcstudio_add_test(tst_reviewpage SOURCES ui/tst_reviewpage.cpp LIBS ui pcstudio_fake_openai)
target_compile_definitions(tst_reviewpage PRIVATE PCSTUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# The walkthrough fixes: undo, bundled criteria, window width, banners, edit mode, wrong address.
pcstudio_add_test(tst_reviewpagefixes SOURCES ui/tst_reviewpagefixes.cpp LIBS ui)
