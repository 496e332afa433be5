# The calibration and audit panel, offscreen.
pcstudio_add_test(tst_calibrationpanel SOURCES ui/tst_calibrationpanel.cpp LIBS ui)
# The Calibration tab wired into the Review page: refresh, Use these (undoable), audit sample.
pcstudio_add_test(tst_reviewcalibration SOURCES ui/tst_reviewcalibration.cpp LIBS ui)
