# The calibration and audit panel, offscreen.
pcstudio_add_test(tst_calibrationpanel SOURCES ui/tst_calibrationpanel.cpp LIBS ui)
