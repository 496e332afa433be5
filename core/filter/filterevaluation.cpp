#include "core/filter/filterevaluation.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pcs {

namespace {

// A total order on scores for sorting: NaN (which fastText never produces) sorts lowest and
// equal to itself instead of breaking std::sort.
bool scoreLess(double a, double b)
{
    if (std::isnan(a))
        return !std::isnan(b);
    if (std::isnan(b))
        return false;
    return a < b;
}

bool scoreEqual(double a, double b)
{
    return !scoreLess(a, b) && !scoreLess(b, a);
}

// Bin k covers [k / bins, (k + 1) / bins), the last one also 1 and anything above (fastText's
// smoothed probabilities reach 1 + 1e-5); below 0 and NaN count in the first. The edges are the
// doubles k / bins, and floor(score * bins) is corrected towards them, since e.g. 0.29 * 100 is
// 28.999999999999996.
int binOf(double score, int bins)
{
    if (!(score > 0))
        return 0;
    if (score >= 1)
        return bins - 1;
    int bin = std::clamp(int(std::floor(score * bins)), 0, bins - 1);
    if (bin + 1 < bins && score >= double(bin + 1) / bins)
        ++bin;
    else if (bin > 0 && score < double(bin) / bins)
        --bin;
    return bin;
}

double ratio(qint64 numerator, qint64 denominator)
{
    return denominator > 0 ? double(numerator) / double(denominator) : 0.0;
}

QJsonArray toJsonArray(const std::vector<qint64> &counts)
{
    QJsonArray array;
    for (qint64 count : counts)
        array.append(count);
    return array;
}

// Indices of the first n scores, ascending by score.
std::vector<qint64> ascendingOrder(const std::vector<double> &scores, qint64 n)
{
    std::vector<qint64> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), qint64(0));
    std::sort(order.begin(), order.end(),
              [&](qint64 a, qint64 b) { return scoreLess(scores[a], scores[b]); });
    return order;
}

}  // namespace

QJsonObject FilterEvaluation::toJson() const
{
    return QJsonObject {
        { QStringLiteral("include_count"), includeCount },
        { QStringLiteral("exclude_count"), excludeCount },
        { QStringLiteral("threshold"), threshold },
        { QStringLiteral("precision"), precision },
        { QStringLiteral("recall"), recall },
        { QStringLiteral("f1"), f1 },
        { QStringLiteral("roc_auc"), rocAuc },
        { QStringLiteral("true_positives"), truePositives },
        { QStringLiteral("false_positives"), falsePositives },
        { QStringLiteral("false_negatives"), falseNegatives },
        { QStringLiteral("include_histogram"), toJsonArray(includeHistogram) },
        { QStringLiteral("exclude_histogram"), toJsonArray(excludeHistogram) },
    };
}

