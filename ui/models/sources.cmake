# Per-text table: a sorting/filtering model over a SelectionTable and its view; the shared focus.
target_sources(ui PRIVATE
  textfocus.h
  models/parallelchunks.h
  models/latestwork.h models/latestwork.cpp
  models/nameorder.h models/nameorder.cpp
  models/valueorder.h models/valueorder.cpp
  models/selectiontablemodel.h models/selectiontablemodel.cpp
  models/texttableview.h models/texttableview.cpp
)
