#include "core/filter/fasttextmodelfile.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <istream>
#include <limits>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

// The layout, as fastText 0.9.2 reads it (all little-endian, as written on x86):
//   signature   int32 magic 793712314, int32 version (≤ 12; 11 means "no char n-grams" for
//               supervised models)
//   Args        int32 dim ws epoch minCount neg wordNgrams loss model bucket minn maxn
//               lrUpdateRate, then double t
//   Dictionary  int32 size nwords nlabels, int64 ntokens pruneidx_size, then `size` entries
//               (NUL-terminated text, int64 count, int8 type), then pruneidx_size pairs
//               (int32 bucket, int32 row among the kept n-gram rows) when it is > 0
//   input       one byte "quantized", then a matrix
//   output      one byte "qout", then a matrix, quantized only if the input is and qout is set
//   dense       int64 rows, int64 columns, rows × columns floats
//   quantized   one byte qnorm, int64 rows, int64 columns, int32 codesize, codesize code bytes,
//               a product quantizer, and with qnorm: rows norm-code bytes, a norm quantizer
//   quantizer   int32 dim nsubq dsub lastdsub, dim × 256 float centroids
//
// How fastText then indexes (why each check below is enough):
//   - a token's rows: its word id (< nwords), or nwords + hash % bucket for word and char
//     n-grams, mapped through pruneidx when the dictionary is pruned; so the input matrix must
//     have nwords + bucket rows (nwords + pruneidx_size when pruned), every pruneidx row must be
//     below pruneidx_size, and bucket must be positive when anything is hashed;
//   - entries below nwords are taken for words (getSubwords asserts its id < nwords), the rest
//     for labels: the types must be in that order;
//   - a quantized row t reads codes[nsubq·t + m] for m < nsubq and centroid floats up to
//     (nsubq − 1)·256·dsub + 256·lastdsub = 256·dim, in int32 arithmetic;
//   - hierarchical softmax builds a Huffman tree over the target counts (labels, or words for
//     word-vector models) with 1e15 standing for "no node yet", and walks it recursively: the
//     counts must be positive, below that, and in descending order (as fastText writes them), so
//     that the tree is sound and shallow;
//   - scoring averages input rows and takes dot products with output rows in float: with every
//     stored float within ±1e6, a quantized row (centroid × norm) stays within 1e12 and a dot
//     product of dim ≤ 2^20 terms within 2^20 · 1e12 · 1e12 ≈ 1e30, far from float overflow, so
//     no NaN can appear (fastText throws on NaN, and its sigmoid table would index with one).

namespace pcs {

namespace {

constexpr qint32 kMagic = 793712314;
constexpr qint32 kOldestVersion = 11;  // 11 and 12: the formats fastText 0.9 knows of
constexpr qint32 kNewestVersion = 12;  // what fastText 0.9 writes
constexpr qint32 kLossHierarchicalSoftmax = 1;
constexpr qint32 kModelSupervised = 3;

// Bounds that no trained model comes near, but that keep what fastText computes from them
// within its integer types and the machine.
constexpr qint64 kMaxDim = 1 << 20;
constexpr qint64 kMaxWindow = 10000;
constexpr qint64 kMaxEpoch = 100000;  // × kMaxCount fits int64 (tokens to train on, retraining)
constexpr qint64 kMaxNegatives = 10000;
constexpr qint64 kMaxWordNgrams = 100;  // scoring a line costs tokens × wordNgrams
constexpr qint64 kMaxCharNgram = 32;  // each entry stores up to maxn n-gram ids per byte
constexpr qint64 kMaxEntries = 30000000;  // fastText's own vocabulary table size
constexpr qint64 kMaxEntryBytes = 1 << 20;
constexpr qint64 kMaxCount = 10000000000000;  // 1e13 tokens: below the Huffman tree's 1e15
constexpr qint64 kMaxCountSum = qint64(1) << 62;  // the Huffman root's count fits int64
constexpr qint64 kMaxRows = std::numeric_limits<qint32>::max();  // fastText's row indices
constexpr float kMaxWeight = kMaxFastTextWeight;
constexpr qint64 kCentroidsPerSubquantizer = 256;
constexpr qint64 kFloatChunk = 1 << 16;

// An entry's text for an error message: quoted, and cut when long.
QString entryText(const std::string &text)
{
    constexpr std::size_t kShown = 40;
    const QString shown = QString::fromUtf8(text.data(), qsizetype(std::min(text.size(), kShown)));
    return QStringLiteral("\"%1%2\"")
        .arg(shown, text.size() > kShown ? QStringLiteral("…") : QString());
}

QString floatProblem(float value)
{
    if (std::isnan(value))
        return QStringLiteral("is NaN");
    if (std::isinf(value))
        return value > 0 ? QStringLiteral("is +infinity") : QStringLiteral("is -infinity");
    return QStringLiteral("is %1, beyond ±%2 (trained weights are of order 1; such values could "
                          "overflow when scoring)")
        .arg(double(value), 0, 'g', 6)
        .arg(double(kMaxWeight), 0, 'g', 6);
}

// Walks a model file from a stream buffer, keeping the first problem found. Every read checks
// the bytes left first, so no size in the file makes it allocate or loop beyond the file.
class ModelFileWalker {
public:
    ModelFileWalker(std::streambuf &buffer, qint64 size)
        : m_buffer(buffer)
        , m_size(size)
    {
    }

