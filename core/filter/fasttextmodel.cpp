#include "core/filter/fasttextmodel.h"

#include "core/common/parallel.h"
#include "core/filter/fasttextmodelfile.h"
#include "core/io/atomicwrite.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QtGlobal>

#include <fasttext/fasttext.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <istream>
#include <new>
#include <streambuf>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace pcs {

const char *const FastTextModel::kIncludeLabel = "__label__include";
const char *const FastTextModel::kExcludeLabel = "__label__exclude";

namespace {

std::string nativePath(const QString &path)
{
    return QFile::encodeName(path).toStdString();
}

// The characters fastText's Dictionary::readWord splits tokens at.
bool isFastTextDelimiter(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' || c == '\0';
}

// Serves `text` and then one '\n' without copying the text. fastText's Dictionary::getLine
// reads straight from the stream buffer (sbumpc, and sungetc to push a '\n' back), and the '\n'
// is what makes it append the end-of-sentence token "</s>", as it does for a line of a file.
class LineStreamBuffer : public std::streambuf {
public:
    explicit LineStreamBuffer(std::string_view text)
    {
        // Never written through: there is no put area, and pbackfail() keeps refusing.
        char *begin = const_cast<char *>(text.data());
        setg(begin, begin, begin + text.size());
    }

protected:
    int_type underflow() override
    {
        if (m_newlineServed)
            return traits_type::eof();
        m_newlineServed = true;
        setg(&m_newline, &m_newline, &m_newline + 1);
        return traits_type::to_int_type(m_newline);
    }

private:
    char m_newline = '\n';
    bool m_newlineServed = false;
};

// Scans the training file for the two labels as fastText tokens (anywhere in a line, as fastText
// reads them), stopping as soon as both are seen: a single-class file would otherwise train a
// useless model that always answers the one label.
Status checkBothLabelsPresent(const QString &trainingFile, const TaskControl &control)
{
    QFile file(trainingFile);
    if (!file.open(QIODevice::ReadOnly))
        return Error::badInput(
            QStringLiteral("cannot open the training file: %1").arg(file.errorString()),
            trainingFile);
    if (QFileInfo(file).isDir())
        return Error::badInput(QStringLiteral("the training file is a folder"), trainingFile);

    const std::string_view labels[2]
        = { FastTextModel::kIncludeLabel, FastTextModel::kExcludeLabel };
    bool found[2] = { false, false };
    const std::size_t longestLabel = std::max(labels[0].size(), labels[1].size());
    constexpr qint64 kChunkSize = 1 << 20;

    std::string buffer;  // the unconsumed tail of the previous chunk, then the new chunk
    qint64 bufferOffset = 0;  // file offset of buffer[0]
    qint64 bytesRead = 0;
    bool atEnd = false;
    while (!atEnd && !(found[0] && found[1])) {
        if (control.isCanceled())
            return Error::canceled();
        const std::size_t kept = buffer.size();
        buffer.resize(kept + kChunkSize);
        const qint64 count = file.read(buffer.data() + kept, kChunkSize);
        if (count < 0)
            return Error::badInput(
                QStringLiteral("cannot read the training file: %1").arg(file.errorString()),
                trainingFile);
        buffer.resize(kept + std::size_t(count));
        bytesRead += count;
        atEnd = count == 0 || file.atEnd();

        const std::string_view view(buffer);
        for (int i = 0; i < 2; ++i) {
            for (std::size_t at = view.find(labels[i]); !found[i] && at != std::string_view::npos;
                 at = view.find(labels[i], at + 1)) {
                const std::size_t after = at + labels[i].size();
                const bool startsToken
                    = at == 0 ? bufferOffset == 0 : isFastTextDelimiter(view[at - 1]);
                const bool endsToken
                    = after == view.size() ? atEnd : isFastTextDelimiter(view[after]);
                found[i] = startsToken && endsToken;
            }
        }
        // Keep enough to re-examine a label cut by the chunk boundary, with the byte before it.
        const std::size_t keep = std::min(buffer.size(), longestLabel + 1);
        bufferOffset += qint64(buffer.size() - keep);
        buffer.erase(0, buffer.size() - keep);
    }
    if (bytesRead == 0)
        return Error::badInput(QStringLiteral("the training file is empty"), trainingFile);
    for (int i = 0; i < 2; ++i) {
        if (!found[i])
            return Error::badInput(
                QStringLiteral("the training file has no %1 example (no line with the label %1)")
                    .arg(QString::fromLatin1(labels[i].data(), qsizetype(labels[i].size()))),
                trainingFile);
    }
    return Done {};
}

Status checkParameters(const FastTextParameters &p, const QString &trainingFile)
{
    QStringList problems;
    if (p.epoch < 1)
        problems << QStringLiteral("epoch must be at least 1");
    if (!(p.lr > 0) || !std::isfinite(p.lr))
        problems << QStringLiteral("lr must be positive");
    if (p.dim < 1)
        problems << QStringLiteral("dim must be at least 1");
    if (p.wordNgrams < 1)
        problems << QStringLiteral("wordNgrams must be at least 1");
    if (p.minCount < 1)
        problems << QStringLiteral("minCount must be at least 1");
    // fastText takes word n-gram hashes modulo the bucket count: 0 buckets would divide by zero.
    if (p.bucket < 0 || (p.wordNgrams > 1 && p.bucket == 0))
        problems << QStringLiteral("bucket must be positive when wordNgrams > 1");
    if (problems.isEmpty())
        return Done {};
    return Error::badInput(
        QStringLiteral("invalid fastText parameters: %1").arg(problems.join(QStringLiteral("; "))),
        trainingFile);
}

// Every field `fasttext supervised -input F -output M` sets, with the caller's hyperparameters.
// Args() starts from unsupervised defaults, so nothing is left to it.
fasttext::Args supervisedArgs(const QString &trainingFile, const FastTextParameters &p)
{
    fasttext::Args args;
    args.input = nativePath(trainingFile);
    args.output.clear();
    args.model = fasttext::model_name::sup;
    args.loss = fasttext::loss_name::softmax;
    args.lr = p.lr;
    args.lrUpdateRate = 100;
    args.dim = p.dim;
    args.ws = 5;
    args.epoch = p.epoch;
    args.minCount = p.minCount;
    args.minCountLabel = 0;
    args.neg = 5;
    args.wordNgrams = p.wordNgrams;
    // The CLI drops the hash table when nothing would be hashed into it (no word n-grams, no
    // character n-grams); so do we, so that the model is the one the CLI would train.
    args.bucket = p.wordNgrams <= 1 ? 0 : p.bucket;
    args.minn = 0;
    args.maxn = 0;
    args.thread = resolveThreadCount(p.threads);
    args.t = 1e-4;
    args.label = "__label__";
    args.verbose = 0;
    args.pretrainedVectors.clear();
    args.saveOutput = false;
    args.seed = p.seed;
    return args;
}

Error libraryError(const std::exception &exception, const QString &what, const QString &file)
{
    if (dynamic_cast<const std::bad_alloc *>(&exception))
        return Error::internal(QStringLiteral("out of memory while %1").arg(what), file);
    return Error::badInput(QStringLiteral("fastText failed while %1: %2")
                               .arg(what, QString::fromLocal8Bit(exception.what()).trimmed()),
                           file);
}

// save() checks what fastText wrote with the same walk as load() (saveModel does not check its
// stream): the problem, or an empty string when the file is sound.
QString modelFileLayoutProblem(const QString &path)
{
    const Status checked = checkFastTextModelFile(path);
    return checked ? QString() : checked.error().reason;
}

// fastText's loadModel(std::istream &) relies on the format version that only its protected
// checkModel() records (loadModel(filename) calls both); loading from the stream that was just
// checked needs both. A pointer to the member, formed through a derived class, reaches it.
class FastTextSignatureReader : public fasttext::FastText {
public:
    static bool readSignature(fasttext::FastText &fastText, std::istream &in)
    {
        return (fastText.*(&FastTextSignatureReader::checkModel))(in);
    }
};

}  // namespace

