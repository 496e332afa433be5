#include "core/selection/bootstrap.h"

#include "core/common/parallel.h"
#include "core/selection/rankedcolumns.h"
#include "core/selection/splitmix.h"
#include "core/selection/standardize.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

// Each resample reruns the real estimate() and project() on the resampled rows (an LLM drawn
// twice is simply a repeated row, so ties from repeats get mid-ranks like any other tie): the
// bootstrap can never drift from the selection it describes. For spearmanr and sign_cdf the
// columns are sorted once and each resample's ranks read from that order (rankedcolumns.h,
// N bytes per text, the same bits as estimate() on the resampled rows); ranking was four
// fifths of the time. The B estimates of a text are not
// kept: only the few smallest and largest, which the percentile interval reads (memory
// D·(k_low + k_high) instead of D·B).

namespace pcs {

namespace {

using Eigen::Index;

constexpr int kMaxRedraws = 1000;
constexpr qint64 kInsertBlock = 16384;

using detail::SplitMix64;

SplitMix64 streamFor(quint64 seed, int index)
{
    return detail::splitMixStream(seed, quint64(index));
}

void drawInto(SplitMix64 &stream, std::vector<int> &counts)
{
    std::fill(counts.begin(), counts.end(), 0);
    const quint64 n = counts.size();
    for (quint64 draw = 0; draw < n; ++draw)
        ++counts[std::size_t(stream.below(n))];
}

bool errorsVary(const std::vector<int> &counts, const Eigen::Ref<const Eigen::VectorXd> &errors)
{
    std::optional<double> first;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (counts[i] == 0)
            continue;
        if (!first)
            first = errors[Index(i)];
        else if (errors[Index(i)] != *first)
            return true;
    }
    return false;
}

// The k smallest and k largest of each text's values so far (equal counts for every text).
class ExtremesTracker {
public:
    ExtremesTracker(Index texts, int lowCount, int highCount)
        : m_texts(texts)
        , m_lowCapacity(lowCount)
        , m_highCapacity(highCount)
        , m_low(std::size_t(texts) * std::size_t(lowCount))
        , m_high(std::size_t(texts) * std::size_t(highCount))
    {
    }

    void add(const Eigen::VectorXd &values, int threads)
    {
        const int low = std::min(m_seen, m_lowCapacity);
        const int high = std::min(m_seen, m_highCapacity);
        parallelFor(m_texts, kInsertBlock, threads, TaskControl::none(), [&](qint64 b, qint64 e) {
            for (Index j = b; j < e; ++j) {
                insert(&m_low[std::size_t(j) * m_lowCapacity], low, m_lowCapacity, values[j],
                       std::less<double>());
                insert(&m_high[std::size_t(j) * m_highCapacity], high, m_highCapacity, values[j],
                       std::greater<double>());
            }
        });
        ++m_seen;
    }

    // The i-th smallest value (0-based) of text j, for i < lowCapacity or i >= B − highCapacity.
    double orderStatistic(Index j, int i) const
    {
        if (i < m_lowCapacity)
            return m_low[std::size_t(j) * m_lowCapacity + std::size_t(i)];
        return m_high[std::size_t(j) * m_highCapacity + std::size_t(m_seen - 1 - i)];
    }

private:
    // Keeps `kept` sorted by `before`, at most `capacity` of them.
    template<class Before>
    static void insert(double *kept, int count, int capacity, double value, Before before)
    {
        if (count == capacity) {
            if (!before(value, kept[capacity - 1]))
                return;
            --count;  // the last one drops out
        }
        int at = count;
        while (at > 0 && before(value, kept[at - 1])) {
            kept[at] = kept[at - 1];
            --at;
        }
        kept[at] = value;
    }

