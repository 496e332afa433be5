#pragma once

#include "core/common/result.h"
#include "core/io/benchmarkerrors.h"
#include "core/io/bpbmatrix.h"
#include "core/io/bpbrowfacts.h"
#include "core/selection/benchmarkchoice.h"
#include "core/selection/llmmatching.h"

#include <QStringList>

#include <Eigen/Core>

#include <optional>
#include <vector>

namespace pcs {

// How the two files are put together: which LLMs match, which benchmarks make y and how.
struct AlignOptions {
    QStringList benchmarks;  // empty = defaultBenchmarkSet() over the matched LLMs
    LlmMatching matching = LlmMatching::Exact;
    std::optional<LlmMap> llmMap;  // applied first; the names it leaves out match by `matching`
    bool dedupeLlms = false;  // of LLMs with identical BPB rows, keep only the first
    Combination combination = Combination::Mean;
};

struct DroppedLlm {
    QString name;
    QString reason;  // includes the closest names, when there are any
    QStringList closest;  // for an unmatched name: the closest names of the other file
};

// Two names that look like one model: the same id on one side, or identical BPB rows.
struct DuplicateLlms {
    QString kept;
    QString other;
    QString why;  // "same Hugging Face id, identical BPB values", ...
    bool otherDropped = false;
};

// A benchmark of y, with what it is and how many LLMs have it.
struct ChosenBenchmark {
    QString name;
    BenchmarkInfo info;
    qsizetype llmsCovered = 0;  // of the candidates: matched LLMs with every BPB value
    bool averaged = true;  // false: left out of the combination (z-mean, no spread)
};

// The LLMs that have every BPB value and every chosen benchmark.
struct AlignedInputs {
    QStringList llms;  // BPB names, sorted by name (as the Python package does)
    QStringList errorLlms;  // the matched name in the benchmark file, parallel to llms
    std::vector<Eigen::Index> bpbRows;  // row of each LLM in BpbMatrix::values
    Eigen::VectorXd errors;  // y: the chosen benchmarks combined, per LLM
    QStringList benchmarks;  // the chosen benchmarks
    bool benchmarksRequested = false;  // named by the user, else the default set
    QList<ChosenBenchmark> chosen;  // parallel to benchmarks
    qsizetype candidateCount = 0;  // matched LLMs with every BPB value
    // Per benchmark of the file (its order): how many candidates have a value.
    std::vector<qsizetype> coverage;
    QList<DroppedLlm> dropped;  // every LLM of either file that is not used, and why
    QList<DuplicateLlms> duplicates;
    LlmMatching matching = LlmMatching::Exact;
    QString llmMapPath;  // empty = no map
    bool dedupeLlms = false;
    Combination combination = Combination::Mean;
    Warnings warnings;  // grouped
};

// Matches the LLMs of the two files (options.matching, options.llmMap), drops those without
// every BPB value or a chosen benchmark (each with its reason; unmatched names with the closest
// names of the other file), chooses the benchmarks (options.benchmarks, else
// defaultBenchmarkSet) and combines them into y.
// Errors (BadInput): an unknown benchmark (listing the known ones), a map naming an unknown LLM
// (located in the map file), two names on one side with one id but different values, no LLM in
// common, an empty default set (with the benchmarks closest to it), fewer than 3 usable LLMs
// (naming the benchmarks and how they were chosen, their coverage and the first reasons).
Result<AlignedInputs> alignInputs(const BpbMatrix &bpb, const BenchmarkErrors &errors,
                                  const AlignOptions &options = {}, const QString &bpbFile = {},
                                  const QString &errorsFile = {});

// The same from the LLM names and row facts of a BPB matrix that is not in memory (streamed).
Result<AlignedInputs> alignInputs(const QStringList &bpbLlms, const BpbRowFacts &facts,
                                  const BenchmarkErrors &errors, const AlignOptions &options = {},
                                  const QString &bpbFile = {}, const QString &errorsFile = {});

// The message lines (first `count`, then how many more) of dropped LLMs: "NAME: reason".
QStringList droppedLines(const QList<DroppedLlm> &dropped, qsizetype count);

}  // namespace pcs
