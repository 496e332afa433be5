target_sources(core PRIVATE bpb/lossaggregate.h bpb/lossaggregate.cpp)
