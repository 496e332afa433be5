# The review queue: one SQLite database per review project (Qt Sql, driver QSQLITE).
target_sources(core PRIVATE
  review/queueitem.h review/queueitem.cpp
  review/queuestore.h review/queuestore.cpp
  review/queuesql.h review/queueschema.cpp review/queueimport.cpp review/queuequery.cpp
  review/queuedecisions.cpp review/queuecounts.cpp
  review/queueexport.cpp
)
# The run lease (one run per queue at a time) and SQLite's write transactions and diagnoses.
target_sources(core PRIVATE
  review/queuelease.cpp
  review/sqlitesupport.h review/sqlitesupport.cpp
)
# sqlitesupport reads the OS error of a failed call from Qt's SQLite handle (the system
# libsqlite3 on Debian, which Qt's QSQLITE driver links too).
find_package(SQLite3 REQUIRED)
target_link_libraries(core PRIVATE SQLite::SQLite3)
# ResponseError (queueitem.h): its one name table.
target_sources(core PRIVATE review/responseerror.cpp)
