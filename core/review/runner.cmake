target_sources(core PRIVATE review/reviewrunner.h review/reviewrunner.cpp review/batchfiles.h review/batchfiles.cpp)
# What exports from a queue must never replace (the database, its SQLite files, its sources).
target_sources(core PRIVATE review/queueinputs.h review/queueinputs.cpp)
# Batch API result files (OpenAI, vLLM run-batch) read back into the queue.
target_sources(core PRIVATE review/batchimport.cpp)
# The project (queue + criteria + settings) and the one place answers become records.
target_sources(core PRIVATE review/reviewproject.h review/reviewproject.cpp
                            review/assessmentrecorder.h review/assessmentrecorder.cpp)
