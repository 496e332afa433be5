#pragma once

#include "core/common/result.h"
#include "core/io/bpbloader.h"
#include "core/io/npyreader.h"

#include <QString>

// The checks a .npy BPB matrix gets whether it is loaded whole (loadNpyBpb) or read in blocks
// (NpyBpbSource), so both give the same messages.
namespace pcs::io {

// A matrix and its names files are published together (writeNpyBpbMatrix); a writer killed
// between the renames leaves a journal, and finishing it here means the files read afterwards
// are all of one write. A writer still at work is reported instead.
Status finishInterruptedNpyWrites(const QString &path, const BpbLoadOptions &options);

// The header describes a non-empty 2-D array (LLMs x texts) of exactly `dataBytes` bytes.
Status checkNpyBpbShape(const NpyHeader &header, qint64 dataBytes, const QString &path);

// The names files: those in the options, else NAME.texts.txt and NAME.llms.txt beside the
// matrix; an error says how to give a missing one.
struct NpyNamesFiles {
    QString texts, llms;
};
Result<NpyNamesFiles> findNpyNamesFiles(const QString &path, const BpbLoadOptions &options);

// `names` names read from `namesFile` for an axis of `expected` entries ("text" or "LLM").
Status checkNpyNameCount(const QString &npyPath, const NpyHeader &header, const QString &namesFile,
                         qint64 names, const char *what, qint64 expected);

}  // namespace pcs::io
