#include "core/selection/streamestimate.h"

#include "core/common/parallel.h"
#include "core/io/bpbblocksource.h"
#include "core/io/sha256.h"
#include "core/io/textutil.h"

#include <QElapsedTimer>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace pcs {

using io::BpbBlockSource;

namespace {

// Blocks are small: the three in flight are fresh memory, and first touches are slow. The
// pieces of a block, not its size, decide how well the threads share the work.
constexpr qint64 kDefaultBlockBytes = qint64(8) << 20;

// Piece buffers kept across blocks (parallelFor starts new threads for each block).
class BufferPool {
public:
    std::unique_ptr<std::vector<double>> take()
    {
        const std::lock_guard lock(m_mutex);
        if (m_free.empty())
            return std::make_unique<std::vector<double>>();
        auto buffer = std::move(m_free.back());
        m_free.pop_back();
        return buffer;
    }
    void give(std::unique_ptr<std::vector<double>> buffer)
    {
        const std::lock_guard lock(m_mutex);
        m_free.push_back(std::move(buffer));
    }

private:
    std::mutex m_mutex;
    std::vector<std::unique_ptr<std::vector<double>>> m_free;
};

// What one pass learns about the values of a text range, besides the estimate. Every part
// merges by sums and minima, so pieces of a block scanned on any thread, in any order, give
// the same facts.
struct ValueScan {
    explicit ValueScan(qint64 rows)
        : missing(std::size_t(rows), 0)
        , firstMissing(std::size_t(rows), -1)
        , hash(std::size_t(rows), 0)
    {
    }
    std::vector<qint64> missing;
    std::vector<qint64> firstMissing;  // global text index
    // By row: Σ_j bits(v_j) · K_j mod 2^64, K_j odd and different for each text j. Identical
    // rows have identical sums; a sum is only a candidate for BpbRowFacts::identical, which
    // decides. (A sum, not a chain, so that pieces of a row can be hashed in parallel.)
    std::vector<quint64> hash;
    qint64 negatives = 0;
    qint64 negativeText = -1, negativeRow = -1;  // the first in text-major order
    qint64 infiniteText = -1, infiniteRow = -1;

