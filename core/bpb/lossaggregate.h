#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/io/bpbmatrix.h"

#include <QJsonObject>
#include <QStringList>

namespace pcs {

// Per-chunk losses → a BPB matrix. Input rows (CSV with a header, or JSONL objects):
//   llm     the LLM (optional: without the column, the file's base name is the LLM's name)
//   text    the text id (alias: id)
//   chunk   optional chunk id within the text
//   domain  optional domain (needed for --by domain)
//   loss    mean loss in nats per predicted token over the chunk
//   tokens  predicted tokens in the chunk
//   bytes   UTF-8 bytes of the chunk
// Per LLM and group (chunk, text or domain): bpb = Σ tokens·loss / (ln 2 · Σ bytes), weighted
// by tokens — never the mean of the chunks' BPBs, which over-weights short chunks. A chunk with a
// missing or non-finite loss is dropped for its LLM and reported; a group an LLM has no usable
// chunk for is left empty (and the selection will then report that LLM as incomplete).
enum class LossGrouping { Chunk, Text, Domain };
QString lossGroupingName(LossGrouping grouping);  // "chunk", "text", "domain"

struct LossAggregate {
    BpbMatrix matrix;  // text-rows: one row per group, one column per LLM (by first appearance)
    qint64 chunksRead = 0;
    qint64 chunksDropped = 0;
    QStringList dropped;  // the first 100 as FILE:LINE: llm, chunk: reason
    qint64 emptyCells = 0;  // (group, LLM) pairs without a usable chunk
    QJsonObject toJson() const;
};

// Errors (BadInput, with file and line): unreadable files, a missing required column, a row
// without a text (or domain, when grouping by domain), tokens or bytes that are not
// non-negative numbers, bytes = 0 with tokens > 0, the same chunk twice for one LLM, an LLM or
// group name that a written matrix cannot hold (see bpbNameProblem), two rows that make the
// same chunk name. Progress is by files and, for CSV, by bytes read; a cancel is an
// Error::canceled() within a few thousand rows.
Result<LossAggregate> aggregateLosses(const QStringList &files, LossGrouping grouping,
                                      const TaskControl &control = TaskControl::none());

// The label column that names the groups in the CSV layout: id (texts), domain or chunk. The
// matrix is written with writeBpbMatrix (io/bpbwriter.h).
QString bpbLabelColumn(LossGrouping grouping);

}  // namespace pcs