FastTextModel::FastTextModel() = default;
FastTextModel::FastTextModel(FastTextModel &&other) noexcept
    : m_fastText(std::move(other.m_fastText))
    , m_dictionary(std::exchange(other.m_dictionary, nullptr))
    , m_includeLabel(std::exchange(other.m_includeLabel, -1))
    , m_trained(std::exchange(other.m_trained, false))
{
}

FastTextModel &FastTextModel::operator=(FastTextModel &&other) noexcept
{
    m_fastText = std::move(other.m_fastText);
    m_dictionary = std::exchange(other.m_dictionary, nullptr);
    m_includeLabel = std::exchange(other.m_includeLabel, -1);
    m_trained = std::exchange(other.m_trained, false);
    return *this;
}

FastTextModel::~FastTextModel() = default;

Status FastTextModel::adopt(std::unique_ptr<fasttext::FastText> fastText, const QString &file)
{
    if (fastText->getArgs().model != fasttext::model_name::sup)
        return Error::badInput(
            QStringLiteral("not a supervised fastText model (a word-vector model?)"), file);
    const auto dictionary = fastText->getDictionary();
    const int includeLabel = fastText->getLabelId(kIncludeLabel);
    const int excludeLabel = fastText->getLabelId(kExcludeLabel);
    if (includeLabel < 0 || excludeLabel < 0) {
        QStringList present;
        for (int i = 0; i < dictionary->nlabels(); ++i)
            present << QString::fromStdString(dictionary->getLabel(i));
        return Error::badInput(
            QStringLiteral("the model lacks the label %1 (its labels: %2)")
                .arg(QString::fromLatin1(includeLabel < 0 ? kIncludeLabel : kExcludeLabel),
                     present.isEmpty() ? QStringLiteral("none")
                                       : present.join(QStringLiteral(", "))),
            file);
    }
    m_fastText = std::move(fastText);
    m_dictionary = m_fastText->getDictionary().get();
    m_includeLabel = includeLabel;
    return Done {};
}

