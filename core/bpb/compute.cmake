# BPB matrix from an OpenAI-compatible completions server (vLLM prompt_logprobs or echo+logprobs).
target_sources(core PRIVATE ${CMAKE_CURRENT_LIST_DIR}/bpbcompute.h ${CMAKE_CURRENT_LIST_DIR}/bpbcompute.cpp)
