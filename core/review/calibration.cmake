# Thresholds calibrated against the human's decisions, and the stratified audit sample.
target_sources(core PRIVATE
  review/calibration.h review/calibration.cpp
  review/calibrationinput.h review/calibrationinput.cpp
  review/queueconnection.h review/queueconnection.cpp
  review/queueaudit.h review/queueaudit.cpp review/queueauditstore.cpp
)