Result<FastTextModel> FastTextModel::train(const QString &trainingFile,
                                           const FastTextParameters &parameters,
                                           const TaskControl &control)
{
    if (Status valid = checkParameters(parameters, trainingFile); !valid)
        return valid.error();
    if (Status labelled = checkBothLabelsPresent(trainingFile, control); !labelled)
        return labelled.error();

    auto fastText = std::make_unique<fasttext::FastText>();
    std::atomic<bool> abortRequested { false };
    std::atomic<int> reportedPermille { -1 };
    // Called by every training thread (every 64 lines each): abort at most once, since abort()
    // writes an unsynchronised member, and report only forward steps.
    const auto onProgress = [&](float progress, float /*loss*/, double /*wordsPerSecPerThread*/,
                                double /*lr*/, int64_t /*eta*/) {
        if (control.isCanceled()) {
            if (!abortRequested.exchange(true))
                fastText->abort();
            return;
        }
        const int permille = std::clamp(int(progress * 1000.0f), 0, 1000);
        int previous = reportedPermille.load();
        while (permille > previous) {
            if (reportedPermille.compare_exchange_weak(previous, permille)) {
                control.reportProgress(permille, 1000);
                break;
            }
        }
    };

    try {
        fastText->train(supervisedArgs(trainingFile, parameters), onProgress);
    } catch (const fasttext::FastText::AbortError &) {
        return Error::canceled();
    } catch (const std::exception &exception) {
        if (abortRequested)
            return Error::canceled();
        return libraryError(exception, QStringLiteral("training"), trainingFile);
    }
    if (control.isCanceled())
        return Error::canceled();
    // With labels present fastText accepts a vocabulary that minCount emptied, and trains
    // a model that predicts nothing.
    if (fastText->getDictionary()->nwords() == 0)
        return Error::badInput(
            QStringLiteral("empty vocabulary: no word occurs at least minCount (%1) times")
                .arg(parameters.minCount),
            trainingFile);

    // Finite weights that large would overflow float sums when scoring (and a file with them
    // would be refused on loading); only a diverging training gets there.
    for (const auto &matrix : { fastText->getInputMatrix(), fastText->getOutputMatrix() }) {
        const float *weights = matrix->data();
        if (!std::all_of(weights, weights + matrix->rows() * matrix->cols(),
                         [](float w) { return std::fabs(w) <= kMaxFastTextWeight; }))
            return Error::badInput(
                QStringLiteral("training diverged: weights beyond ±%1 (try a lower lr)")
                    .arg(double(kMaxFastTextWeight), 0, 'g', 6),
                trainingFile);
    }

    FastTextModel model;
    if (Status adopted = model.adopt(std::move(fastText), trainingFile); !adopted)
        return adopted.error();
    model.m_trained = true;
    control.reportProgress(1000, 1000);
    return model;
}