    // Empty when the file is sound.
    QString walk()
    {
        (void)(walkSignature() && walkArgs() && walkDictionary() && walkMatrices() && walkEnd());
        return m_problem;
    }

private:
    bool fail(const QString &problem)
    {
        if (m_problem.isEmpty())
            m_problem = problem;
        return false;
    }
    bool truncated(const QString &field)
    {
        return fail(
            QStringLiteral("%1: the file ends at byte %2 (truncated?)").arg(field).arg(m_size));
    }
    bool unreadable()
    {
        return fail(QStringLiteral("cannot read the file at byte %1").arg(m_offset));
    }
    qint64 left() const { return m_size - m_offset; }

    template<typename T> bool read(T &value, const QString &field)
    {
        if (left() < qint64(sizeof value))
            return truncated(field);
        if (m_buffer.sgetn(reinterpret_cast<char *>(&value), sizeof value)
            != std::streamsize(sizeof value))
            return unreadable();
        m_offset += qint64(sizeof value);
        return true;
    }
    // fastText writes a bool as one byte; any other value than 0 or 1 is no bool.
    bool readFlag(bool &flag, const QString &field)
    {
        quint8 byte = 0;
        if (!read(byte, field))
            return false;
        if (byte > 1)
            return fail(QStringLiteral("%1: byte %2 is neither 0 nor 1").arg(field).arg(byte));
        flag = byte == 1;
        return true;
    }
    bool inRange(qint64 value, qint64 low, qint64 high, const QString &field)
    {
        if (value >= low && value <= high)
            return true;
        return fail(
            QStringLiteral("%1 %2 is outside [%3, %4]").arg(field).arg(value).arg(low).arg(high));
    }
    bool skip(qint64 bytes, const QString &field)
    {
        if (bytes > left())
            return truncated(field);
        std::vector<char> scratch(std::size_t(std::min<qint64>(bytes, 1 << 16)));
        for (qint64 done = 0; done < bytes;) {
            const qint64 step = std::min<qint64>(bytes - done, qint64(scratch.size()));
            if (m_buffer.sgetn(scratch.data(), std::streamsize(step)) != std::streamsize(step))
                return unreadable();
            done += step;
            m_offset += step;
        }
        return true;
    }
    bool readText(std::string &text, const QString &field)
    {
        text.clear();
        for (;;) {
            if (left() == 0)
                return truncated(field);
            const int c = m_buffer.sbumpc();
            if (c == std::char_traits<char>::eof())
                return unreadable();
            ++m_offset;
            if (c == 0)
                return true;
            if (qint64(text.size()) == kMaxEntryBytes)
                return fail(QStringLiteral("%1: text longer than %2 bytes (no NUL)")
                                .arg(field)
                                .arg(kMaxEntryBytes));
            text.push_back(char(c));
        }
    }
    // Reads `count` floats, each finite and within ±kMaxWeight; `where(i)` names the i-th.
    bool readWeights(qint64 count, const QString &field,
                     const std::function<QString(qint64)> &where)
    {
        if (count > left() / qint64(sizeof(float)))
            return truncated(field);
        std::vector<float> chunk(std::size_t(std::min(count, kFloatChunk)));
        for (qint64 done = 0; done < count;) {
            const qint64 step = std::min(count - done, kFloatChunk);
            const auto bytes = std::streamsize(step * qint64(sizeof(float)));
            if (m_buffer.sgetn(reinterpret_cast<char *>(chunk.data()), bytes) != bytes)
                return unreadable();
            m_offset += bytes;
            bool sound = true;
            for (qint64 i = 0; i < step; ++i)
                sound &= std::fabs(chunk[std::size_t(i)]) <= kMaxWeight;  // false for NaN
            if (!sound) {
                for (qint64 i = 0; i < step; ++i) {
                    const float value = chunk[std::size_t(i)];
                    if (!(std::fabs(value) <= kMaxWeight))
                        return fail(
                            QStringLiteral("%1 %2").arg(where(done + i), floatProblem(value)));
                }
            }
            done += step;
        }
        return true;
    }