    Index m_texts;
    int m_lowCapacity;
    int m_highCapacity;
    std::vector<double> m_low;  // ascending per text
    std::vector<double> m_high;  // descending per text
    int m_seen = 0;
};

double interpolate(double lower, double upper, double fraction)
{
    return fraction == 0 ? lower : lower + fraction * (upper - lower);
}

using ResampleSource = std::function<Result<std::vector<int>>(int index, qint64 &redrawn)>;

Result<BootstrapResult> runBootstrap(const Eigen::Ref<const Eigen::MatrixXd> &bpb,
                                     std::span<const Index> rows,
                                     const Eigen::Ref<const Eigen::VectorXd> &errors,
                                     const Eigen::Ref<const Eigen::VectorXd> &tau,
                                     const Eigen::Ref<const Eigen::VectorXd> &fullWeight,
                                     int resamples, const ResampleSource &source,
                                     const BootstrapOptions &options, const TaskControl &control)
{
    if (resamples < 1)
        return Error::badInput(
            QStringLiteral("the bootstrap needs at least 1 resample, got %1").arg(resamples));
    if (!(options.level > 0 && options.level < 1))
        return Error::badInput(
            QStringLiteral("the interval level must be in (0, 1), not %1").arg(options.level));
    const Index texts = bpb.cols();
    if (tau.size() != texts || fullWeight.size() != texts)
        return Error::badInput(QStringLiteral("%1 texts, but %2 caps and %3 weights")
                                   .arg(texts)
                                   .arg(tau.size())
                                   .arg(fullWeight.size()));
    const Index n = errors.size();
    if (!rows.empty() && Index(rows.size()) != n)
        return Error::badInput(
            QStringLiteral("%1 benchmark errors for %2 selected LLM rows").arg(n).arg(rows.size()));

    const double qLow = (1 - options.level) / 2;
    const double qHigh = (1 + options.level) / 2;
    const double hLow = double(resamples - 1) * qLow;
    const double hHigh = double(resamples - 1) * qHigh;
    const int iLow = int(std::floor(hLow));
    const int iHigh = int(std::floor(hHigh));
    // Order statistics iLow, iLow + 1 and iHigh, iHigh + 1 (clamped to B − 1) are all it needs.
    ExtremesTracker extremes(texts, std::min(resamples, iLow + 2),
                             std::min(resamples, resamples - iHigh));

    BootstrapResult result;
    result.resamples = resamples;
    result.seed = options.seed;
    result.level = options.level;
    result.jaccard.reserve(std::size_t(resamples));
    std::vector<qint64> selectedCounts(std::size_t(texts), 0);
    const Eigen::Array<bool, Eigen::Dynamic, 1> fullSelected = fullWeight.array() > 0;
    result.fullSelectedCount = fullSelected.count();

    // estimate() reports progress in columns; the bootstrap reports resamples instead.
    const TaskControl inner({}, [&control] { return control.isCanceled(); });
    std::optional<RankedColumns> ranked;
    if (RankedColumns::supports(options.estimator))  // else, or if it cannot: estimate()
        ranked = RankedColumns::build(bpb, rows, n, options.threads, inner);
    std::vector<Index> resampledRows;
    Eigen::VectorXd resampledErrors(n);
    for (int b = 0; b < resamples; ++b) {
        if (control.isCanceled())
            return Error::canceled();
        auto counts = source(b, result.redrawn);
        if (!counts)
            return counts.error();
        resampledRows.clear();
        for (Index i = 0; i < n; ++i) {
            for (int c = 0; c < (*counts)[std::size_t(i)]; ++c) {
                resampledErrors[Index(resampledRows.size())] = errors[i];
                resampledRows.push_back(rows.empty() ? i : rows[std::size_t(i)]);
            }
        }
        // Standardizing does not change the rank estimators (standardize.h).
        auto estimated = ranked ? ranked->estimate(*counts, resampledRows, resampledErrors,
                                                   options.estimator, options.threads, inner)
                                : estimateMaybeStandardized(bpb, resampledRows, resampledErrors,
                                                            { options.estimator, options.threads },
                                                            options.standardize, inner);
        if (!estimated)
            return estimated.error().kind == ErrorKind::Canceled
                ? estimated.error()
                : Error::badInput(QStringLiteral("bootstrap resample %1: %2")
                                      .arg(b)
                                      .arg(estimated.error().reason),
                                  estimated.error().file);
        auto weight = project(*estimated, tau, options.projection);
        if (!weight)
            return weight.error();
        qint64 together = 0, selected = 0;
        for (Index j = 0; j < texts; ++j) {
            if ((*weight)[j] > 0) {
                ++selectedCounts[std::size_t(j)];
                ++selected;
                together += fullSelected[j];
            }
        }
        const qint64 either = result.fullSelectedCount + selected - together;
        result.jaccard.push_back(either == 0 ? 1.0 : double(together) / double(either));
        extremes.add(*estimated, options.threads);
        control.reportProgress(b + 1, resamples);
    }

    result.ciLow.resize(texts);
    result.ciHigh.resize(texts);
    result.pSelected.resize(texts);
    const int last = resamples - 1;
    for (Index j = 0; j < texts; ++j) {
        result.ciLow[j]
            = interpolate(extremes.orderStatistic(j, iLow),
                          extremes.orderStatistic(j, std::min(iLow + 1, last)), hLow - iLow);
        result.ciHigh[j]
            = interpolate(extremes.orderStatistic(j, iHigh),
                          extremes.orderStatistic(j, std::min(iHigh + 1, last)), hHigh - iHigh);
        const qint64 count = selectedCounts[std::size_t(j)];
        result.pSelected[j] = double(count) / double(resamples);
        // count/B >= 0.9 in integers, so no rounding decides a boundary case.
        if (count * 10 >= qint64(resamples) * 9)
            ++result.stableCount;
    }
    double jaccardSum = 0;
    for (double value : result.jaccard)
        jaccardSum += value;
    result.meanJaccard = jaccardSum / double(resamples);
    return result;
}

}  // namespace

