#include "core/review/calibration.h"

#include <QJsonValue>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace pcs {

namespace {

constexpr Decision kDecisions[] = { Decision::Keep, Decision::Revise, Decision::Filter };

QJsonValue optionalNumber(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

// The comparison key of a candidate pair, best = largest in lexicographic order. Each component
// is a sum of a revise-only and a filter-only part, and lexicographic order is compatible with
// addition, so the best pair is the best filter part plus the best revise part at or below it.
struct Key {
    qint64 agreeing = 0;
    qint64 negativeExpected = 0;  // −n²·p_e: with p_o fixed, a lower p_e is a higher κ
    double negativeDistance = 0;  // −|Δ| from the current thresholds
    double negativeRevise = 0;
    double negativeFilter = 0;

    Key operator+(const Key &other) const
    {
        return { agreeing + other.agreeing, negativeExpected + other.negativeExpected,
                 negativeDistance + other.negativeDistance, negativeRevise + other.negativeRevise,
                 negativeFilter + other.negativeFilter };
    }
    auto tied() const
    {
        return std::tie(agreeing, negativeExpected, negativeDistance, negativeRevise,
                        negativeFilter);
    }
    bool operator<(const Key &other) const { return tied() < other.tied(); }
};

}  // namespace

qint64 ConfusionMatrix::total() const
{
    qint64 sum = 0;
    for (const auto &row : counts)
        for (qint64 count : row)
            sum += count;
    return sum;
}

qint64 ConfusionMatrix::agreeing() const
{
    return counts[0][0] + counts[1][1] + counts[2][2];
}

qint64 ConfusionMatrix::humanTotal(Decision human) const
{
    const auto &row = counts[std::size_t(human)];
    return row[0] + row[1] + row[2];
}

qint64 ConfusionMatrix::automaticTotal(Decision automatic) const
{
    const std::size_t column = std::size_t(automatic);
    return counts[0][column] + counts[1][column] + counts[2][column];
}

QJsonObject ConfusionMatrix::toJson() const
{
    QJsonObject byHuman;
    for (Decision human : kDecisions) {
        QJsonObject row;
        for (Decision automatic : kDecisions)
            row.insert(decisionName(automatic), at(human, automatic));
        byHuman.insert(decisionName(human), row);
    }
    return byHuman;
}

ConfusionMatrix confusionMatrix(const std::vector<CalibrationRow> &rows)
{
    ConfusionMatrix matrix;
    for (const CalibrationRow &row : rows)
        ++matrix.at(row.human, row.automatic);
    return matrix;
}

ConfusionMatrix confusionMatrixFor(const std::vector<CalibrationRow> &rows,
                                   const Thresholds &thresholds)
{
    ConfusionMatrix matrix;
    for (const CalibrationRow &row : rows)
        ++matrix.at(row.human, decide(row.score, thresholds));
    return matrix;
}

std::optional<double> observedAgreement(const ConfusionMatrix &matrix)
{
    const qint64 total = matrix.total();
    if (total == 0)
        return std::nullopt;
    return double(matrix.agreeing()) / double(total);
}

namespace {

// κ with agreement weights w(i, j); nullopt when undefined.
template<typename Weight>
std::optional<double> kappaWith(const ConfusionMatrix &matrix, Weight weight)
{
    const qint64 total = matrix.total();
    if (total == 0)
        return std::nullopt;
    const double n = double(total);
    double observed = 0;
    double expected = 0;
    for (Decision human : kDecisions) {
        const double rowShare = double(matrix.humanTotal(human)) / n;
        for (Decision automatic : kDecisions) {
            const double w = weight(int(human), int(automatic));
            observed += w * double(matrix.at(human, automatic)) / n;
            expected += w * rowShare * double(matrix.automaticTotal(automatic)) / n;
        }
    }
    // p_e = 1 only when both sides use one class for everything (then p_o = 1 too): 0/0.
    if (expected >= 1.0)
        return std::nullopt;
    return (observed - expected) / (1.0 - expected);
}

}  // namespace

std::optional<double> cohensKappa(const ConfusionMatrix &matrix)
{
    return kappaWith(matrix, [](int i, int j) { return i == j ? 1.0 : 0.0; });
}

std::optional<double> weightedKappa(const ConfusionMatrix &matrix)
{
    return kappaWith(matrix, [](int i, int j) { return 1.0 - std::abs(i - j) / 2.0; });
}

Result<ThresholdAgreement> bestThresholds(const std::vector<CalibrationRow> &rows,
                                          const Thresholds &current)
{
    if (rows.empty())
        return Error::badInput(QStringLiteral("no human decisions to calibrate against"));
    for (const CalibrationRow &row : rows) {
        if (!std::isfinite(row.score))
            return Error::badInput(
                QStringLiteral("a decided item has a score that is not a finite number"));
    }
    const auto clamp = [](double value) { return std::clamp(value, 0.0, 100.0); };
    const double currentRevise = std::isfinite(current.revise) ? clamp(current.revise) : 50.0;
    const double currentFilter = std::isfinite(current.filter) ? clamp(current.filter) : 80.0;

    std::vector<double> candidates { 0.0, 100.0, currentRevise, currentFilter };
    for (const CalibrationRow &row : rows)
        candidates.push_back(clamp(row.score));
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

    std::vector<CalibrationRow> sorted = rows;
    std::sort(sorted.begin(), sorted.end(),
              [](const CalibrationRow &a, const CalibrationRow &b) { return a.score < b.score; });
    std::array<qint64, 3> humanTotals {};
    for (const CalibrationRow &row : rows)
        ++humanTotals[std::size_t(row.human)];
    const qint64 keepTotal = humanTotals[0], reviseTotal = humanTotals[1],
                 filterTotal = humanTotals[2];

    // With at(c) = the rows scored ≤ c by human class (K, R, F) and in all (N):
    //   agreeing = K(r) − R(r) + R(f) − F(f) + F_total
    //   n²·p_e   = (K_total − R_total)·N(r) + (R_total − F_total)·N(f) + F_total·n
    // The constants are left out of the keys (the same for every pair).
    std::vector<Key> reviseParts(candidates.size());
    std::vector<Key> filterParts(candidates.size());
    std::array<qint64, 3> atOrBelow {};
    qint64 allAtOrBelow = 0;
    std::size_t next = 0;
    for (std::size_t index = 0; index < candidates.size(); ++index) {
        const double cut = candidates[index];
        while (next < sorted.size() && sorted[next].score <= cut) {
            ++atOrBelow[std::size_t(sorted[next].human)];
            ++allAtOrBelow;
            ++next;
        }
        reviseParts[index]
            = { atOrBelow[0] - atOrBelow[1], -(keepTotal - reviseTotal) * allAtOrBelow,
                -std::abs(cut - currentRevise), -cut, 0.0 };
        filterParts[index]
            = { atOrBelow[1] - atOrBelow[2], -(reviseTotal - filterTotal) * allAtOrBelow,
                -std::abs(cut - currentFilter), 0.0, -cut };
    }

    // For each filter cut, the best revise cut at or below it (a running maximum).
    std::size_t bestReviseSoFar = 0;
    std::size_t bestRevise = 0, bestFilter = 0;
    Key bestKey;
    for (std::size_t filter = 0; filter < candidates.size(); ++filter) {
        if (reviseParts[bestReviseSoFar] < reviseParts[filter])
            bestReviseSoFar = filter;
        const Key key = reviseParts[bestReviseSoFar] + filterParts[filter];
        if (filter == 0 || bestKey < key) {
            bestKey = key;
            bestRevise = bestReviseSoFar;
            bestFilter = filter;
        }
    }

    ThresholdAgreement choice;
    choice.thresholds = Thresholds { candidates[bestFilter], candidates[bestRevise] };
    choice.matrix = confusionMatrixFor(rows, choice.thresholds);
    choice.agreeing = choice.matrix.agreeing();
    choice.kappa = cohensKappa(choice.matrix);
    return choice;
}

QJsonObject CalibrationSummary::toJson() const
{
    const auto choiceJson = [](const ThresholdAgreement &choice) {
        return QJsonObject {
            { QStringLiteral("filter_threshold"), choice.thresholds.filter },
            { QStringLiteral("revise_threshold"), choice.thresholds.revise },
            { QStringLiteral("agreeing"), choice.agreeing },
            { QStringLiteral("agreement"), optionalNumber(observedAgreement(choice.matrix)) },
            { QStringLiteral("kappa"), optionalNumber(choice.kappa) },
            { QStringLiteral("confusion"), choice.matrix.toJson() },
        };
    };
    return QJsonObject {
        { QStringLiteral("decided"), matrix.total() },
        { QStringLiteral("confusion"), matrix.toJson() },
        { QStringLiteral("agreeing"), matrix.agreeing() },
        { QStringLiteral("agreement"), optionalNumber(observedAgreement(matrix)) },
        { QStringLiteral("kappa"), optionalNumber(kappa) },
        { QStringLiteral("weighted_kappa"), optionalNumber(weightedKappa) },
        { QStringLiteral("current"), choiceJson(current) },
        { QStringLiteral("best"), choiceJson(best) },
    };
}

Result<CalibrationSummary> summarizeCalibration(const std::vector<CalibrationRow> &rows,
                                                const Thresholds &current)
{
    auto best = bestThresholds(rows, current);
    if (!best)
        return best.error();
    CalibrationSummary summary;
    summary.matrix = confusionMatrix(rows);
    summary.kappa = cohensKappa(summary.matrix);
    summary.weightedKappa = weightedKappa(summary.matrix);
    summary.current.thresholds = current;
    summary.current.matrix = confusionMatrixFor(rows, current);
    summary.current.agreeing = summary.current.matrix.agreeing();
    summary.current.kappa = cohensKappa(summary.current.matrix);
    summary.best = std::move(best).value();
    return summary;
}

}  // namespace pcs
