target_sources(core PRIVATE
  common/error.h common/error.cpp
  common/result.h
  common/taskcontrol.h common/taskcontrol.cpp
  common/backgroundtask.h common/backgroundtask.cpp
  common/parallel.h common/parallel.cpp
  common/hugebuffer.h common/hugebuffer.cpp
  common/warningcollector.h common/warningcollector.cpp
)