    static bool earlier(qint64 text, qint64 row, qint64 otherText, qint64 otherRow)
    {
        return otherText < 0 || text < otherText || (text == otherText && row < otherRow);
    }
    // Adds a piece's facts (the caller serialises merges).
    void merge(const ValueScan &piece)
    {
        for (std::size_t r = 0; r < missing.size(); ++r) {
            missing[r] += piece.missing[r];
            hash[r] += piece.hash[r];
            if (piece.firstMissing[r] >= 0
                && (firstMissing[r] < 0 || piece.firstMissing[r] < firstMissing[r]))
                firstMissing[r] = piece.firstMissing[r];
        }
        if (piece.negatives > 0
            && earlier(piece.negativeText, piece.negativeRow, negativeText, negativeRow)) {
            negativeText = piece.negativeText;
            negativeRow = piece.negativeRow;
        }
        negatives += piece.negatives;
        if (piece.infiniteText >= 0
            && earlier(piece.infiniteText, piece.infiniteRow, infiniteText, infiniteRow)) {
            infiniteText = piece.infiniteText;
            infiniteRow = piece.infiniteRow;
        }
    }
};

quint64 textHashFactor(qint64 text)
{
    return (quint64(text) * 2 + 1) * 0x9E3779B97F4A7C15ull;  // odd
}

// Scans `count` decoded columns (N doubles each) of texts firstText... into `scan`.
void scanColumns(const double *columns, qint64 rows, qint64 count, qint64 firstText,
                 ValueScan &scan)
{
    quint64 *hash = scan.hash.data();
    for (qint64 j = 0; j < count; ++j) {
        const double *column = columns + j * rows;
        const quint64 factor = textHashFactor(firstText + j);
        bool unusual = false;
        for (qint64 r = 0; r < rows; ++r) {
            const double v = column[r];
            unusual |= !(v >= 0 && v <= std::numeric_limits<double>::max());
            const double normal = v == 0.0 ? 0.0 : v;  // -0 is 0
            quint64 bits = 0;
            std::memcpy(&bits, &normal, sizeof bits);
            hash[r] += bits * factor;
        }
        if (!unusual) [[likely]]
            continue;
        for (qint64 r = 0; r < rows; ++r) {
            const double v = column[r];
            if (std::isnan(v)) {
                if (scan.missing[std::size_t(r)]++ == 0)
                    scan.firstMissing[std::size_t(r)] = firstText + j;
            } else if (std::isinf(v) && scan.infiniteText < 0) {
                scan.infiniteText = firstText + j;
                scan.infiniteRow = r;
            }
            if (v < 0 && scan.negatives++ == 0) {
                scan.negativeText = firstText + j;
                scan.negativeRow = r;
            }
        }
    }
}

// What a pass does with each block besides scanning it.
struct PassPlan {
    qint64 first = 0, end = 0, blockTexts = 0, pieceTexts = 0;
    const ColumnEstimator *estimator = nullptr;  // estimate with the aligned rows and errors
    bool speculative = false;  // an estimate error marks the guess wrong instead of failing
    ValueScan *scan = nullptr;
    io::Sha256 *inOrderHash = nullptr;  // fed with every block's raw bytes, in order
    BufferPool *buffers = nullptr;
    int threads = 0;
};

struct PassResult {
    bool estimateFailed = false;
    qint64 badText = -1;  // the first text estimate() would fail on (not speculative)
    Error badTextError;
};

// Decodes, scans and estimates one raw block in pieces small enough to stay in cache, the
// pieces spread over the threads. Each value is decoded once and read while still in cache.
void processBlock(const BpbBlockSource &source, const PassPlan &plan, const io::RawBlock &raw,
                  qint64 first, qint64 end, Eigen::VectorXd *values, PassResult &result)
{
    const qint64 rows = source.llmCount();
    const qint64 count = end - first;
    // About 256 KB of doubles: the piece stays in L2 from decoding to estimating.
    const qint64 pieceTexts
        = plan.pieceTexts > 0 ? plan.pieceTexts : std::max<qint64>(16, (qint64(1) << 15) / rows);
    const bool direct = source.rawIsColumnMajorDoubles();
    std::mutex mutex;
    parallelFor(count, pieceTexts, plan.threads, TaskControl::none(), [&](qint64 c0, qint64 c1) {
        std::unique_ptr<std::vector<double>> buffer;
        const double *columns = nullptr;
        if (direct) {
            // The raw block is already N doubles per text (operator new aligns them).
            columns = reinterpret_cast<const double *>(raw.data()) + c0 * rows;
        } else {
            buffer = plan.buffers->take();
            buffer->resize(std::size_t((c1 - c0) * rows));
            source.decodeColumns(raw, count, c0, c1, buffer->data());
            columns = buffer->data();
        }
        std::optional<ValueScan> piece;
        if (plan.scan) {
            piece.emplace(rows);
            scanColumns(columns, rows, c1 - c0, first + c0, *piece);
        }
        qint64 bad = -1;
        std::optional<Error> badError;
        if (plan.estimator) {
            double *out = values->data() + (first - plan.first) + c0;
            const Eigen::Index at = plan.estimator->run(columns, rows, c1 - c0, out);
            if (at >= 0) {
                bad = first + c0 + at;
                if (!plan.speculative)
                    badError = plan.estimator->columnError(columns + at * rows, bad);
            }
        }
        if (buffer)
            plan.buffers->give(std::move(buffer));
        const std::lock_guard lock(mutex);
        if (piece)
            plan.scan->merge(*piece);
        if (bad >= 0) {
            result.estimateFailed = true;
            if (badError && (result.badText < 0 || bad < result.badText)) {
                result.badText = bad;
                result.badTextError = *badError;
            }
        }
    });
}

// Reads blocks on a thread of its own (at most two ahead) while this thread decodes, scans and
// estimates the previous one.
Status runPass(const BpbBlockSource &source, const PassPlan &plan, Eigen::VectorXd *values,
               PassResult &result, const TaskControl &control)
{
    struct Slot {
        io::RawBlock raw;
        qint64 first = 0, end = 0;
    };
    constexpr int kSlots = 3;
    Slot buffers[kSlots];
    std::deque<int> filled, free { 0, 1, 2 };
    std::mutex mutex;
    std::condition_variable changed;
    bool stop = false, readerDone = false;
    Status readerStatus = Done {};

    std::thread reader([&] {
        for (qint64 first = plan.first; first < plan.end; first += plan.blockTexts) {
            int slot = -1;
            {
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] { return stop || !free.empty(); });
                if (stop)
                    break;
                slot = free.front();
                free.pop_front();
            }
            Slot &s = buffers[slot];
            s.first = first;
            s.end = std::min(plan.end, first + plan.blockTexts);
            Status read = source.readRaw(s.first, s.end, s.raw);
            if (read && plan.inOrderHash)
                plan.inOrderHash->add({ s.raw.data(), s.raw.size() });
            const std::lock_guard lock(mutex);
            if (!read) {
                readerStatus = read;
                break;
            }
            filled.push_back(slot);
            changed.notify_all();
        }
        const std::lock_guard lock(mutex);
        readerDone = true;
        changed.notify_all();
    });
    const auto finish = [&](Status status) {
        {
            const std::lock_guard lock(mutex);
            stop = true;
            changed.notify_all();
        }
        reader.join();
        return status;
    };

    const qint64 bytesPerText = source.llmCount() * source.itemSize();
    BufferPool pieceBuffers;
    for (;;) {
        int slot = -1;
        {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return !filled.empty() || readerDone; });
            if (filled.empty()) {
                if (!readerStatus)
                    return finish(readerStatus);
                break;
            }
            slot = filled.front();
            filled.pop_front();
        }
        if (control.isCanceled())
            return finish(Error::canceled());
        const qint64 first = buffers[slot].first, end = buffers[slot].end;
        PassPlan blockPlan = plan;
        blockPlan.buffers = &pieceBuffers;
        if (result.estimateFailed)
            blockPlan.estimator = nullptr;  // the guess is wrong, or an error is certain
        processBlock(source, blockPlan, buffers[slot].raw, first, end, values, result);
        {
            const std::lock_guard lock(mutex);
            free.push_back(slot);
            changed.notify_all();
        }
        if (plan.scan && plan.scan->infiniteText >= 0)
            return finish(Done {});  // the caller reports it, as the loader would
        if (result.badText >= 0)
            return finish(result.badTextError);
        control.reportProgress((end - plan.first) * bytesPerText,
                               (plan.end - plan.first) * bytesPerText);
    }
    return finish(Done {});
}

