include(${CMAKE_CURRENT_LIST_DIR}/aggregate.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/compute.cmake OPTIONAL)
include(${CMAKE_CURRENT_LIST_DIR}/batch.cmake)
