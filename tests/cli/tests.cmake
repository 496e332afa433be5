# The headless CLI, run as a process: exit codes, output formats, reports, error lines.
pcstudio_add_test(tst_cli SOURCES cli/tst_cli.cpp)
add_dependencies(tst_cli pcstudio-cli)
