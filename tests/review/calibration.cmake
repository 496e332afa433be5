# Calibration against the human's decisions, the audit sample and their CLI.
pcstudio_add_test(tst_calibration SOURCES review/tst_calibration.cpp)
pcstudio_add_test(tst_queueaudit SOURCES review/tst_queueaudit.cpp LIBS Qt6::Sql)
pcstudio_add_test(tst_calibrationcli SOURCES review/tst_calibrationcli.cpp LIBS Qt6::Sql)
add_dependencies(tst_calibrationcli pcstudio-cli)