QString valueLocation(const BpbBlockSource &source, qint64 row, qint64 text)
{
    return QStringLiteral("LLM %1 (row %2), text %3 (column %4)")
        .arg(io::quoteForMessage(source.llms()[row]))
        .arg(row + 1)
        .arg(io::quoteForMessage(source.texts().utf8(text)))
        .arg(text + 1);
}

bool sameValue(double a, double b)
{
    return a == b || (std::isnan(a) && std::isnan(b));
}

// Compares two rows over the range by reading it again (only for rows whose hashes agree).
bool identicalRows(const BpbBlockSource &source, qint64 first, qint64 end, qint64 blockTexts,
                   Eigen::Index a, Eigen::Index b, int threads, Status &status)
{
    io::RawBlock raw;
    Eigen::MatrixXd block;
    for (qint64 from = first; from < end; from += blockTexts) {
        const qint64 to = std::min(end, from + blockTexts);
        if (Status read = source.readRaw(from, to, raw); !read) {
            status = read;
            return false;
        }
        source.decode(raw, to - from, block, threads);
        for (Eigen::Index j = 0; j < block.cols(); ++j)
            if (!sameValue(block(a, j), block(b, j)))
                return false;
    }
    return true;
}

bool bitwiseEqual(const Eigen::VectorXd &a, const Eigen::VectorXd &b)
{
    return a.size() == b.size()
        && std::memcmp(a.data(), b.data(), std::size_t(a.size()) * sizeof(double)) == 0;
}

}  // namespace

