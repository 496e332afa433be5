# LLM-assisted curation: criteria and assessors, the OpenAI-compatible client, the queue store.
include(${CMAKE_CURRENT_LIST_DIR}/criteria.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/client.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/store.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/runner.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/keys.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/tokenbytes.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/calibration.cmake OPTIONAL)
