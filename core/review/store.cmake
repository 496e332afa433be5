# The review queue: one SQLite database per review project (Qt Sql, driver QSQLITE).
target_sources(core PRIVATE
  review/queuestore.h review/queuestore.cpp
  review/queueexport.cpp
)
