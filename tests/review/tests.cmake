# Tests of core/review, one file per area (each helper owns its own).
include(${CMAKE_CURRENT_LIST_DIR}/criteria.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/client.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/store.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/runner.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/concurrency.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/keys.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/calibration.cmake OPTIONAL)
