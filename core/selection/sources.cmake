# Estimators and projections -----------------------------------------------------------------
target_sources(core PRIVATE
  selection/estimators.h selection/estimators.cpp
  selection/projection.h selection/projection.cpp
  selection/descendingorder.h selection/descendingorder.cpp
  selection/accuratesum.h
  selection/kendall.h selection/kendall.cpp
  selection/l2projection.h selection/l2projection.cpp
  selection/ranking.h selection/ranking.cpp
  selection/estimatorstate.h
  selection/rankedcolumns.h selection/rankedcolumns.cpp
)
# Alignment and the whole pipeline -------------------------------------------------------------
target_sources(core PRIVATE
  selection/alignment.h selection/alignment.cpp
  selection/benchmarkchoice.h selection/benchmarkchoice.cpp
  selection/llmmatching.h selection/llmmatching.cpp
  selection/llmpairing.h selection/llmpairing.cpp
  selection/selectiontable.h
  selection/selectionrun.h selection/selectionrun.cpp
  selection/streamestimate.h selection/streamestimate.cpp
  selection/runreport.h selection/runreport.cpp
)
# Sharded runs: text ranges, estimate shard files, the projection cut --------------------------
target_sources(core PRIVATE
  selection/textshards.h selection/textshards.cpp
  selection/estimateshards.h selection/estimateshards.cpp
  selection/shardedprojection.h selection/shardedprojection.cpp
)
# How much to trust a selection: bootstrap, held-out validation, domains, estimator notes ------
target_sources(core PRIVATE
  selection/bootstrap.h selection/bootstrap.cpp selection/splitmix.h
  selection/standardize.h selection/standardize.cpp
  selection/estimatorinfo.h selection/estimatorinfo.cpp
  selection/validation.h selection/validation.cpp
  selection/domains.h selection/domains.cpp
)
