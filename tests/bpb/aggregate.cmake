# bpb aggregate: core and CLI.
pcstudio_add_test(tst_lossaggregate SOURCES bpb/tst_lossaggregate.cpp)
add_dependencies(tst_lossaggregate pcstudio-cli)