Result<StreamEstimate> streamEstimate(const QString &bpbPath, const BpbLoadOptions &bpbOptions,
                                      const BenchmarkErrors &errors, const QString &errorsPath,
                                      const StreamEstimateOptions &options,
                                      const TaskControl &control)
{
    QElapsedTimer openTimer;
    openTimer.start();
    auto opened = io::openBpbBlockSource(bpbPath, bpbOptions, options.hash, control);
    if (!opened)
        return opened.error();
    const BpbBlockSource &source = **opened;
    const double openSeconds = double(openTimer.nsecsElapsed()) * 1e-9;
    const qint64 textCount = source.textCount();
    // A shard estimates its own texts, aligned as the whole matrix is (textshards.h).
    const TextRange shardRange
        = options.shard ? shardTextRange(textCount, *options.shard) : TextRange {};
    const qint64 first = options.shard ? shardRange.first : options.firstText;
    const qint64 end = options.shard ? shardRange.end
        : options.endText < 0        ? textCount
                                     : options.endText;
    if (first < 0 || (first >= end && !options.shard) || end > textCount)
        return Error::badInput(QStringLiteral("the text range [%1, %2) is not inside the "
                                              "matrix's %3 texts")
                                   .arg(first)
                                   .arg(end)
                                   .arg(textCount),
                               bpbPath);
    const int threads = resolveThreadCount(options.estimate.threads);
    const qint64 blockBytes = options.blockBytes > 0 ? options.blockBytes : kDefaultBlockBytes;
    const qint64 blockTexts
        = std::max<qint64>(1, blockBytes / (source.llmCount() * source.itemSize()));

    // The matrix's hash: from the reads when they are the file in order, else read alongside.
    StreamEstimate result;
    // The row facts the alignment needs: of the range, or for a shard of the whole matrix (a
    // pass that only scans, then one that estimates the shard's texts).
    const bool scanWhole = options.shard && (first != 0 || end != textCount);
    const qint64 scanFirst = scanWhole ? 0 : first;
    const qint64 scanEnd = scanWhole ? textCount : end;
    const bool hashInPass
        = options.hash && source.readsInFileOrder() && scanFirst == 0 && scanEnd == textCount;
    io::Sha256 inOrderHash;
    if (hashInPass) {
        std::string prefix;
        if (Status read = source.readPrefix(prefix); !read)
            return read.error();
        inOrderHash.add(prefix);
    }
    Result<QString> concurrentHash = QString();
    std::thread hasher;
    if (options.hash && !hashInPass && source.fileSha256().isEmpty())
        hasher = std::thread([&] { concurrentHash = io::sha256OfFile(bpbPath); });
    struct JoinHasher {
        std::thread &thread;
        ~JoinHasher()
        {
            if (thread.joinable())
                thread.join();
        }
    } joinHasher { hasher };

    // Guess the alignment: no missing values and no identical rows. Right for clean matrices,
    // and then one pass suffices.
    const qint64 rows = source.llmCount();
    BpbRowFacts guess;
    guess.missingCount.assign(std::size_t(rows), 0);
    guess.firstMissingText.assign(std::size_t(rows), QString());
    for (qint64 r = 0; r < rows; ++r)
        guess.hash.push_back(quint64(r));
    bool guessNeededValues = false;
    guess.identical = [&](Eigen::Index, Eigen::Index) {
        guessNeededValues = true;
        return false;
    };
    auto guessed = alignInputs(source.llms(), guess, errors, options.align, bpbPath, errorsPath);
    const bool speculate = guessed && !guessNeededValues && !scanWhole;

    std::optional<ColumnEstimator> guessedEstimator;
    if (speculate) {
        auto prepared = ColumnEstimator::prepare(rows, guessed->bpbRows, guessed->errors,
                                                 options.estimate.estimator);
        if (prepared)
            guessedEstimator.emplace(std::move(prepared).value());
    }
    ValueScan scan(rows);
    PassPlan plan;
    plan.first = scanFirst;
    plan.end = scanEnd;
    plan.blockTexts = blockTexts;
    plan.pieceTexts = options.pieceTexts;
    plan.scan = &scan;
    plan.inOrderHash = hashInPass ? &inOrderHash : nullptr;
    plan.threads = threads;
    if (guessedEstimator) {
        plan.estimator = &*guessedEstimator;
        plan.speculative = true;
    }
    Eigen::VectorXd values(end - first);
    PassResult passResult;
    if (Status passed = runPass(source, plan, &values, passResult, control); !passed)
        return passed.error();
    result.passes = 1;
    if (scan.infiniteText >= 0)
        return Error::badInput(QStringLiteral("infinite value at %1")
                                   .arg(valueLocation(source, scan.infiniteRow, scan.infiniteText)),
                               bpbPath);
    result.warnings = source.warnings();
    if (scan.negatives > 0 && !source.valuesCheckedWhenOpened())
        result.warnings.append(Error::badInput(
            QStringLiteral("%1 negative BPB value(s); bits per byte cannot be negative, so check "
                           "how the file was made (first at %2)")
                .arg(scan.negatives)
                .arg(valueLocation(source, scan.negativeRow, scan.negativeText)),
            bpbPath));

    BpbRowFacts facts;
    facts.missingCount = scan.missing;
    facts.hash = scan.hash;
    for (qint64 r = 0; r < rows; ++r)
        facts.firstMissingText.push_back(scan.firstMissing[std::size_t(r)] >= 0
                                             ? source.texts()[scan.firstMissing[std::size_t(r)]]
                                             : QString());
    Status rereadStatus = Done {};
    facts.identical = [&](Eigen::Index a, Eigen::Index b) {
        return identicalRows(source, scanFirst, scanEnd, blockTexts, a, b, threads, rereadStatus);
    };
    auto aligned = alignInputs(source.llms(), facts, errors, options.align, bpbPath, errorsPath);
    if (!rereadStatus)
        return rereadStatus.error();
    if (!aligned)
        return aligned.error();
    const bool guessHeld = guessedEstimator && !passResult.estimateFailed
        && guessed->bpbRows == aligned->bpbRows && bitwiseEqual(guessed->errors, aligned->errors);
    if (!guessHeld) {
        auto prepared = ColumnEstimator::prepare(rows, aligned->bpbRows, aligned->errors,
                                                 options.estimate.estimator);
        if (!prepared)
            return prepared.error();
        PassPlan again;
        again.first = first;
        again.end = end;
        again.blockTexts = blockTexts;
        again.pieceTexts = options.pieceTexts;
        again.estimator = &*prepared;
        again.threads = threads;
        PassResult ignored;
        if (Status passed = runPass(source, again, &values, ignored, control); !passed)
            return passed.error();
        result.passes = 2;
    }

    if (hasher.joinable())
        hasher.join();
    if (!concurrentHash)
        return concurrentHash.error();
    result.bpbSha256 = hashInPass        ? inOrderHash.finishHex()
        : !source.fileSha256().isEmpty() ? source.fileSha256()
                                         : *concurrentHash;
    result.layout = source.layout();
    result.openSeconds = openSeconds;
    result.textsSha256 = source.textsSha256();
    result.llmsSha256 = source.llmsSha256();
    result.textsPath = source.textsPath();
    result.llmsPath = source.llmsPath();
    result.llms = source.llms();
    result.texts
        = first == 0 && end == textCount ? (*opened)->takeTexts() : source.texts().mid(first, end);
    result.firstText = first;
    result.totalTexts = textCount;
    result.aligned = std::move(aligned).value();
    result.values = std::move(values);
    return result;
}

}  // namespace pcs
