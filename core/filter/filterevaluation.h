#pragma once

#include <QJsonObject>

#include <vector>

namespace pcs {

// How well scores P(include) separate held-out documents whose true label is known.
struct FilterEvaluation {
    qint64 includeCount = 0;  // held-out documents labelled include
    qint64 excludeCount = 0;
    double threshold = 0.5;  // a document is predicted include when its score >= threshold
    // At `threshold`, for the include class. A ratio with a zero denominator is 0.
    qint64 truePositives = 0;
    qint64 falsePositives = 0;
    qint64 falseNegatives = 0;
    double precision = 0;
    double recall = 0;
    double f1 = 0;
    // P(score of a random include > score of a random exclude), ties count 1/2 (the Mann–Whitney
    // U / (includeCount · excludeCount)). 0.5 when either class is absent (also for no documents).
    double rocAuc = 0.5;
    // Score histograms per class over [0, 1] in `bins` equal bins: bin k holds [k/bins,
    // (k+1)/bins); 1 and above (fastText's smoothed scores reach 1 + 1e-5) fall in the last bin,
    // below 0 in the first. Both all zeros for no documents.
    std::vector<qint64> includeHistogram;
    std::vector<qint64> excludeHistogram;

    QJsonObject toJson() const;
};

// Evaluates `scores` (each in [0, 1]) against `isInclude` (same length; extra entries of the
// longer one are ignored). No documents: every count and ratio 0, rocAuc 0.5. O(n log n).
FilterEvaluation evaluateFilter(const std::vector<double> &scores,
                                const std::vector<bool> &isInclude, double threshold = 0.5,
                                int bins = 50);

// The threshold that keeps `fraction` (in (0, 1]) of `scores`: the k-th largest score with
// k = max(1, ceil(fraction * n)), so that keeping score >= threshold keeps at least k documents
// (ties at the threshold keep more). fraction * n a hair above an integer through rounding
// counts as that integer (0.3 of 10 keeps 3); fractions above 1 keep all. 0 for empty scores.
double thresholdForKeepFraction(std::vector<double> scores, double fraction);

// The fraction of `scores` >= threshold (0 for empty scores).
double keptFraction(const std::vector<double> &scores, double threshold);

// Precision and recall of include at each distinct score used as the threshold, descending
// threshold order (so recall and keptFraction never decrease): the curve the Filter stage
// draws. Empty for no documents; recall 0 throughout without includes.
struct ThresholdPoint {
    double threshold = 0;
    double precision = 0;
    double recall = 0;
    double keptFraction = 0;
};
std::vector<ThresholdPoint> thresholdCurve(const std::vector<double> &scores,
                                           const std::vector<bool> &isInclude);

}  // namespace pcs
