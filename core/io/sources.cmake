# Loaders (owned by the io work) -------------------------------------------------------------
target_sources(core PRIVATE
  io/bpbmatrix.h io/bpbmatrix.cpp
  io/bpbloader.h io/bpbloader.cpp
  io/benchmarkerrors.h io/benchmarkerrors.cpp
  io/namedvalues.h io/namedvalues.cpp
)
# Writers and provenance ----------------------------------------------------------------------
target_sources(core PRIVATE
  io/atomicwrite.h io/atomicwrite.cpp
  io/selectionwriter.h io/selectionwriter.cpp
  io/fileinfo.h io/fileinfo.cpp
)
