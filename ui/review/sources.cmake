# The Review stage: the queue table, the word diff, the detail pane
target_sources(ui PRIVATE
  review/reviewqueuemodel.h review/reviewqueuemodel.cpp
  review/worddiff.h review/worddiff.cpp
  review/reviewdetailpane.h review/reviewdetailpane.cpp
)
# The Review stage page: a composition of the project, criteria, thresholds and export tabs, the
# run bar, the queue panel and the review actions (with undo)
target_sources(ui PRIVATE
  review/reviewcommands.h review/reviewcommands.cpp
  review/reviewhistogramchart.h review/reviewhistogramchart.cpp
  review/criteriaeditor.h review/criteriaeditor.cpp
  review/thresholdpanel.h review/thresholdpanel.cpp
  review/reviewsummaries.h review/reviewsummaries.cpp
  review/reviewprojecttab.h review/reviewprojecttab.cpp
  review/reviewexporttab.h review/reviewexporttab.cpp
  review/reviewrunbar.h review/reviewrunbar.cpp
  review/reviewqueuepanel.h review/reviewqueuepanel.cpp
  review/reviewactions.h review/reviewactions.cpp
  review/reviewpage.h review/reviewpage.cpp
)
# The key of the project's endpoint (source, keychain, variable) and Test connection
target_sources(ui PRIVATE review/endpointkeypanel.h review/endpointkeypanel.cpp)
# The bundled criteria a new project is offered (also installed for the CLI, packaging/)
qt_add_resources(ui pcstudio_review_resources
  PREFIX /criteria
  BASE ${CMAKE_SOURCE_DIR}/resources/criteria
  FILES ${CMAKE_SOURCE_DIR}/resources/criteria/deceptive-content.json
)
# Calibration against the human's decisions and the audit sample (fed a plain data struct)
target_sources(ui PRIVATE review/calibrationpanel.h review/calibrationpanel.cpp)
# The Calibration tab's reads and audit draws, off the GUI thread
target_sources(ui PRIVATE review/calibrationcontroller.h review/calibrationcontroller.cpp)
