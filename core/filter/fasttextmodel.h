#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <string_view>

namespace fasttext {
class Dictionary;
class FastText;
}  // namespace fasttext

namespace pcs {

class AtomicFile;

// The fastText hyperparameters a filter is trained with: DCLM-style supervised defaults. Set
// explicitly, since fastText's Args() starts from unsupervised defaults (skipgram, minCount 5,
// minn 3, maxn 6, lr 0.05, loss ns): these match `fasttext supervised` with the same options.
struct FastTextParameters {
    int epoch = 5;
    double lr = 0.1;
    int dim = 100;
    int wordNgrams = 2;
    int minCount = 1;
    int bucket = 2000000;  // hash buckets for the word n-grams
    int threads = 0;  // 0 = one per core
    int seed = 0;
};

// A trained or loaded fastText classifier with the labels `__label__include` and
// `__label__exclude`. Wraps libfasttext: every exception it throws becomes an Error, and its
// parseArgs (which exits the process on bad input) is never called.
class FastTextModel {
public:
    static const char *const kIncludeLabel;  // "__label__include"
    static const char *const kExcludeLabel;  // "__label__exclude"

    FastTextModel();
    FastTextModel(FastTextModel &&) noexcept;
    FastTextModel &operator=(FastTextModel &&) noexcept;
    ~FastTextModel();

    // Trains on a file with one "__label__X cleaned text" line per document. Progress is
    // reported in permille of fastText's own progress; a cancel aborts training (Canceled).
    // As `fasttext supervised`, wordNgrams 1 trains without hash buckets (bucket 0).
    // Errors: no include or no exclude example, an empty vocabulary, an unreadable file, invalid
    // parameters, anything fastText rejects: BadInput; out of memory: Internal.
    static Result<FastTextModel> train(const QString &trainingFile,
                                       const FastTextParameters &parameters,
                                       const TaskControl &control = TaskControl::none());

    // Loads a .bin or .ftz, checked by checkFastTextModelFile before fastText reads it (fastText
    // trusts every size and index in the file). Errors: not a fastText model, a damaged or
    // hostile one (naming the field), not supervised, or without both labels (BadInput); out of
    // memory (Internal). Labels besides the two are allowed; they take their share of the
    // probability.
    static Result<FastTextModel> load(const QString &path);

    // Writes the model atomically (AtomicFile: a temporary file beside it, then a rename).
    // Errors: the folder is missing (BadInput); a failed or incomplete write, e.g. a full disk
    // (Io, with the system's reason).
    Status save(const QString &path) const;
    // Writes the model into `file` and finishes it (on disk, not yet published): for a model
    // published together with other files (its manifest) through an OutputSet.
    Status save(AtomicFile &file) const;

    // Quantizes in place (product quantization, as `fasttext quantize` without retraining or a
    // cutoff), for a smaller .ftz. `trainingFile` is the file the model was trained on (fastText
    // reads it only when retraining, which this does not). Cancel is honoured only before it
    // starts. Errors: already quantized or too small (fewer than 256 input rows): BadInput, the
    // model unchanged; a failure inside fastText discards the model (it may be half-converted).
    Status quantize(const QString &trainingFile, const TaskControl &control = TaskControl::none());
    bool isQuantized() const;

    // P(include) for one cleaned document (one line, no '\n'), exactly as
    // `fasttext predict-prob MODEL - 2` prints it for that line (same tokenisation and
    // end-of-sentence token, same +1e-5 smoothing of fastText's probabilities). Thread-safe.
    // So it lies in [1e-5, 1 + 1e-5], not [0, 1] (a hierarchical-softmax model, as the fastText
    // CLI trains with -loss hs, smooths each factor along a tree path: slightly more). Text after
    // a '\n' is ignored (the CLI would read it as the next line). A line with no known word and no
    // word n-gram gets no prediction from fastText (the CLI prints an empty line): 0 then; also 0
    // for an empty (default) model. Never throws: a loaded model was checked and a trained one's
    // weights bounded, which leaves fastText nothing to fail on but memory; running out of it
    // mid-line ends the process with a message (qFatal), as would a fastText failure, which would
    // be a bug here.
    double scoreInclude(std::string_view cleanedText) const noexcept;

    // As stored in the model, e.g. {"__label__include", "__label__exclude"}.
    QStringList labels() const;
    // As trained. After load(), lr, threads and seed are 0: a model file does not store them.
    FastTextParameters parameters() const;
    qint64 vocabularySize() const;

private:
    // Takes a freshly trained or loaded model if it is supervised and has both labels; `file`
    // names the source in errors.
    Status adopt(std::unique_ptr<fasttext::FastText> fastText, const QString &file);

    std::unique_ptr<fasttext::FastText> m_fastText;
    const fasttext::Dictionary *m_dictionary = nullptr;  // m_fastText's, cached for scoring
    int m_includeLabel = -1;  // fastText's label index of include
    bool m_trained = false;  // trained here (lr, threads and seed known), not loaded
};

}  // namespace pcs
