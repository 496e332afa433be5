#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/io/benchmarkerrors.h"
#include "core/io/bpbloader.h"
#include "core/io/selectionwriter.h"
#include "core/selection/alignment.h"
#include "core/selection/estimators.h"
#include "core/selection/projection.h"
#include "core/selection/textshards.h"

#include <memory>

namespace pcs {

// The BPB matrix, the benchmark errors and how they align: what estimation needs.
struct SelectionInputs {
    std::shared_ptr<const BpbMatrix> bpb;
    BenchmarkErrors errors;
    AlignedInputs aligned;
    QString bpbPath;
    QString errorsPath;
};

// Loads both files and aligns them (see alignInputs).
Result<SelectionInputs> loadSelectionInputs(const QString &bpbPath,
                                            const BpbLoadOptions &bpbOptions,
                                            const QString &errorsPath,
                                            const BenchmarkLoadOptions &errorsOptions,
                                            const AlignOptions &alignOptions,
                                            const TaskControl &control = TaskControl::none());

// The same with the default options: exact names, the mean of `benchmarks` (empty = the
// default set).
Result<SelectionInputs> loadSelectionInputs(const QString &bpbPath,
                                            const BpbLoadOptions &bpbOptions,
                                            const QString &errorsPath,
                                            const QStringList &benchmarks,
                                            const TaskControl &control = TaskControl::none());

// Estimates every text of the aligned inputs.
Result<Eigen::VectorXd> estimateSelection(const SelectionInputs &inputs,
                                          const EstimateOptions &options,
                                          const TaskControl &control = TaskControl::none());
// The texts of `range` only (one shard of `estimate --shard`): the values estimateSelection
// gives for them, read from those columns alone.
Result<Eigen::VectorXd> estimateSelection(const SelectionInputs &inputs,
                                          const EstimateOptions &options, TextRange range,
                                          const TaskControl &control = TaskControl::none());

// Where the per-text caps come from.
struct TauSpec {
    enum class Source { Uniform, TokenCounts, File };
    Source source = Source::Uniform;
    QString path;  // token counts (text,tokens) or caps (text,tau)
    double keepRatio = 1.0;  // for Uniform and TokenCounts: fraction of the pool to keep, (0, 1]
};
// The name reports give the source: "uniform", "token_counts" or "file".
QString tauSourceName(TauSpec::Source source);

// Caps for `texts`, matched by name. Every text needs an entry; extra entries give a warning.
Result<Eigen::VectorXd> resolveTau(const QStringList &texts, const TauSpec &spec,
                                   Warnings *warnings = nullptr);

// Estimate-only table: ranks from the estimate.
SelectionTable makeEstimateTable(const QStringList &texts, const Eigen::VectorXd &estimate);
// Distribution table: the estimate projected onto the caps.
Result<SelectionTable> makeDistributionTable(const QStringList &texts,
                                             const Eigen::VectorXd &estimate,
                                             const Eigen::VectorXd &tau, Projection projection);

}  // namespace pcs
