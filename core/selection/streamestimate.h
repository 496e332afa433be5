#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/io/benchmarkerrors.h"
#include "core/io/bpbloader.h"
#include "core/io/textnames.h"
#include "core/selection/alignment.h"
#include "core/selection/estimators.h"
#include "core/selection/textshards.h"

#include <optional>

namespace pcs {

struct StreamEstimateOptions {
    EstimateOptions estimate;
    AlignOptions align;
    // The texts to estimate, [firstText, endText); endText -1 = to the last. A shard is a range.
    // The row facts (missing values, identical rows) are those of the range, so a range whose
    // rows are complete while another range's are not aligns differently: callers that need one
    // alignment for all shards must check the whole matrix once.
    qint64 firstText = 0;
    qint64 endText = -1;
    // Instead of the range: shard I of N of the texts (possibly empty), aligned with the row
    // facts of the whole matrix, as the in-memory shard is (one more pass, scanning only).
    std::optional<ShardSpec> shard;
    bool hash = true;  // SHA-256 of the matrix and its names files
    qint64 blockBytes = 0;  // raw bytes per block; 0 = automatic (tests set it small)
    // Texts per piece of a block handed to a thread (decoded, scanned and estimated while in
    // cache); 0 = automatic (tests set it small). Results do not depend on it.
    qint64 pieceTexts = 0;
};

struct StreamEstimate {
    BpbLayout layout = BpbLayout::Npy;  // of the BPB file
    QStringList llms;  // of the BPB file
    TextNames texts;  // of the range
    qint64 firstText = 0;
    qint64 totalTexts = 0;  // in the file
    AlignedInputs aligned;
    Eigen::VectorXd values;  // one estimate per text of the range
    Warnings warnings;  // of the BPB file (negative values)
    // Provenance, empty when not hashed: the matrix (hashed from the reads themselves when they
    // are in file order, else by a concurrent sequential read) and its names files.
    QString bpbSha256, textsSha256, llmsSha256;
    QString textsPath, llmsPath;
    int passes = 0;  // passes over the matrix: 1 unless the alignment changed after reading it
    double openSeconds = 0;  // opening the source (a text-rows file is read and checked then)
};

// The estimate of every text of a .npy or text-rows BPB matrix (io::isBlockReadableBpb), read in
// blocks of texts with the next block read while the current one is estimated. Memory is O(N x
// block + D). The result is bit-identical to loadBpbMatrix + alignInputs + estimate: each block is
// the same columns in doubles, and the estimators work column by column. The alignment is guessed
// before the read (no missing values, no identical rows) and checked after it against the facts
// gathered during the read; a wrong guess costs a second pass. Errors as loadBpbMatrix,
// alignInputs and estimate give them; Canceled.
Result<StreamEstimate> streamEstimate(const QString &bpbPath, const BpbLoadOptions &bpbOptions,
                                      const BenchmarkErrors &errors, const QString &errorsPath,
                                      const StreamEstimateOptions &options,
                                      const TaskControl &control = TaskControl::none());

}  // namespace pcs
