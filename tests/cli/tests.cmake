# The headless CLI, run as a process: exit codes, output formats, reports, error lines.
pcstudio_add_test(tst_cli SOURCES cli/tst_cli.cpp)
add_dependencies(tst_cli pcstudio-cli)
# filter train/apply, the cluster recipes (scripts/cluster) and the fasttext CLI comparison.
pcstudio_add_test(tst_clifilter SOURCES cli/tst_clifilter.cpp)
add_dependencies(tst_clifilter pcstudio-cli)
target_compile_definitions(tst_clifilter PRIVATE PCSTUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# Nothing written that is wrong: full disks (a file-size limit on the CLI), output + report sets.
pcstudio_add_test(tst_clioutputs SOURCES cli/tst_clioutputs.cpp LIBS pcstudio_fake_openai Qt6::Sql)
add_dependencies(tst_clioutputs pcstudio-cli)
target_compile_definitions(tst_clioutputs PRIVATE PCSTUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# Outputs never replace inputs: every command refuses before any work, exit 2, both files named.
pcstudio_add_test(tst_clioverwrites SOURCES cli/tst_clioverwrites.cpp)
add_dependencies(tst_clioverwrites pcstudio-cli)
target_compile_definitions(tst_clioverwrites PRIVATE PCSTUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# Sharded selection: estimate --shard, project --cut-only / --cut against one select, byte for
# byte; bad shard sets refused; filter train over distribution shards.
pcstudio_add_test(tst_clishards SOURCES cli/tst_clishards.cpp)
add_dependencies(tst_clishards pcstudio-cli)
# How much to trust a selection: select --bootstrap/--standardize/--domains and validate.
pcstudio_add_test(tst_clitrust SOURCES cli/tst_clitrust.cpp)
add_dependencies(tst_clitrust pcstudio-cli)
