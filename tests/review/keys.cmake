# Which key goes to which endpoint, what a queue keeps of it, and Test connection (core); the
# same through review run and bpb compute (CLI). Both use a stand-in secret-tool on PATH.
pcstudio_add_test(tst_apikey SOURCES review/tst_apikey.cpp review/fakesecrettool.h
  LIBS pcstudio_fake_openai)
pcstudio_add_test(tst_keyscli SOURCES review/tst_keyscli.cpp review/fakesecrettool.h
  LIBS pcstudio_fake_openai)
add_dependencies(tst_keyscli pcstudio-cli)
target_compile_definitions(tst_keyscli PRIVATE PCSTUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
