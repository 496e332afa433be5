#include "selection/streamestimate.h"

#include "common/parallel.h"
#include "io/bpbblocksource.h"
#include "io/sha256.h"
#include "io/textutil.h"

#include <QElapsedTimer>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

namespace pcs {

using io::BpbBlockSource;

namespace {

constexpr qint64 kDefaultBlockBytes = qint64(32) << 20;

// What one pass learns about the values of a text range, besides the estimate.
struct ValueScan {
    explicit ValueScan(qint64 rows)
        : missing(std::size_t(rows), 0)
        , firstMissing(std::size_t(rows), -1)
        , hash(std::size_t(rows), bpbRowHashStart())
    {
    }
    std::vector<qint64> missing;
    std::vector<qint64> firstMissing;  // global text index
    std::vector<quint64> hash;
    qint64 negatives = 0;
    qint64 negativeText = -1, negativeRow = -1;  // the first in text-major order
    qint64 infiniteText = -1, infiniteRow = -1;

    static bool earlier(qint64 text, qint64 row, qint64 otherText, qint64 otherRow)
    {
        return otherText < 0 || text < otherText || (text == otherText && row < otherRow);
    }
};

// Scans a block (N x B doubles of texts firstText...) in parallel over bands of rows: each row's
// hash runs over its texts in order, as BpbRowFacts::hash is defined.
void scanBlock(const Eigen::MatrixXd &block, qint64 firstText, ValueScan &scan, int threads)
{
    constexpr qint64 kBand = 16;
    std::mutex mutex;
    parallelFor(block.rows(), kBand, threads, TaskControl::none(), [&](qint64 r0, qint64 r1) {
        quint64 hash[kBand];
        qint64 missing[kBand];
        for (qint64 r = r0; r < r1; ++r) {
            hash[r - r0] = scan.hash[std::size_t(r)];
            missing[r - r0] = scan.missing[std::size_t(r)];
        }
        qint64 negatives = 0, negativeText = -1, negativeRow = -1;
        qint64 infiniteText = -1, infiniteRow = -1;
        for (qint64 j = 0; j < block.cols(); ++j) {
            const double *column = block.col(j).data();
            for (qint64 r = r0; r < r1; ++r) {
                double v = column[r];
                if (!std::isfinite(v)) [[unlikely]] {
                    if (std::isnan(v)) {
                        if (missing[r - r0]++ == 0)
                            scan.firstMissing[std::size_t(r)] = firstText + j;
                    } else if (infiniteText < 0) {
                        infiniteText = firstText + j;
                        infiniteRow = r;
                    }
                }
                if (v < 0 && negatives++ == 0) {
                    negativeText = firstText + j;
                    negativeRow = r;
                }
                if (v == 0.0)
                    v = 0.0;  // -0 is 0
                quint64 bits = 0;
                std::memcpy(&bits, &v, sizeof bits);
                hash[r - r0] = (hash[r - r0] ^ bits) * 1099511628211ull;
            }
        }
        for (qint64 r = r0; r < r1; ++r) {
            scan.hash[std::size_t(r)] = hash[r - r0];
            scan.missing[std::size_t(r)] = missing[r - r0];
        }
        const std::lock_guard lock(mutex);
        if (negatives > 0
            && ValueScan::earlier(negativeText, negativeRow, scan.negativeText, scan.negativeRow)) {
            scan.negativeText = negativeText;
            scan.negativeRow = negativeRow;
        }
        scan.negatives += negatives;
        if (infiniteText >= 0
            && ValueScan::earlier(infiniteText, infiniteRow, scan.infiniteText, scan.infiniteRow)) {
            scan.infiniteText = infiniteText;
            scan.infiniteRow = infiniteRow;
        }
    });
}

// What a pass does with each block besides scanning it.
struct PassPlan {
    qint64 first = 0, end = 0, blockTexts = 0;
    const std::vector<Eigen::Index> *rows = nullptr;  // estimate with these rows...
    const Eigen::VectorXd *errors = nullptr;  // ...and these errors
    bool speculative = false;  // an estimate error marks the guess wrong instead of failing
    ValueScan *scan = nullptr;
    io::Sha256 *inOrderHash = nullptr;  // fed with every block's raw bytes, in order
    EstimateOptions estimate;
    int threads = 0;
};

struct PassResult {
    bool estimateFailed = false;
};

// Reads blocks on a thread of its own (at most two ahead) while this thread decodes, scans and
// estimates the previous one.
Status runPass(const BpbBlockSource &source, const PassPlan &plan, Eigen::VectorXd *values,
               PassResult &result, const TaskControl &control)
{
    struct Slot {
        std::vector<char> raw;
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

    const TaskControl cancelOnly(nullptr, [&control] { return control.isCanceled(); });
    const qint64 bytesPerText = source.llmCount() * source.itemSize();
    Eigen::MatrixXd block;
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
        source.decode(buffers[slot].raw, end - first, block, plan.threads);
        {
            const std::lock_guard lock(mutex);
            free.push_back(slot);
            changed.notify_all();
        }
        if (plan.scan) {
            scanBlock(block, first, *plan.scan, plan.threads);
            if (plan.scan->infiniteText >= 0)
                return finish(Done {});  // the caller reports it, as the loader would
        }
        if (plan.rows && !result.estimateFailed) {
            EstimateOptions options = plan.estimate;
            options.firstText = first;
            auto part = estimate(block, *plan.rows, *plan.errors, options, cancelOnly);
            if (!part) {
                if (part.error().kind == ErrorKind::Canceled)
                    return finish(part.error());
                if (!plan.speculative)
                    return finish(part.error());
                result.estimateFailed = true;
            } else {
                values->segment(first - plan.first, end - first) = *part;
            }
        }
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
    std::vector<char> raw;
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

    ValueScan scan(rows);
    PassPlan plan;
    plan.first = scanFirst;
    plan.end = scanEnd;
    plan.blockTexts = blockTexts;
    plan.scan = &scan;
    plan.inOrderHash = hashInPass ? &inOrderHash : nullptr;
    plan.estimate = options.estimate;
    plan.threads = threads;
    if (speculate) {
        plan.rows = &guessed->bpbRows;
        plan.errors = &guessed->errors;
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
    const bool guessHeld = speculate && !passResult.estimateFailed
        && guessed->bpbRows == aligned->bpbRows && bitwiseEqual(guessed->errors, aligned->errors);
    if (!guessHeld) {
        PassPlan again;
        again.first = first;
        again.end = end;
        again.blockTexts = blockTexts;
        again.rows = &aligned->bpbRows;
        again.errors = &aligned->errors;
        again.estimate = options.estimate;
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
