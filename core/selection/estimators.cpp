#include "core/selection/estimators.h"

#include "core/common/parallel.h"
#include "core/selection/estimatorstate.h"
#include "core/selection/kendall.h"
#include "core/selection/ranking.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <optional>
#include <vector>

// DESIGN.md §3. Mid-ranks are exact integers once doubled, so the rank estimators are
// computed in 64-bit integers and rounded only at the end: sign_cdf and sign_sign are the
// exact value correctly rounded, spearmanr is within a few ulps (a square root and a
// division), whatever the thread count.
// With y ranked once, w_l = Σ_k sgn(y_l − y_k) = 2·midrank(y_l) − (N + 1), and
//   S_j = Σ_l w_l · 2·midrank_j(X_lj)
// gives  spearmanr = 3·S / sqrt(Q_x·Q_y),  Q = N³ − N − Σ_ties (t³ − t)   (= 12 Σ (r − r̄)²),
//        sign_cdf  = 2/(N(N−1)) · Σ_l w_l·midrank/N = S / (N²(N−1)).
// The Python package breaks ties in ranks arbitrarily; mid-ranks are the statistically
// correct choice, so results differ from it on tied values.

namespace pcs {

using Eigen::Index;

namespace {

constexpr Index kBlockSize = 4096;

// Records the lowest column with a non-finite value, so that the error does not depend on
// which thread finds one first.
void noteBadColumn(std::atomic<Index> &firstBad, Index column)
{
    Index current = firstBad.load();
    while (column < current && !firstBad.compare_exchange_weak(current, column)) { }
}

template<bool Gather>
double dot(const double *column, const Index *rows, const double *weights, Index n)
{
    // Four independent sums in a fixed order: fast and independent of threading.
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    Index i = 0;
    auto at = [&](Index k) { return Gather ? column[rows[k]] : column[k]; };
    for (; i + 4 <= n; i += 4) {
        s0 += weights[i] * at(i);
        s1 += weights[i + 1] * at(i + 1);
        s2 += weights[i + 2] * at(i + 2);
        s3 += weights[i + 3] * at(i + 3);
    }
    for (; i < n; ++i)
        s0 += weights[i] * at(i);
    return (s0 + s1) + (s2 + s3);
}

// sign and product: one weighted sum per column (memory-bound). Returns the first bad
// column, or -1.
Index linearBlock(const detail::EstimatorState &prep, const double *columns, Index stride,
                  Index count, double *out)
{
    const Eigen::VectorXd &weights = prep.estimator == Estimator::Product ? prep.y : prep.wDouble;
    for (Index j = 0; j < count; ++j) {
        const double *column = columns + j * stride;
        const double sum = prep.rows ? dot<true>(column, prep.rows, weights.data(), prep.n)
                                     : dot<false>(column, nullptr, weights.data(), prep.n);
        out[j] = sum * 2 / prep.scale;
        // Any non-finite cell makes the sum non-finite (inf·0 is NaN).
        if (!std::isfinite(out[j]))
            return j;
    }
    return -1;
}

// spearmanr, sign_cdf and sign_sign: rank each column, then combine with y's ranks.
Index rankBlock(const detail::EstimatorState &prep, const double *columns, Index stride,
                Index count, double *out)
{
    const Index n = prep.n;
    const Estimator estimator = prep.estimator;
    detail::ColumnRanker ranker(n);
    std::optional<detail::KendallCounter> kendall;
    if (estimator == Estimator::SignSign)
        kendall.emplace(prep.yRanks.order, prep.yRanks.groupStart);
    const std::int64_t *w = prep.w.data();
    for (Index j = 0; j < count; ++j) {
        if (ranker.rank(columns + j * stride, prep.rows) >= 0)
            return j;
        if (kendall) {
            out[j] = 2 * double(kendall->count(ranker)) / (double(n) * (n - 1));
            continue;
        }
        const detail::ColumnRanker::Item *items = ranker.sorted();
        std::int64_t s = 0;
        std::int64_t runWeight = 0;
        double tieCubes = 0;
        Index first = 0;
        for (Index p = 0; p < n; ++p) {
            runWeight += w[items[p].llm];
            if (p + 1 == n || items[p + 1].key != items[p].key) {
                s += runWeight * (first + p + 2);  // 2·midrank of the run first..p
                const double t = double(p - first + 1);
                tieCubes += t * t * t - t;
                runWeight = 0;
                first = p + 1;
            }
        }
        out[j] = detail::rankEstimateFromSums(prep, s, tieCubes);
    }
    return -1;
}

Status prepare(Index bpbRows, std::span<const Index> rows,
               const Eigen::Ref<const Eigen::VectorXd> &errors, Estimator estimator,
               detail::EstimatorState &prep)
{
    prep.n = errors.size();
    if (!rows.empty() && Index(rows.size()) != prep.n)
        return Error::badInput(QStringLiteral("%1 benchmark errors for %2 selected LLM rows")
                                   .arg(prep.n)
                                   .arg(rows.size()));
    if (rows.empty() && bpbRows != prep.n)
        return Error::badInput(
            QStringLiteral("%1 benchmark errors for a BPB matrix with %2 LLM rows")
                .arg(prep.n)
                .arg(bpbRows));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i] < 0 || rows[i] >= bpbRows)
            return Error::badInput(QStringLiteral("LLM row %1 (selected LLM %2) is outside the BPB "
                                                  "matrix, which has %3 rows")
                                       .arg(rows[i])
                                       .arg(i)
                                       .arg(bpbRows));
    }
    if (prep.n < 3)
        return Error::badInput(
            QStringLiteral("need at least 3 LLMs to estimate correlations, got %1").arg(prep.n));
    for (Index i = 0; i < prep.n; ++i) {
        if (!std::isfinite(errors[i]))
            return Error::badInput(QStringLiteral("the benchmark error of LLM %1 (0-based, row %2) "
                                                  "is not finite: %3")
                                       .arg(i)
                                       .arg(rows.empty() ? i : rows[std::size_t(i)])
                                       .arg(errors[i]));
    }
    if ((errors.array() == errors[0]).all())
        return Error::badInput(QStringLiteral("benchmark errors are constant (every LLM has %1): "
                                              "there is nothing to correlate with")
                                   .arg(errors[0]));
    prep.rowList.assign(rows.begin(), rows.end());
    prep.rows = prep.rowList.empty() ? nullptr : prep.rowList.data();
    prep.estimator = estimator;
    prep.y = errors;
    prep.yRanks = detail::doubledMidRanks(errors);
    prep.w.resize(std::size_t(prep.n));
    prep.wDouble.resize(prep.n);
    for (Index i = 0; i < prep.n; ++i) {
        prep.w[std::size_t(i)] = prep.yRanks.doubled[std::size_t(i)] - (prep.n + 1);
        prep.wDouble[i] = double(prep.w[std::size_t(i)]);
    }
    prep.qy = double(prep.n) * prep.n * prep.n - prep.n - prep.yRanks.tieCubes;
    prep.scale
        = estimator == Estimator::Product ? 2.0 * double(prep.n) : double(prep.n) * (prep.n - 1);
    return Done {};
}