FilterEvaluation evaluateFilter(const std::vector<double> &scores,
                                const std::vector<bool> &isInclude, double threshold, int bins)
{
    FilterEvaluation evaluation;
    evaluation.threshold = threshold;
    const qint64 n = qint64(std::min(scores.size(), isInclude.size()));
    const int binCount = std::max(bins, 0);
    evaluation.includeHistogram.assign(std::size_t(binCount), 0);
    evaluation.excludeHistogram.assign(std::size_t(binCount), 0);

    for (qint64 i = 0; i < n; ++i) {
        const bool predictedInclude = scores[i] >= threshold;
        if (isInclude[i]) {
            ++evaluation.includeCount;
            ++(predictedInclude ? evaluation.truePositives : evaluation.falseNegatives);
        } else {
            ++evaluation.excludeCount;
            if (predictedInclude)
                ++evaluation.falsePositives;
        }
        if (binCount > 0)
            ++(isInclude[i] ? evaluation.includeHistogram
                            : evaluation.excludeHistogram)[binOf(scores[i], binCount)];
    }
    evaluation.precision
        = ratio(evaluation.truePositives, evaluation.truePositives + evaluation.falsePositives);
    evaluation.recall = ratio(evaluation.truePositives, evaluation.includeCount);
    // 2PR / (P + R), in counts: exact and 0 when nothing is predicted or present.
    evaluation.f1 = ratio(2 * evaluation.truePositives,
                          2 * evaluation.truePositives + evaluation.falsePositives
                              + evaluation.falseNegatives);

    if (evaluation.includeCount == 0 || evaluation.excludeCount == 0)
        return evaluation;  // rocAuc stays 0.5: with one class there is no pair to order

    // Mann–Whitney: over groups of equal scores in ascending order, each include outranks the
    // excludes below its group and ties with those in it (counted 1/2). Twice U stays integral.
    const std::vector<qint64> order = ascendingOrder(scores, n);
    qint64 excludesBelow = 0;
    qint64 twiceU = 0;
    for (qint64 groupBegin = 0; groupBegin < n;) {
        qint64 groupEnd = groupBegin;
        qint64 groupIncludes = 0, groupExcludes = 0;
        while (groupEnd < n && scoreEqual(scores[order[groupEnd]], scores[order[groupBegin]])) {
            ++(isInclude[order[groupEnd]] ? groupIncludes : groupExcludes);
            ++groupEnd;
        }
        twiceU += groupIncludes * (2 * excludesBelow + groupExcludes);
        excludesBelow += groupExcludes;
        groupBegin = groupEnd;
    }
    evaluation.rocAuc = double(twiceU)
        / (2.0 * double(evaluation.includeCount) * double(evaluation.excludeCount));
    return evaluation;
}

double thresholdForKeepFraction(std::vector<double> scores, double fraction)
{
    const qint64 n = qint64(scores.size());
    if (n == 0)
        return 0;
    qint64 keep = 1;
    if (fraction > 0) {
        // Forgive the rounding of fraction * n just above an integer: 0.3 of 10 keeps 3, not 4.
        const double exact = std::min(fraction, 1.0) * double(n);
        keep = qint64(std::ceil(exact - 1e-9 * std::max(1.0, exact)));
    }
    keep = std::clamp<qint64>(keep, 1, n);
    // The keep-th largest: the (n - keep)-th smallest.
    const auto kth = scores.begin() + (n - keep);
    std::nth_element(scores.begin(), kth, scores.end(), scoreLess);
    return *kth;
}

double keptFraction(const std::vector<double> &scores, double threshold)
{
    if (scores.empty())
        return 0;
    const auto kept
        = std::count_if(scores.begin(), scores.end(), [&](double s) { return s >= threshold; });
    return double(kept) / double(scores.size());
}

std::vector<ThresholdPoint> thresholdCurve(const std::vector<double> &scores,
                                           const std::vector<bool> &isInclude)
{
    const qint64 n = qint64(std::min(scores.size(), isInclude.size()));
    std::vector<ThresholdPoint> curve;
    if (n == 0)
        return curve;
    const qint64 includeCount = std::count(isInclude.begin(), isInclude.begin() + n, true);
    std::vector<qint64> order = ascendingOrder(scores, n);
    std::reverse(order.begin(), order.end());

    qint64 kept = 0, keptIncludes = 0;
    for (qint64 groupBegin = 0; groupBegin < n;) {
        const double groupScore = scores[order[groupBegin]];
        qint64 groupEnd = groupBegin;
        while (groupEnd < n && scoreEqual(scores[order[groupEnd]], groupScore)) {
            keptIncludes += isInclude[order[groupEnd]] ? 1 : 0;
            ++groupEnd;
        }
        kept = groupEnd;
        curve.push_back(ThresholdPoint { groupScore, ratio(keptIncludes, kept),
                                         ratio(keptIncludes, includeCount),
                                         double(kept) / double(n) });
        groupBegin = groupEnd;
    }
    return curve;
}

}  // namespace pcs
