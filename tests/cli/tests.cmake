# The headless CLI, run as a process: exit codes, output formats, reports, error lines.
pcstudio_add_test(tst_cli SOURCES cli/tst_cli.cpp)
add_dependencies(tst_cli pcstudio-cli)
# filter train/apply, the cluster recipes (scripts/cluster) and the fasttext CLI comparison.
pcstudio_add_test(tst_clifilter SOURCES cli/tst_clifilter.cpp)
add_dependencies(tst_clifilter pcstudio-cli)
target_compile_definitions(tst_clifilter PRIVATE PCSTUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
