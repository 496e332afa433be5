# The Review page's key controls and Test connection, offscreen, with a stand-in secret-tool.
pcstudio_add_test(tst_reviewkeys SOURCES ui/tst_reviewkeys.cpp review/fakesecrettool.h
  LIBS ui pcstudio_fake_openai)
