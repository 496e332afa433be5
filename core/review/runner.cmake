target_sources(core PRIVATE review/reviewrunner.h review/reviewrunner.cpp review/batchfiles.h review/batchfiles.cpp)
