#pragma once

#include "core/common/result.h"
#include "core/review/decision.h"

#include <QJsonObject>

#include <array>
#include <optional>
#include <vector>

namespace pcs {

// One item a human decided: its score and both decisions. Calibration works on these alone and
// knows nothing of where they are stored (see calibrationinput.h).
struct CalibrationRow {
    double score = 0;
    Decision human = Decision::Keep;
    Decision automatic = Decision::Keep;
};

// Human (rows) against automatic (columns) decisions, indexed keep = 0, revise = 1, filter = 2.
struct ConfusionMatrix {
    std::array<std::array<qint64, 3>, 3> counts {};

    qint64 &at(Decision human, Decision automatic)
    {
        return counts[std::size_t(human)][std::size_t(automatic)];
    }
    qint64 at(Decision human, Decision automatic) const
    {
        return counts[std::size_t(human)][std::size_t(automatic)];
    }
    qint64 total() const;
    qint64 agreeing() const;  // the diagonal
    qint64 humanTotal(Decision human) const;  // a row
    qint64 automaticTotal(Decision automatic) const;  // a column

    QJsonObject toJson() const;  // {"keep": {"keep": n, "revise": n, "filter": n}, ...} by human
    friend bool operator==(const ConfusionMatrix &, const ConfusionMatrix &) = default;
};

// Human against the automatic decision stored with each row.
ConfusionMatrix confusionMatrix(const std::vector<CalibrationRow> &rows);
// Human against the decision `thresholds` would give each row's score (decide()).
ConfusionMatrix confusionMatrixFor(const std::vector<CalibrationRow> &rows,
                                   const Thresholds &thresholds);

// The share of rows on the diagonal; nullopt for an empty matrix.
std::optional<double> observedAgreement(const ConfusionMatrix &matrix);
// Cohen's κ = (p_o − p_e) / (1 − p_e), p_e = Σ_k (row_k / n)(column_k / n). nullopt when it is
// undefined: no rows, or p_e = 1 (both sides put every item in the one same class).
std::optional<double> cohensKappa(const ConfusionMatrix &matrix);
// Linearly weighted κ for the ordered classes keep < revise < filter: agreement weights
// w_ij = 1 − |i − j| / 2, κ_w = (Σ w_ij p_ij − Σ w_ij r_i c_j) / (1 − Σ w_ij r_i c_j).
// nullopt when undefined (no rows, or an expected weighted agreement of 1).
std::optional<double> weightedKappa(const ConfusionMatrix &matrix);

// A threshold pair and how it would have decided the rows.
struct ThresholdAgreement {
    Thresholds thresholds;
    ConfusionMatrix matrix;  // human against decide(score, thresholds)
    qint64 agreeing = 0;
    std::optional<double> kappa;
};

// The pair 0 ≤ revise ≤ filter ≤ 100 that would have agreed with the most human decisions; ties
// go to the higher Cohen's κ, then to the pair closest to `current` (|Δrevise| + |Δfilter|),
// then to the lower revise, then the lower filter threshold. Candidates for either threshold:
// 0, 100, the current value and every score (clamped into [0, 100]) — every split of the rows
// that a threshold pair can make is among them. Exact, O(n log n): agreement and the expected
// agreement p_e are each a sum of a part that depends on revise alone and one on filter alone.
// Errors: no rows, or a score that is not a finite number (BadInput).
Result<ThresholdAgreement> bestThresholds(const std::vector<CalibrationRow> &rows,
                                          const Thresholds &current);

// What the calibration view and `review calibrate` show.
struct CalibrationSummary {
    ConfusionMatrix matrix;  // human against the automatic decisions as stored
    std::optional<double> kappa;
    std::optional<double> weightedKappa;
    ThresholdAgreement current;  // the current thresholds applied to the scores
    ThresholdAgreement best;

    QJsonObject toJson() const;
};
Result<CalibrationSummary> summarizeCalibration(const std::vector<CalibrationRow> &rows,
                                                const Thresholds &current);

}  // namespace pcs