    bool walkSignature();
    bool walkArgs();
    bool walkDictionary();
    bool walkPruneIndex();
    bool walkMatrices();
    bool walkDenseMatrix(const QString &name, qint64 expectedRows, const QString &rowsWhy);
    bool walkQuantizedMatrix(const QString &name, qint64 expectedRows, const QString &rowsWhy);
    bool walkQuantizer(const QString &name, qint64 expectedDim, bool isNormQuantizer,
                       qint32 &subquantizers);
    bool walkEnd();

    std::streambuf &m_buffer;
    const qint64 m_size;
    qint64 m_offset = 0;
    QString m_problem;

    // What later parts are checked against.
    qint32 m_version = 0;
    qint32 m_dim = 0, m_wordNgrams = 0, m_loss = 0, m_model = 0, m_bucket = 0;
    qint32 m_minn = 0, m_maxn = 0;
    qint32 m_nwords = 0, m_nlabels = 0;
    qint64 m_pruneIndexSize = -1;
};

bool ModelFileWalker::walkSignature()
{
    qint32 magic = 0;
    if (left() < qint64(sizeof magic))
        return fail(QStringLiteral("not a fastText model file (shorter than its signature)"));
    if (!read(magic, QStringLiteral("signature")))
        return false;
    if (magic != kMagic)
        return fail(QStringLiteral("not a fastText model file (no fastText signature)"));
    if (!read(m_version, QStringLiteral("signature: version")))
        return false;
    if (m_version < kOldestVersion || m_version > kNewestVersion)
        return fail(QStringLiteral("signature: format version %1; fastText 0.9 reads %2 and %3")
                        .arg(m_version)
                        .arg(kOldestVersion)
                        .arg(kNewestVersion));
    return true;
}

bool ModelFileWalker::walkArgs()
{
    constexpr qint64 kInt32Max = std::numeric_limits<qint32>::max();
    qint32 ws = 0, epoch = 0, minCount = 0, negatives = 0, lrUpdateRate = 0;
    const struct {
        const char *name;
        qint32 *value;
        qint64 low, high;
    } fields[] = {
        { "dim", &m_dim, 1, kMaxDim },
        { "ws", &ws, 1, kMaxWindow },
        { "epoch", &epoch, 1, kMaxEpoch },
        { "minCount", &minCount, 0, kInt32Max },
        { "neg", &negatives, 0, kMaxNegatives },
        { "wordNgrams", &m_wordNgrams, 1, kMaxWordNgrams },
        { "loss", &m_loss, 1, 4 },  // hs, ns, softmax, ova
        { "model", &m_model, 1, 3 },  // cbow, skipgram, supervised
        { "bucket", &m_bucket, 0, kInt32Max },
        { "minn", &m_minn, 0, kMaxCharNgram },
        { "maxn", &m_maxn, 0, kMaxCharNgram },
        { "lrUpdateRate", &lrUpdateRate, 1, kInt32Max },
    };
    for (const auto &field : fields) {
        const QString name = QStringLiteral("args: %1").arg(QLatin1String(field.name));
        if (!read(*field.value, name) || !inRange(*field.value, field.low, field.high, name))
            return false;
    }
    double samplingThreshold = 0;
    if (!read(samplingThreshold, QStringLiteral("args: t")))
        return false;
    if (!(samplingThreshold >= 0 && samplingThreshold <= 1))  // also refuses NaN
        return fail(QStringLiteral("args: t (sampling threshold) %1 is outside [0, 1]")
                        .arg(samplingThreshold));

    // fastText 0.9 ignores maxn in supervised models of format 11 (they had no char n-grams).
    if (m_version == 11 && m_model == kModelSupervised)
        m_maxn = 0;
    if (m_maxn > 0 && m_minn > m_maxn)
        return fail(QStringLiteral("args: minn %1 exceeds maxn %2").arg(m_minn).arg(m_maxn));
    // Word n-grams and char n-grams are hashed modulo bucket; fastText itself sets bucket 0 only
    // when there are neither.
    if (m_bucket == 0 && (m_wordNgrams > 1 || m_maxn > 0))
        return fail(QStringLiteral("args: bucket 0, but wordNgrams %1 and maxn %2 hash n-grams "
                                   "into buckets (fastText would divide by zero)")
                        .arg(m_wordNgrams)
                        .arg(m_maxn));
    return true;
}

bool ModelFileWalker::walkDictionary()
{
    qint32 size = 0;
    qint64 tokens = 0;
    if (!read(size, QStringLiteral("dictionary: size"))
        || !read(m_nwords, QStringLiteral("dictionary: nwords"))
        || !read(m_nlabels, QStringLiteral("dictionary: nlabels"))
        || !read(tokens, QStringLiteral("dictionary: ntokens"))
        || !read(m_pruneIndexSize, QStringLiteral("dictionary: pruneidx_size")))
        return false;
    if (!inRange(size, 1, kMaxEntries, QStringLiteral("dictionary: size"))
        || !inRange(m_nwords, 0, size, QStringLiteral("dictionary: nwords"))
        || !inRange(m_nlabels, 0, size, QStringLiteral("dictionary: nlabels"))
        || !inRange(tokens, 0, kMaxCount, QStringLiteral("dictionary: ntokens")))
        return false;
    if (qint64(m_nwords) + m_nlabels != size)
        return fail(QStringLiteral("dictionary: size %1 is not nwords %2 + nlabels %3")
                        .arg(size)
                        .arg(m_nwords)
                        .arg(m_nlabels));
    const bool supervised = m_model == kModelSupervised;
    if (supervised && m_nlabels == 0)
        return fail(
            QStringLiteral("dictionary: nlabels 0, but a supervised model predicts labels"));
    if (!supervised && m_nwords == 0)
        return fail(QStringLiteral("dictionary: nwords 0, but a word-vector model predicts words"));
    if (m_pruneIndexSize < -1 || m_pruneIndexSize > kMaxRows)
        return fail(QStringLiteral("dictionary: pruneidx_size %1 is outside [-1, %2]")
                        .arg(m_pruneIndexSize)
                        .arg(kMaxRows));
    const qint64 hashedRows = m_pruneIndexSize >= 0 ? m_pruneIndexSize : m_bucket;
    if (m_nwords + hashedRows > kMaxRows)
        return fail(QStringLiteral("dictionary: nwords %1 + %2 %3 exceed fastText's %4 rows")
                        .arg(m_nwords)
                        .arg(m_pruneIndexSize >= 0 ? QStringLiteral("pruneidx_size")
                                                   : QStringLiteral("bucket"))
                        .arg(hashedRows)
                        .arg(kMaxRows));

    // The targets (what the output matrix has a row for): labels, or words for word vectors.
    const bool hierarchicalSoftmax = m_loss == kLossHierarchicalSoftmax;
    qint64 previousTargetCount = kMaxCount;
    qint64 targetCountSum = 0;
    std::string text;
    for (qint64 i = 0; i < size; ++i) {
        const QString entry = QStringLiteral("dictionary: entry %1").arg(i);
        qint64 count = 0;
        qint8 type = 0;
        if (!readText(text, entry) || !read(count, entry) || !read(type, entry))
            return false;
        const bool isWord = i < m_nwords;
        if (type != 0 && type != 1)
            return fail(QStringLiteral("%1 %2: type %3 is neither word (0) nor label (1)")
                            .arg(entry, entryText(text))
                            .arg(type));
        if (type != (isWord ? 0 : 1))
            return fail(QStringLiteral("%1 %2: type %3 (%4) out of order: entries 0 to %5 must be "
                                       "words (type 0), the %6 after them labels (type 1)")
                            .arg(entry, entryText(text))
                            .arg(type)
                            .arg(type == 0 ? QStringLiteral("word") : QStringLiteral("label"))
                            .arg(m_nwords - 1)
                            .arg(m_nlabels));
        const bool isTarget = isWord != supervised;
        if (!inRange(count, isTarget ? 1 : 0, kMaxCount,
                     QStringLiteral("%1 %2: count").arg(entry, entryText(text))))
            return false;
        if (!isTarget)
            continue;
        if (hierarchicalSoftmax && count > previousTargetCount)
            return fail(QStringLiteral("%1 %2: count %3 after %4: hierarchical softmax needs the "
                                       "%5 in descending order of count, as fastText writes them")
                            .arg(entry, entryText(text))
                            .arg(count)
                            .arg(previousTargetCount)
                            .arg(supervised ? QStringLiteral("labels") : QStringLiteral("words")));
        previousTargetCount = count;
        targetCountSum += count;  // ≤ 2^62 + 1e13: no overflow
        if (targetCountSum > kMaxCountSum)
            return fail(QStringLiteral("%1 %2: the counts add up to more than 2^62")
                            .arg(entry, entryText(text)));
    }
    return walkPruneIndex();
}

// The n-gram rows a pruned (quantized with -cutoff) dictionary kept: bucket → row, one to one.
bool ModelFileWalker::walkPruneIndex()
{
    if (m_pruneIndexSize <= 0)
        return true;
    constexpr qint64 kPairBytes = 2 * sizeof(qint32);
    if (m_pruneIndexSize > left() / kPairBytes)
        return truncated(QStringLiteral("dictionary: pruneidx"));
    std::vector<std::pair<qint32, qint64>> keys;  // (bucket, pair index)
    keys.reserve(std::size_t(m_pruneIndexSize));
    std::vector<bool> rowTaken(std::size_t(m_pruneIndexSize), false);
    for (qint64 i = 0; i < m_pruneIndexSize; ++i) {
        const QString pair = QStringLiteral("dictionary: pruneidx pair %1").arg(i);
        qint32 key = 0, value = 0;
        if (!read(key, pair) || !read(value, pair))
            return false;
        if (key < 0 || key >= m_bucket)
            return fail(QStringLiteral("%1: key %2 is outside the buckets [0, %3)")
                            .arg(pair)
                            .arg(key)
                            .arg(m_bucket));
        if (value < 0 || value >= m_pruneIndexSize)
            return fail(QStringLiteral("%1: value %2 is outside [0, pruneidx_size %3)")
                            .arg(pair)
                            .arg(value)
                            .arg(m_pruneIndexSize));
        if (rowTaken[std::size_t(value)])
            return fail(QStringLiteral("%1: value %2 appears twice").arg(pair).arg(value));
        rowTaken[std::size_t(value)] = true;
        keys.emplace_back(key, i);
    }
    std::sort(keys.begin(), keys.end());
    const auto twice = std::adjacent_find(
        keys.begin(), keys.end(), [](const auto &a, const auto &b) { return a.first == b.first; });
    if (twice != keys.end())
        return fail(QStringLiteral("dictionary: pruneidx pair %1: key %2 appears twice")
                        .arg(std::next(twice)->second)
                        .arg(twice->first));
    return true;
}

bool ModelFileWalker::walkMatrices()
{
    const bool pruned = m_pruneIndexSize >= 0;
    const qint64 inputRows = m_nwords + (pruned ? m_pruneIndexSize : m_bucket);
    const QString inputWhy
        = QStringLiteral("nwords %1 + %2 %3")
              .arg(m_nwords)
              .arg(pruned ? QStringLiteral("pruneidx_size") : QStringLiteral("bucket"))
              .arg(pruned ? m_pruneIndexSize : m_bucket);
    const bool supervised = m_model == kModelSupervised;
    const qint64 outputRows = supervised ? m_nlabels : m_nwords;
    const QString outputWhy = supervised ? QStringLiteral("nlabels %1").arg(m_nlabels)
                                         : QStringLiteral("nwords %1").arg(m_nwords);

    bool quantizedInput = false, quantizedOutput = false;
    if (!readFlag(quantizedInput, QStringLiteral("input matrix: quantized flag")))
        return false;
    if (!quantizedInput && pruned)
        return fail(QStringLiteral("input matrix: dense, but the dictionary is pruned "
                                   "(pruneidx_size %1), which only quantized models are")
                        .arg(m_pruneIndexSize));
    const QString input = QStringLiteral("input matrix");
    if (quantizedInput ? !walkQuantizedMatrix(input, inputRows, inputWhy)
                       : !walkDenseMatrix(input, inputRows, inputWhy))
        return false;
    if (!readFlag(quantizedOutput, QStringLiteral("output matrix: qout flag")))
        return false;
    const QString output = QStringLiteral("output matrix");
    return quantizedInput && quantizedOutput ? walkQuantizedMatrix(output, outputRows, outputWhy)
                                             : walkDenseMatrix(output, outputRows, outputWhy);
}

bool ModelFileWalker::walkDenseMatrix(const QString &name, qint64 expectedRows,
                                      const QString &rowsWhy)
{
    qint64 rows = 0, columns = 0;
    if (!read(rows, name + QStringLiteral(": rows"))
        || !read(columns, name + QStringLiteral(": columns")))
        return false;
    if (columns != m_dim)
        return fail(
            QStringLiteral("%1: %2 columns, but args dim is %3").arg(name).arg(columns).arg(m_dim));
    if (rows != expectedRows)
        return fail(QStringLiteral("%1: %2 rows, expected %3 (%4)")
                        .arg(name)
                        .arg(rows)
                        .arg(expectedRows)
                        .arg(rowsWhy));
    return readWeights(rows * columns, name + QStringLiteral(": weights"), [&](qint64 index) {
        return QStringLiteral("%1 row %2 column %3")
            .arg(name)
            .arg(index / columns)
            .arg(index % columns);
    });
}

bool ModelFileWalker::walkQuantizedMatrix(const QString &name, qint64 expectedRows,
                                          const QString &rowsWhy)
{
    bool normalized = false;
    qint64 rows = 0, columns = 0;
    qint32 codeSize = 0;
    if (!readFlag(normalized, name + QStringLiteral(": qnorm flag"))
        || !read(rows, name + QStringLiteral(": rows"))
        || !read(columns, name + QStringLiteral(": columns")))
        return false;
    if (columns != m_dim)
        return fail(
            QStringLiteral("%1: %2 columns, but args dim is %3").arg(name).arg(columns).arg(m_dim));
    if (rows != expectedRows)
        return fail(QStringLiteral("%1: %2 rows, expected %3 (%4)")
                        .arg(name)
                        .arg(rows)
                        .arg(expectedRows)
                        .arg(rowsWhy));
    if (!read(codeSize, name + QStringLiteral(": codesize")))
        return false;
    // One code byte per row and subquantizer, and there are 1 to dim subquantizers: checked
    // before skipping the codes, so that a wrong codesize is named as such.
    const bool plausibleCodeSize = rows == 0
        ? codeSize == 0
        : codeSize >= rows && codeSize % rows == 0 && codeSize / rows <= m_dim;
    if (!plausibleCodeSize)
        return fail(QStringLiteral("%1: codesize %2 is not rows %3 × a subquantizer count in "
                                   "[1, dim %4]")
                        .arg(name)
                        .arg(codeSize)
                        .arg(rows)
                        .arg(m_dim));
    qint32 subquantizers = 0;
    if (!skip(codeSize, name + QStringLiteral(": codes"))
        || !walkQuantizer(name + QStringLiteral(": product quantizer"), m_dim, false,
                          subquantizers))
        return false;
    if (rows * subquantizers != codeSize)
        return fail(QStringLiteral("%1: codesize %2 is not rows %3 × nsubq %4")
                        .arg(name)
                        .arg(codeSize)
                        .arg(rows)
                        .arg(subquantizers));
    if (!normalized)
        return true;
    qint32 normSubquantizers = 0;
    return skip(rows, name + QStringLiteral(": norm codes"))
        && walkQuantizer(name + QStringLiteral(": norm quantizer"), 1, true, normSubquantizers);
}

bool ModelFileWalker::walkQuantizer(const QString &name, qint64 expectedDim, bool isNormQuantizer,
                                    qint32 &subquantizers)
{
    qint32 dim = 0, subDim = 0, lastSubDim = 0;
    if (!read(dim, name + QStringLiteral(": dim"))
        || !read(subquantizers, name + QStringLiteral(": nsubq"))
        || !read(subDim, name + QStringLiteral(": dsub"))
        || !read(lastSubDim, name + QStringLiteral(": lastdsub")))
        return false;
    if (dim != expectedDim)
        return fail(QStringLiteral("%1: dim %2, expected %3").arg(name).arg(dim).arg(expectedDim));
    if (subquantizers < 1)
        return fail(QStringLiteral("%1: nsubq %2 is below 1").arg(name).arg(subquantizers));
    if (subDim < 1)
        return fail(QStringLiteral("%1: dsub %2 is below 1").arg(name).arg(subDim));
    if (isNormQuantizer && subDim != 1)
        return fail(QStringLiteral("%1: dsub %2, expected 1").arg(name).arg(subDim));
    if (lastSubDim < 1)
        return fail(QStringLiteral("%1: lastdsub %2 is below 1").arg(name).arg(lastSubDim));
    if (lastSubDim > subDim)
        return fail(QStringLiteral("%1: lastdsub %2 exceeds dsub %3")
                        .arg(name)
                        .arg(lastSubDim)
                        .arg(subDim));
    // The subquantizers cover the dimensions exactly: all but the last dsub wide.
    const qint64 covered = (qint64(subquantizers) - 1) * subDim + lastSubDim;
    if (covered != dim)
        return fail(QStringLiteral("%1: (nsubq %2 − 1) × dsub %3 + lastdsub %4 = %5, not dim %6")
                        .arg(name)
                        .arg(subquantizers)
                        .arg(subDim)
                        .arg(lastSubDim)
                        .arg(covered)
                        .arg(dim));
    return readWeights(
        qint64(dim) * kCentroidsPerSubquantizer, name + QStringLiteral(": centroids"),
        [&](qint64 index) { return QStringLiteral("%1: centroid value %2").arg(name).arg(index); });
}

bool ModelFileWalker::walkEnd()
{
    if (left() == 0)
        return true;
    return fail(
        QStringLiteral("%1 byte(s) after the output matrix, where the model ends").arg(left()));
}

}  // namespace

Status checkFastTextModelFile(std::istream &in, const QString &file)
{
    std::streambuf *buffer = in.rdbuf();
    using Position = std::streambuf::pos_type;
    const Position failed = Position(std::streambuf::off_type(-1));
    const Position start = buffer ? buffer->pubseekoff(0, std::ios::cur, std::ios::in) : failed;
    const Position end = buffer ? buffer->pubseekoff(0, std::ios::end, std::ios::in) : failed;
    if (start == failed || end == failed || buffer->pubseekpos(start, std::ios::in) != start)
        return Error::badInput(QStringLiteral("cannot read it as a file (not seekable)"), file);
    ModelFileWalker walker(*buffer, qint64(end - start));
    if (const QString problem = walker.walk(); !problem.isEmpty())
        return Error::badInput(problem, file);
    return Done {};
}

Status checkFastTextModelFile(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error::badInput(QStringLiteral("no such model file"), path);
    if (!info.isFile())
        return Error::badInput(QStringLiteral("not a model file (a folder?)"), path);
    std::ifstream in(QFile::encodeName(path).toStdString(), std::ios::binary);
    if (!in.is_open())
        return Error::badInput(
            QStringLiteral("cannot open it: %1")
                .arg(QString::fromStdString(std::generic_category().message(errno))),
            path);
    return checkFastTextModelFile(in, path);
}

}  // namespace pcs
