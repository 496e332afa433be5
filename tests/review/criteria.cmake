# Tests of criteria, assessment requests and answers, local assessors and decisions.
pcstudio_add_test(tst_criteria SOURCES review/tst_criteria.cpp)
pcstudio_add_test(tst_assessment SOURCES review/tst_assessment.cpp)
# The shipped criteria and rules files are read from the source tree.
target_compile_definitions(tst_criteria PRIVATE PCSTUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_compile_definitions(tst_assessment PRIVATE PCSTUDIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# ResponseError: its one name table, the stored names, unknown names, stored codes read back.
pcstudio_add_test(tst_responseerror SOURCES review/tst_responseerror.cpp)