Error badColumnError(const detail::EstimatorState &prep, const double *column, Index text)
{
    for (Index i = 0; i < prep.n; ++i) {
        const Index row = prep.rows ? prep.rows[i] : i;
        const double value = column[row];
        if (!std::isfinite(value))
            return Error::badInput(QStringLiteral("the BPB of text %1 for LLM %2 (0-based, row %3) "
                                                  "is not finite: %4")
                                       .arg(text)
                                       .arg(i)
                                       .arg(row)
                                       .arg(value));
    }
    return Error::badInput(
        QStringLiteral("the estimate of text %1 overflowed (BPB or errors too large)").arg(text));
}

}  // namespace

QString estimatorName(Estimator estimator)
{
    switch (estimator) {
    case Estimator::Spearmanr:
        return QStringLiteral("spearmanr");
    case Estimator::SignCdf:
        return QStringLiteral("sign_cdf");
    case Estimator::Sign:
        return QStringLiteral("sign");
    case Estimator::SignSign:
        return QStringLiteral("sign_sign");
    case Estimator::Product:
        return QStringLiteral("product");
    }
    return {};
}

std::optional<Estimator> estimatorFromName(const QString &name)
{
    for (Estimator e : { Estimator::Spearmanr, Estimator::SignCdf, Estimator::Sign,
                         Estimator::SignSign, Estimator::Product }) {
        if (estimatorName(e) == name)
            return e;
    }
    return std::nullopt;
}