Result<FastTextModel> FastTextModel::load(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error::badInput(QStringLiteral("no such model file"), path);
    if (!info.isFile())
        return Error::badInput(QStringLiteral("not a model file (a folder?)"), path);

    // One open file, checked and then read by fastText: what fastText reads is what was checked
    // (short of someone rewriting the file in place meanwhile).
    std::ifstream in(nativePath(path), std::ios::binary);
    if (!in.is_open())
        return Error::badInput(
            QStringLiteral("cannot open it: %1")
                .arg(QString::fromStdString(std::generic_category().message(errno))),
            path);
    if (Status checked = checkFastTextModelFile(in, path); !checked)
        return checked.error();
    in.clear();
    in.seekg(0);

    auto fastText = std::make_unique<fasttext::FastText>();
    try {
        if (!in || !FastTextSignatureReader::readSignature(*fastText, in))
            return Error::badInput(QStringLiteral("cannot read it again after checking it"), path);
        fastText->loadModel(in);
    } catch (const std::bad_alloc &) {
        return Error::internal(QStringLiteral("out of memory while loading the model"), path);
    } catch (const std::exception &exception) {
        // The check above leaves fastText nothing to refuse; kept as a net, not a path.
        return Error::badInput(QStringLiteral("not a valid fastText model: %1")
                                   .arg(QString::fromLocal8Bit(exception.what()).trimmed()),
                               path);
    }
    FastTextModel model;
    if (Status adopted = model.adopt(std::move(fastText), path); !adopted)
        return adopted.error();
    return model;
}

Status FastTextModel::save(const QString &path) const
{
    if (!m_fastText)
        return Error::internal(QStringLiteral("there is no model to save"), path);
    auto file = AtomicFile::create(path);
    if (!file)
        return file.error();
    if (Status written = save(**file); !written)
        return written;
    return (*file)->commit();
}

Status FastTextModel::save(AtomicFile &file) const
{
    const QString &path = file.targetPath();
    if (!m_fastText)
        return Error::internal(QStringLiteral("there is no model to save"), path);
    // fastText writes by name: it gets the temporary file, and AtomicFile syncs and renames it.
    file.releaseForExternalWriter();
    errno = 0;
    try {
        m_fastText->saveModel(nativePath(file.temporaryPath()));
    } catch (const std::exception &exception) {
        file.discard();
        return libraryError(exception, QStringLiteral("saving the model"), path);
    }
    const int writeError = errno;
    // saveModel does not check its stream: a full disk would leave a short file unnoticed. Its
    // last failed write left the reason in errno.
    if (const QString problem = modelFileLayoutProblem(file.temporaryPath()); !problem.isEmpty()) {
        file.discard();
        if (writeError == ENOSPC || writeError == EFBIG || writeError == EIO
            || writeError == EDQUOT)
            return ioError(QStringLiteral("cannot write the model"), writeError, path);
        return Error::io(
            QStringLiteral("the model was not written completely (is the disk full?): %1")
                .arg(problem),
            path);
    }
    return file.finish();
}

