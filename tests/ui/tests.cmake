# Widget tests: offscreen, linking the ui library.
include(ui/models.cmake)
include(ui/charts.cmake)
include(ui/window.cmake)
include(ui/filter.cmake)
include(ui/review.cmake)
include(ui/reviewpage.cmake)
include(ui/reviewkeys.cmake OPTIONAL)
include(ui/calibration.cmake OPTIONAL)