QStringList estimatorNames()
{
    QStringList names;
    for (Estimator e : { Estimator::Spearmanr, Estimator::SignCdf, Estimator::Sign,
                         Estimator::SignSign, Estimator::Product })
        names << estimatorName(e);
    return names;
}

ColumnEstimator::ColumnEstimator(std::unique_ptr<detail::EstimatorState> prepared)
    : m_prepared(std::move(prepared))
{
}
ColumnEstimator::ColumnEstimator(ColumnEstimator &&) noexcept = default;
ColumnEstimator &ColumnEstimator::operator=(ColumnEstimator &&) noexcept = default;
ColumnEstimator::~ColumnEstimator() = default;

Result<ColumnEstimator> ColumnEstimator::prepare(Index bpbRows, std::span<const Index> rows,
                                                 const Eigen::Ref<const Eigen::VectorXd> &errors,
                                                 Estimator estimator)
{
    auto prepared = std::make_unique<detail::EstimatorState>();
    if (Status status = pcs::prepare(bpbRows, rows, errors, estimator, *prepared); !status)
        return status.error();
    return ColumnEstimator(std::move(prepared));
}

Index ColumnEstimator::run(const double *columns, Index stride, Index count, double *out) const
{
    const Estimator estimator = m_prepared->estimator;
    return estimator == Estimator::Sign || estimator == Estimator::Product
        ? linearBlock(*m_prepared, columns, stride, count, out)
        : rankBlock(*m_prepared, columns, stride, count, out);
}

const detail::EstimatorState &ColumnEstimator::prepared() const
{
    return *m_prepared;
}

Error ColumnEstimator::columnError(const double *column, Index text) const
{
    return badColumnError(*m_prepared, column, text);
}

Result<Eigen::VectorXd> estimate(const Eigen::Ref<const Eigen::MatrixXd> &bpb,
                                 std::span<const Eigen::Index> rows,
                                 const Eigen::Ref<const Eigen::VectorXd> &errors,
                                 const EstimateOptions &options, const TaskControl &control)
{
    auto estimator = ColumnEstimator::prepare(bpb.rows(), rows, errors, options.estimator);
    if (!estimator)
        return estimator.error();
    const Index columns = bpb.cols();
    const Index stride = bpb.outerStride();
    Eigen::VectorXd out(columns);
    std::atomic<Index> firstBad { columns };
    const bool finished
        = parallelFor(columns, kBlockSize, options.threads, control, [&](Index begin, Index end) {
              if (begin > firstBad.load())
                  return;  // an error is already certain; blocks before it still run
              const Index bad = estimator->run(bpb.data() + begin * stride, stride, end - begin,
                                               out.data() + begin);
              if (bad >= 0)
                  noteBadColumn(firstBad, begin + bad);
          });
    if (!finished)
        return Error::canceled();
    if (firstBad.load() < columns)
        return estimator->columnError(bpb.data() + firstBad.load() * stride,
                                      firstBad.load() + options.firstText);
    return out;
}

}  // namespace pcs