Status FastTextModel::quantize(const QString &trainingFile, const TaskControl &control)
{
    if (!m_fastText)
        return Error::internal(QStringLiteral("there is no model to quantize"));
    if (isQuantized())
        return Error::badInput(QStringLiteral("the model is already quantized"));
    // Product quantization runs k-means with 256 centroids over the input matrix rows; fastText
    // checks this only after it has taken the dense matrix apart.
    constexpr qint64 kCentroids = 256;
    if (m_fastText->getInputMatrix()->size(0) < kCentroids)
        return Error::badInput(
            QStringLiteral("the model is too small to quantize (fewer than %1 input rows)")
                .arg(kCentroids),
            trainingFile);
    if (control.isCanceled())
        return Error::canceled();

    // As `fasttext quantize -input F -output M -qnorm -retrain -cutoff 100000`, fastText's
    // recommended settings: without a cutoff every one of the (up to 2M) n-gram buckets is
    // k-means-quantized, which takes minutes and keeps rows no document uses; retraining
    // then repairs what the pruning cost. The retraining calls back, so it can be canceled.
    constexpr qint64 kCutoff = 100000;
    fasttext::Args quantizeArgs = m_fastText->getArgs();
    quantizeArgs.input = nativePath(trainingFile);
    quantizeArgs.qout = false;
    quantizeArgs.cutoff = m_fastText->getInputMatrix()->size(0) > kCutoff ? kCutoff : 0;
    quantizeArgs.retrain = quantizeArgs.cutoff > 0;
    quantizeArgs.dsub = 2;
    quantizeArgs.qnorm = true;
    quantizeArgs.verbose = 0;
    control.reportProgress(0, 1);
    std::atomic<bool> abortRequested { false };
    fasttext::FastText *fastText = m_fastText.get();
    const auto onProgress = [&](float progress, float, double, double, int64_t) {
        if (control.isCanceled()) {
            if (!abortRequested.exchange(true))
                fastText->abort();
            return;
        }
        control.reportProgress(qint64(std::clamp(progress, 0.0f, 1.0f) * 1000.0f), 1000);
    };
    try {
        m_fastText->quantize(quantizeArgs, onProgress);
    } catch (const std::exception &exception) {
        // fastText may have moved the dense matrix away already: the model cannot be trusted.
        const bool canceled = abortRequested;
        m_fastText.reset();
        m_dictionary = nullptr;
        m_includeLabel = -1;
        if (canceled)
            return Error::canceled();
        return libraryError(exception, QStringLiteral("quantizing (the model was discarded)"),
                            trainingFile);
    }
    m_dictionary = m_fastText->getDictionary().get();  // pruned by the cutoff
    control.reportProgress(1, 1);
    return Done {};
}

bool FastTextModel::isQuantized() const
{
    return m_fastText && m_fastText->isQuant();
}

double FastTextModel::scoreInclude(std::string_view cleanedText) const noexcept
{
    if (!m_fastText)
        return 0;
    try {
        // The same steps as FastText::predictLine (which `predict-prob` uses), minus its
        // label-name strings: only local state, so concurrent calls on one model are safe.
        LineStreamBuffer buffer(cleanedText);
        std::istream in(&buffer);
        std::vector<int32_t> words, labels;
        m_dictionary->getLine(in, words, labels);
        fasttext::Predictions predictions;  // (log(p + 1e-5), label index)
        m_fastText->predict(fasttext::Model::kUnlimitedPredictions, words, predictions, 0.0f);
        for (const auto &[logProbability, label] : predictions) {
            if (label == m_includeLabel)
                return std::exp(logProbability);  // float exp, as predictLine prints it
        }
    } catch (const std::bad_alloc &) {
        qFatal("pcstudio: out of memory while fastText scored a text of %zu bytes",
               cleanedText.size());
    } catch (const std::exception &exception) {
        // A trained model, or one that load() checked, gives fastText nothing to throw on.
        qFatal("pcstudio: fastText failed while scoring a checked model: %s", exception.what());
    }
    // Only when the line has no known word and no n-gram at all: fastText then predicts nothing
    // (the CLI prints an empty line), so include was not predicted.
    return 0;
}

QStringList FastTextModel::labels() const
{
    QStringList names;
    if (!m_dictionary)
        return names;
    for (int i = 0; i < m_dictionary->nlabels(); ++i)
        names << QString::fromStdString(m_dictionary->getLabel(i));
    return names;
}

FastTextParameters FastTextModel::parameters() const
{
    FastTextParameters parameters;
    if (!m_fastText)
        return parameters;
    const fasttext::Args args = m_fastText->getArgs();
    parameters.epoch = args.epoch;
    parameters.dim = args.dim;
    parameters.wordNgrams = args.wordNgrams;
    parameters.minCount = args.minCount;
    parameters.bucket = args.bucket;
    if (m_trained) {
        parameters.lr = args.lr;
        parameters.threads = args.thread;
        parameters.seed = args.seed;
    } else {
        // A model file does not store lr, threads or seed.
        parameters.lr = 0;
        parameters.threads = 0;
        parameters.seed = 0;
    }
    return parameters;
}

qint64 FastTextModel::vocabularySize() const
{
    return m_dictionary ? m_dictionary->nwords() : 0;
}

}  // namespace pcs
