target_sources(core PRIVATE
  demo/demodata.h demo/demodata.cpp
)
