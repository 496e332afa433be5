# The OpenAI-compatible chat completions client and where its API key comes from.
target_sources(core PRIVATE review/llmclient.h review/llmclient.cpp review/apikey.h review/apikey.cpp)
# Request shaping per model (learned capabilities) and what servers say when they refuse.
target_sources(core PRIVATE review/modelprofile.h review/modelprofile.cpp
  review/serverreply.h review/serverreply.cpp)
