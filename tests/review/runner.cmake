# review run/status/export/batch-* through the CLI against the scripted server (kill test included).
pcstudio_add_test(tst_reviewcli SOURCES review/tst_reviewcli.cpp LIBS pcstudio_fake_openai Qt6::Sql)
add_dependencies(tst_reviewcli pcstudio-cli)
target_compile_definitions(tst_reviewcli PRIVATE PCSTUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# ReviewRunner in-process (runs, one-offs, errors, cancel, concurrency) and ReviewProject's
# settings shared by the CLI and the app.
pcstudio_add_test(tst_reviewrunner SOURCES review/tst_reviewrunner.cpp LIBS pcstudio_fake_openai)
target_compile_definitions(tst_reviewrunner PRIVATE PCSTUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
