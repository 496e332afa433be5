# The scripted OpenAI-compatible server (also for the runner's tests) and the client's tests.
add_library(pcstudio_fake_openai STATIC review/fakeopenaiserver.h review/fakeopenaiserver.cpp)
target_link_libraries(pcstudio_fake_openai PUBLIC core Qt6::Network PRIVATE pcstudio_warnings)
target_include_directories(pcstudio_fake_openai PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})

pcstudio_add_test(tst_llmclient SOURCES review/tst_llmclient.cpp LIBS pcstudio_fake_openai)
pcstudio_add_test(tst_llmconnect SOURCES review/tst_llmconnect.cpp LIBS pcstudio_fake_openai)
