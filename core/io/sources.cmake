# Loaders (owned by the io work) -------------------------------------------------------------
target_sources(core PRIVATE
  io/bpbmatrix.h io/bpbmatrix.cpp
  io/bpbloader.h io/bpbloader.cpp
  io/benchmarkerrors.h io/benchmarkerrors.cpp
  io/namedvalues.h io/namedvalues.cpp
  io/textutil.h io/textutil.cpp
  io/filekind.h io/filekind.cpp
  io/mappedfile.h io/mappedfile.cpp
  io/csvcursor.h
  io/csvreader.h io/csvreader.cpp
  io/csvchunks.h io/csvchunks.cpp
  io/linereader.h io/linereader.cpp
  io/jsonline.h io/jsonline.cpp
  io/jsonkeyset.h io/jsonkeyset.cpp
  io/bpblayouts.h io/bpbcommon.cpp
  io/bpbtextrows.cpp io/bpbllmrows.cpp io/bpblong.cpp io/bpbnpy.cpp
  io/pyliteral.h io/pyliteral.cpp
  io/npyreader.h io/npyreader.cpp
  io/matrixcopy.h
  io/textnames.h io/textnames.cpp
  io/bpbsource.h io/bpbsource.cpp
  io/bpbblocksource.h io/bpbblocksource.cpp
  io/bpbtextrowsource.h io/bpbtextrowsource.cpp
  io/npybpbfiles.h io/npybpbfiles.cpp
  io/bpbconvert.h io/bpbconvert.cpp
  io/lmevalresults.h io/lmevalresults.cpp
  io/lmevalfile.h io/lmevalfile.cpp
  io/lmevalchoice.h io/lmevalchoice.cpp
  io/metricsemantics.h io/metricsemantics.cpp
)
# Writers and provenance ----------------------------------------------------------------------
target_sources(core PRIVATE
  io/atomicwrite.h io/atomicwrite.cpp
  io/npywriter.h io/npywriter.cpp
  io/bpbwriter.h io/bpbwriter.cpp
  io/outputpaths.h io/outputpaths.cpp
  io/selectionwriter.h io/selectionwriter.cpp
  io/fileinfo.h io/fileinfo.cpp
  io/sha256.h io/sha256.cpp
  io/csvwriter.h io/csvwriter.cpp
)
