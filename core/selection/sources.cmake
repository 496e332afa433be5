# Estimators and projections -----------------------------------------------------------------
target_sources(core PRIVATE
  selection/estimators.h selection/estimators.cpp
  selection/projection.h selection/projection.cpp
)
# Alignment and the whole pipeline -------------------------------------------------------------
target_sources(core PRIVATE
  selection/alignment.h selection/alignment.cpp
  selection/selectionrun.h selection/selectionrun.cpp
)
