#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"

#include <QJsonObject>
#include <QStringList>

#include <functional>
#include <optional>

namespace pcs {

class FastTextModel;
class OutputSet;

enum class ApplyMode {
    Keep,  // write the lines scoring >= the threshold, unchanged
    Drop,  // write the lines scoring < the threshold, unchanged
    Score,  // write one number per line: P(include)
    Annotate,  // write every line with "pcstudio_score": P(include) added as its last member
};
QString applyModeName(ApplyMode mode);
std::optional<ApplyMode> applyModeFromName(const QString &name);

// What happens to a malformed line (invalid JSON or UTF-8, a duplicate top-level key, no text
// field, a text that is not a string): it is always reported with its file and line number, then
// left out (Skip) or written unchanged (Pass; `null` in Score mode, so the output stays
// line-aligned).
enum class MalformedPolicy { Skip, Pass };

struct FilterApplyOptions {
    QStringList inputs;  // JSONL, optionally .gz/.zst; empty or "-" = standard input
    QString output = QStringLiteral("-");  // "-" = standard output; a file is written atomically
    ApplyMode mode = ApplyMode::Keep;
    std::optional<double> threshold;
    std::optional<double> keepFraction;  // estimated on the first sampleLines lines
    qint64 sampleLines = 100000;
    QString textField = QStringLiteral("text");
    MalformedPolicy malformed = MalformedPolicy::Skip;
    int threads = 0;  // 0 = one per core
    // When given, the output file is added to this set and left for its owner to publish (with
    // a report, say); else it is published when complete.
    OutputSet *outputSet = nullptr;
};

struct FilterApplySummary {
    qint64 lines = 0;  // non-blank lines read
    qint64 written = 0;  // lines written
    qint64 kept = 0;  // well-formed lines scoring >= threshold
    qint64 malformed = 0;
    double threshold = 0;
    QString thresholdRule;  // "given" or "keep_fraction"
    double requestedKeepFraction = 0;
    qint64 sampleLines = 0;  // lines the keep-fraction threshold was estimated on
    double seconds = 0;
    qint64 inputBytes = 0;  // decompressed bytes read

    QJsonObject toJson() const;
};

// Streams the inputs through the filter with constant memory: a reader, `threads` scorers and
// an in-order writer, with a bounded number of batches in flight. Output order = input order.
// `problem` receives each malformed line (FILE:LINE:COLUMN: reason) as it is met. Errors: an
// output that is one of the inputs (BadInput, before anything is read), an unreadable or corrupt
// input (with its line), a failed write such as a full disk (Io), Canceled; the output file is
// then not created (an existing one is left as it was).
Result<FilterApplySummary> applyFilter(const FastTextModel &model,
                                       const FilterApplyOptions &options,
                                       const std::function<void(const Error &)> &problem,
                                       const TaskControl &control = TaskControl::none());

}  // namespace pcs
