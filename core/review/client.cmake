# The OpenAI-compatible chat completions client and where its API key comes from.
target_sources(core PRIVATE review/llmclient.h review/llmclient.cpp review/apikey.h review/apikey.cpp)