QJsonObject BootstrapResult::toJson() const
{
    return QJsonObject {
        { QStringLiteral("resamples"), resamples },
        { QStringLiteral("seed"), QString::number(seed) },
        { QStringLiteral("level"), level },
        { QStringLiteral("interval"), QStringLiteral("percentile (type 7)") },
        { QStringLiteral("resampled"), QStringLiteral("LLMs, with replacement") },
        { QStringLiteral("mean_jaccard"), meanJaccard },
        { QStringLiteral("selected_full"), fullSelectedCount },
        { QStringLiteral("stable_selected"), stableCount },
        { QStringLiteral("stable_share"), kStableSelectionShare },
        { QStringLiteral("redrawn"), redrawn },
    };
}

std::vector<int> bootstrapMultiplicities(quint64 seed, int index, int llmCount)
{
    std::vector<int> counts(std::size_t(std::max(llmCount, 0)), 0);
    if (llmCount <= 0)
        return counts;
    SplitMix64 stream = streamFor(seed, index);
    drawInto(stream, counts);
    return counts;
}

Result<BootstrapResult> bootstrapSelection(const Eigen::Ref<const Eigen::MatrixXd> &bpb,
                                           std::span<const Index> rows,
                                           const Eigen::Ref<const Eigen::VectorXd> &errors,
                                           const Eigen::Ref<const Eigen::VectorXd> &tau,
                                           const Eigen::Ref<const Eigen::VectorXd> &fullWeight,
                                           const BootstrapOptions &options,
                                           const TaskControl &control)
{
    const Index n = errors.size();
    if (n < 1)
        return Error::badInput(QStringLiteral("the bootstrap needs LLMs, got none"));
    ResampleSource source = [&](int index, qint64 &redrawn) -> Result<std::vector<int>> {
        SplitMix64 stream = streamFor(options.seed, index);
        std::vector<int> counts(std::size_t(n), 0);
        for (int attempt = 0; attempt <= kMaxRedraws; ++attempt) {
            drawInto(stream, counts);
            if (errorsVary(counts, errors))
                return counts;
            ++redrawn;
        }
        return Error::badInput(QStringLiteral("bootstrap resample %1: every one of %2 draws had "
                                              "equal errors for all drawn LLMs (too few LLMs "
                                              "with different errors to resample)")
                                   .arg(index)
                                   .arg(kMaxRedraws + 1));
    };
    return runBootstrap(bpb, rows, errors, tau, fullWeight, options.resamples, source, options,
                        control);
}

Result<BootstrapResult> bootstrapOverResamples(const Eigen::Ref<const Eigen::MatrixXd> &bpb,
                                               std::span<const Index> rows,
                                               const Eigen::Ref<const Eigen::VectorXd> &errors,
                                               const Eigen::Ref<const Eigen::VectorXd> &tau,
                                               const Eigen::Ref<const Eigen::VectorXd> &fullWeight,
                                               const std::vector<std::vector<int>> &multiplicities,
                                               const BootstrapOptions &options,
                                               const TaskControl &control)
{
    const Index n = errors.size();
    ResampleSource source = [&](int index, qint64 &) -> Result<std::vector<int>> {
        const std::vector<int> &counts = multiplicities[std::size_t(index)];
        qint64 total = 0;
        for (int c : counts)
            total += c;
        if (Index(counts.size()) != n || total != n)
            return Error::badInput(QStringLiteral("resample %1: %2 multiplicities summing to %3, "
                                                  "for %4 LLMs")
                                       .arg(index)
                                       .arg(counts.size())
                                       .arg(total)
                                       .arg(n));
        if (!errorsVary(counts, errors))
            return Error::badInput(
                QStringLiteral("resample %1: every drawn LLM has the same error").arg(index));
        return counts;
    };
    BootstrapOptions given = options;
    given.resamples = int(multiplicities.size());
    return runBootstrap(bpb, rows, errors, tau, fullWeight, given.resamples, source, given,
                        control);
}

double percentileOfSorted(std::span<const double> sorted, double q)
{
    if (sorted.empty())
        return std::nan("");
    const double h = double(sorted.size() - 1) * q;
    const std::size_t lower = std::size_t(std::floor(h));
    const std::size_t upper = std::min(lower + 1, sorted.size() - 1);
    return interpolate(sorted[lower], sorted[upper], h - double(lower));
}

}  // namespace pcs
