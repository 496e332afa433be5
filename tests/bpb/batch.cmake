# bpb batch-export / batch-import, and a stand-in for `vllm run-batch` (the fake server's model).
add_executable(fake-vllm-run-batch bpb/fakevllmrunbatch.cpp)
target_link_libraries(fake-vllm-run-batch PRIVATE pcstudio_fake_openai pcstudio_warnings)
pcstudio_add_test(tst_bpbbatch SOURCES bpb/tst_bpbbatch.cpp LIBS pcstudio_fake_openai)
add_dependencies(tst_bpbbatch pcstudio-cli fake-vllm-run-batch)
target_compile_definitions(tst_bpbbatch PRIVATE
  PCSTUDIO_FAKE_VLLM_RUN_BATCH="$<TARGET_FILE:fake-vllm-run-batch>")
