# Several processes on one queue: concurrent runs (run lease, item claims), a killed run's stale
# lease, readers beside a writing run.
pcstudio_add_test(tst_queueconcurrency SOURCES review/tst_queueconcurrency.cpp
  LIBS pcstudio_fake_openai Qt6::Sql)
add_dependencies(tst_queueconcurrency pcstudio-cli)
target_compile_definitions(tst_queueconcurrency PRIVATE PCSTUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
