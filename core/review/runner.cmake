target_sources(core PRIVATE review/reviewrunner.h review/reviewrunner.cpp review/batchfiles.h review/batchfiles.cpp)
# What exports from a queue must never replace (the database, its SQLite files, its sources).
target_sources(core PRIVATE review/queueinputs.h review/queueinputs.cpp)
