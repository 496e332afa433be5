#pragma once

#include "core/bpb/bpbcompute.h"
#include "core/common/result.h"
#include "core/io/bpbmatrix.h"
#include "core/review/batchfiles.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace pcs {

// The BPB matrix computed offline (bpb batch-export / bpb batch-import): every window of every
// text (exactly the windows computeBpbMatrix sends, bpbWindows) as one OpenAI Batch API request
// line, for `vllm run-batch` on a GPU cluster or the OpenAI Batch API; the result files read back
// into the matrix `bpb compute` would give on the same texts, to the last bit.
//
// Request line: {"custom_id": ID, "method": "POST", "url": bpbRequestUrl(api),
//                "body": bpbRequestBody(api, model, window)}
// The default shape is vllm-chat: `vllm run-batch` runs /v1/chat/completions (and embeddings,
// score, rerank) but not /v1/completions — "We currently support /v1/chat/completions,
// /v1/embeddings, and /v1/score endpoints (completions coming soon)" (vLLM docs, Offline
// Inference with the OpenAI Batch file format), and run_batch.py answers any other URL with
// "URL ... was used. Supported endpoints: ...". The chat request carries a chat template that
// renders the window alone, and add_special_tokens so that the BOS is added as /completions adds
// it: the same tokens, the same log-probs. `vllm` (/v1/completions with prompt_logprobs) and
// `openai-legacy` (/v1/completions with echo, which the OpenAI Batch API accepts) are there for
// runners that take /v1/completions.
//
// custom_id: "bpb-<text>-<window>-<check>": the text's 0-based position in the texts file, the
// window's 0-based position in the text, and 16 hex digits of SHA-256 over the model, the
// request shape, the window settings, the text's id and the window's bounds and prompt. A result
// whose check does not match (another texts file, other --window/--overlap/--api or model) is
// refused, never silently read into the wrong cell.
//
// Result lines (any order, in any number of files) as batchfiles.h describes them; each
// window's answer is read with scoreCompletionsAnswer and a text's windows are added in window
// order (bpbFromWindowSums), as computeBpbMatrix adds them.

struct BpbBatchSettings {
    QString model;  // the "model" of every request (as the server or run-batch serves it)
    QString name;  // the matrix's column; empty = the model
    BpbApi api = BpbApi::VllmChat;
    int windowChars = 8000;
    int overlapChars = 1000;
};

// The custom_id of window `window` of text `text` (0-based positions).
QString bpbBatchCustomId(const BpbBatchSettings &settings, qsizetype text, const QString &textId,
                         const BpbWindow &window, const QString &prompt, qsizetype windowIndex);

struct BpbBatchExportSummary {
    qint64 texts = 0;
    qint64 requests = 0;
    std::vector<BatchExportSummary::File> files;  // in order
    QStringList staleFiles;  // see BatchExportSummary
};

// Writes the request lines of every window of every text to `path`, or shards of it within
// `limits` (BatchFileWriter: path, or path-001, path-002, ...), all published together. `check`
// is asked about each output (that it names no input). Errors: a window whose request alone is
// larger than limits.maxBytes (BadInput naming the text and window; nothing is written), a
// failed write (Io).
Result<BpbBatchExportSummary> exportBpbBatch(const std::vector<BpbText> &texts,
                                             const BpbBatchSettings &settings, const QString &path,
                                             const BatchFileLimits &limits,
                                             BatchFileWriter::OutputCheck check = {});

struct BpbBatchImportSummary {
    qint64 files = 0;
    qint64 lines = 0;  // result lines read (blank lines aside)
    qint64 windows = 0;  // windows expected (and found), all models
};

// Reads the result files of one export per model (`models`, one column each, all with the same
// texts) into the BPB matrix (LLMs x texts). Errors (BadInput, naming the file, its line and
// why): a line that is not a JSON object, has no custom_id of this form, names a text or window
// these texts do not have, or whose check matches none of the models (a foreign result); a
// custom_id read twice (naming both places); a failed request (the server's reason); an answer
// without prompt log-probabilities. Then windows without a result (how many, and the first few
// by text id and window). An unreadable file is BadInput too; every file is opened first.
Result<BpbMatrix> importBpbBatch(const std::vector<BpbText> &texts,
                                 const std::vector<BpbBatchSettings> &models,
                                 const QStringList &resultFiles,
                                 BpbBatchImportSummary *summary = nullptr);

}  // namespace pcs
