#pragma once

#include "core/selection/estimators.h"
#include "core/selection/ranking.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

// What ColumnEstimator::prepare() computes from the errors, and the last step of the rank
// estimators, shared with the bootstrap's resampled ranks (rankedcolumns.h) so that both give
// the same bits by construction, not by keeping two copies in step.

namespace pcs::detail {

// Everything that depends only on the errors, computed once.
struct EstimatorState {
    Eigen::Index n = 0;
    std::vector<Eigen::Index> rowList;  // the used rows; empty = rows 0..n-1
    const Eigen::Index *rows = nullptr;  // rowList.data(), or null
    Estimator estimator = Estimator::Spearmanr;
    std::vector<std::int64_t> w;  // Σ_k sgn(y_l − y_k)
    Eigen::VectorXd wDouble;
    Eigen::VectorXd y;
    double qy = 0;
    double scale = 1;  // sign: N(N−1), product: 2N
    DoubledMidRanks yRanks;
};

// spearmanr or sign_cdf of one column from S = Σ_l w_l · 2·midrank_l and the column's tie
// correction Σ_runs (t³ − t) (estimators.cpp explains both).
inline double rankEstimateFromSums(const EstimatorState &prep, std::int64_t s, double tieCubes)
{
    const double n = double(prep.n);
    if (prep.estimator == Estimator::SignCdf)
        return double(s) / (n * n * (n - 1));
    const double qx = (n * n * n - n) - tieCubes;
    // A constant column has no ranks to correlate: reported as 0 (no evidence).
    return qx > 0 ? std::clamp(3 * double(s) / std::sqrt(qx * prep.qy), -1.0, 1.0) : 0.0;
}

}  // namespace pcs::detail
