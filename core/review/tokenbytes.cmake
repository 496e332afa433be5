# Log-prob tokens placed on the bytes of the text they spell (U+FFFD, empty and escaped pieces).
target_sources(core PRIVATE review/tokenbytes.h review/tokenbytes.cpp)
