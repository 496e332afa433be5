# The Review stage: the queue table, the word diff, the detail pane
target_sources(ui PRIVATE
  review/reviewqueuemodel.h review/reviewqueuemodel.cpp
  review/worddiff.h review/worddiff.cpp
  review/reviewdetailpane.h review/reviewdetailpane.cpp
)
# The Review stage page: project, criteria, run, queue actions with undo, thresholds, export
target_sources(ui PRIVATE
  review/reviewcommands.h review/reviewcommands.cpp
  review/reviewhistogramchart.h review/reviewhistogramchart.cpp
  review/criteriaeditor.h review/criteriaeditor.cpp
  review/thresholdpanel.h review/thresholdpanel.cpp
  review/reviewpage.h review/reviewpage.cpp
)
# The key of the project's endpoint (source, keychain, variable) and Test connection
target_sources(ui PRIVATE review/endpointkeypanel.h review/endpointkeypanel.cpp)
# Calibration against the human's decisions and the audit sample (fed a plain data struct)
target_sources(ui PRIVATE review/calibrationpanel.h review/calibrationpanel.cpp)
