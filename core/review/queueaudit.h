#pragma once

#include "core/common/result.h"
#include "core/review/calibrationinput.h"
#include "core/review/decision.h"

#include <QJsonObject>
#include <QString>

#include <array>
#include <optional>
#include <vector>

namespace pcs {

class QueueConnection;

// An audit sample: items drawn at random from the queue's assessed items, stratified by score
// band, so that a human's decisions on them estimate how many of the queue's automatic
// decisions a human would overturn.
//
// Strata: the automatic decision × a 10-point score band ([0, 10), [10, 20), ..., [90, 100];
// scores outside [0, 100] fall in the end bands), so a band that a threshold cuts is two strata.
// Allocation: proportional to the stratum's size, with at least kMinimumPerStratum items (or all
// of them, when fewer) in every non-empty stratum, rounded by largest remainder so the sizes add
// up to exactly the size asked for. Within a stratum, items are drawn uniformly without
// replacement (a partial Fisher–Yates shuffle of the stratum's ids in id order, driven by a
// mt19937_64 seeded with the seed): the same queue and seed always give the same sample.
//
// Estimate (reportAudit): an item is overturned when its human decision differs from its
// automatic decision as drawn. Per stratum h (N_h items, n_h of its sampled items decided, y_h
// of them overturned, p_h = y_h / n_h, W_h = N_h / N), the stratified estimator
//   p = Σ W_h p_h,   v = Σ W_h² (1 − n_h / N_h) s_h² / n_h,   s_h² = n_h / (n_h − 1) p_h (1 − p_h)
// (Cochran, Sampling Techniques, 3rd ed., chapters 5 and 5A; undecided sampled items are taken as
// missing at random within their stratum). A stratum with a single decision (of more than one
// item) has no sample variance; it takes the largest a 0/1 variable can have,
// N_h / (4 (N_h − 1)), so the interval errs wide. The 95% interval is Wilson's (1927) score
// interval at Kish's effective sample size n_eff = p (1 − p) / v (when v = 0: the decided items,
// with the finite-population correction; no width at all when every stratum is decided completely),
// which unlike p ± 1.96 √v stays inside [0, 1] and does not collapse to a point when no overturn
// was seen. Counts are N times the proportions. Per automatic decision, the same estimator over
// that decision's strata.
inline constexpr int kAuditScoreBands = 10;
inline constexpr qint64 kMinimumPerStratum = 2;
inline constexpr double kAuditConfidence = 0.95;

// The score band 0..9 of a score (see above).
int auditScoreBand(double score);

struct AuditStratum {
    Decision automatic = Decision::Keep;
    int band = 0;
    qint64 population = 0;  // the queue's assessed items in it when drawn
    qint64 sampleSize = 0;

    QString label() const;  // "keep 40–50"
};

struct AuditSampleItem {
    qint64 id = 0;
    std::size_t stratum = 0;  // index into AuditSample::strata
    double score = 0;  // as drawn
};

struct AuditSample {
    quint64 seed = 0;
    Thresholds thresholds;  // when drawn (the automatic decisions the sample describes)
    QString drawnAt;  // ISO 8601 UTC
    std::vector<AuditStratum> strata;  // the non-empty ones, by decision then band
    std::vector<AuditSampleItem> items;  // by id

    qint64 population() const;
    qint64 size() const { return qint64(items.size()); }
};

// Sizes per stratum (see above). Errors: size < 1, larger than the population, or too small to
// give every non-empty stratum its minimum (BadInput, naming the size needed).
Result<std::vector<qint64>> allocateAuditSample(const std::vector<qint64> &populations, qint64 size,
                                                qint64 minimumPerStratum);

// Draws a sample of `size` of `items` (see above). Errors: as allocateAuditSample, and no items.
Result<AuditSample> drawAuditSample(const std::vector<ScoredItem> &items, qint64 size, quint64 seed,
                                    const Thresholds &thresholds);

// What the human's decisions in one stratum say.
struct StratumObservation {
    qint64 population = 0;
    qint64 decided = 0;
    qint64 overturned = 0;
};

struct OverturnEstimate {
    qint64 population = 0;  // N
    qint64 decided = 0;  // sampled items with a human decision
    qint64 overturned = 0;  // of those, decided otherwise than automatically
    // All empty while some stratum has no decision yet (unavailableReason says so).
    std::optional<double> proportion;
    std::optional<double> standardError;  // √v
    std::optional<double> lower;
    std::optional<double> upper;
    QString unavailableReason;

    QJsonObject toJson() const;  // with counts (N × proportion, N × bounds)
};

// The stratified estimate over these strata (see above); strata with no items are ignored.
OverturnEstimate estimateOverturns(const std::vector<StratumObservation> &strata);

struct AuditStratumReport {
    AuditStratum stratum;
    qint64 decided = 0;
    qint64 overturned = 0;
};

struct AuditReport {
    quint64 seed = 0;
    QString drawnAt;
    Thresholds drawnThresholds;
    qint64 sampled = 0;
    qint64 undecided = 0;
    std::vector<qint64> undecidedIds;  // by id
    OverturnEstimate overall;
    std::array<OverturnEstimate, 3> byDecision;  // keep, revise, filter (as drawn)
    std::vector<AuditStratumReport> strata;

    QJsonObject toJson() const;
};

// The estimate from the human decisions in `current` (readScoredItems) on the sampled items; a
// sampled item no longer among them (no longer assessed) counts as undecided.
AuditReport reportAudit(const AuditSample &sample, const std::vector<ScoredItem> &current);

// The sample lives in the queue file, in a table of this module's own (audit_sample), so that
// the app and the CLI share it. saveAuditSample replaces any previous sample in one transaction.
Status saveAuditSample(QueueConnection &queue, const AuditSample &sample);
// nullopt when no sample was drawn. Errors: a stored sample that does not hang together.
Result<std::optional<AuditSample>> loadAuditSample(QueueConnection &queue);

}  // namespace pcs
