# BPB windows as Batch API files (bpb batch-export) and their results read back (batch-import).
target_sources(core PRIVATE ${CMAKE_CURRENT_LIST_DIR}/bpbbatch.h ${CMAKE_CURRENT_LIST_DIR}/bpbbatch.cpp)
