target_sources(core PRIVATE
  demo/demodata.h demo/demodata.cpp
  demo/democorpus.h demo/democorpus.cpp
)
