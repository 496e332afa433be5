# The review queue store: behaviour, durability (a killed child process) and speed.
pcstudio_add_test(tst_queuestore SOURCES review/tst_queuestore.cpp)
# Decisions derived when read: the rule in C++ and SQL, exact counts, batches and undo, the
# schema 4 migration, source ids, derived "revise" on export, writes from two threads.
pcstudio_add_test(tst_queuederived SOURCES review/tst_queuederived.cpp LIBS Qt6::Sql)

# Import, bulk scoring and paging at scale: bench_queuestore [items] [--dir DIR].
add_executable(bench_queuestore benchmarks/bench_queuestore.cpp)
target_link_libraries(bench_queuestore PRIVATE core pcstudio_warnings)
# Records from import to export: duplicate keys and huge numbers, byte-for-byte export, policies.
pcstudio_add_test(tst_queueexport SOURCES review/tst_queueexport.cpp LIBS Qt6::Sql)
