target_sources(core PRIVATE
  workspace/promisecontrol.h
  workspace/selectionsession.h workspace/selectionsession.cpp
  workspace/workspacefile.h workspace/workspacefile.cpp
  workspace/workspacesession.h workspace/workspacesession.cpp
  workspace/sessionexport.h workspace/sessionexport.cpp
  workspace/filtersession.h workspace/filtersession.cpp
  workspace/reviewsession.h workspace/reviewsession.cpp
)
# Keys resolved and stored off the GUI thread (the keychain may take seconds).
target_sources(core PRIVATE workspace/keyresolver.h workspace/keyresolver.cpp)
# The review session's whole-queue work (import, thresholds, exports) on a worker thread.
target_sources(core PRIVATE workspace/reviewtasks.h workspace/reviewtasks.cpp)
# The Review page's calibration view and audit draw, on a worker thread.
target_sources(core PRIVATE workspace/calibrationtasks.h workspace/calibrationtasks.cpp)
