#include "core/selection/benchmarkchoice.h"

#include "core/selection/ranking.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pcs {

QString combinationName(Combination combination)
{
    switch (combination) {
    case Combination::Mean:
        return QStringLiteral("mean");
    case Combination::RankMean:
        return QStringLiteral("rank-mean");
    case Combination::ZMean:
        return QStringLiteral("z-mean");
    }
    return {};
}

std::optional<Combination> combinationFromName(const QString &name)
{
    for (Combination c : { Combination::Mean, Combination::RankMean, Combination::ZMean })
        if (combinationName(c) == name)
            return c;
    return std::nullopt;
}

QString combinationFormula(Combination combination)
{
    switch (combination) {
    case Combination::Mean:
        return QStringLiteral("arithmetic mean of the errors");
    case Combination::RankMean:
        return QStringLiteral("mean of per-benchmark mid-ranks of the errors (1 = lowest) among "
                              "the LLMs used");
    case Combination::ZMean:
        return QStringLiteral("mean of per-benchmark z-scores of the errors (population standard "
                              "deviation) among the LLMs used");
    }
    return {};
}

std::vector<qsizetype> benchmarkCoverage(const BenchmarkErrors &errors,
                                         const std::vector<qsizetype> &columns)
{
    std::vector<qsizetype> covered(size_t(errors.benchmarks.size()), 0);
    for (qsizetype column : columns)
        for (qsizetype b = 0; b < errors.benchmarks.size(); ++b)
            if (!std::isnan(errors.values(b, column)))
                ++covered[size_t(b)];
    return covered;
}

namespace {

bool directionUnknown(const BenchmarkInfo &info)
{
    return info.directionSource == QLatin1String("unknown");
}

// Is any group that `benchmark` belongs to (its group, that group's group, ...) in `chosen`?
bool hasChosenAncestor(const BenchmarkErrors &errors, qsizetype benchmark,
                       const QSet<QString> &chosen)
{
    QString group = errors.infoFor(benchmark).group;
    for (qsizetype depth = 0; !group.isEmpty() && depth <= errors.benchmarks.size(); ++depth) {
        if (chosen.contains(group))
            return true;
        const qsizetype row = errors.benchmarks.indexOf(group);
        group = row >= 0 ? errors.infoFor(row).group : QString();
    }
    return false;
}

QString closestCoverage(const BenchmarkErrors &errors, const std::vector<qsizetype> &covered,
                        qsizetype llmCount)
{
    std::vector<qsizetype> order(covered.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) {
        return covered[size_t(a)] > covered[size_t(b)];
    });
    QStringList shown;
    for (size_t i = 0; i < order.size() && i < 5; ++i)
        shown << QStringLiteral("%1 (%2 of %3 LLMs)")
                     .arg(errors.benchmarks[order[i]])
                     .arg(covered[size_t(order[i])])
                     .arg(llmCount);
    return shown.join(QStringLiteral(", "));
}

}  // namespace

QStringList defaultBenchmarkSet(const BenchmarkErrors &errors,
                                const std::vector<qsizetype> &columns, QString *whyEmpty)
{
    const std::vector<qsizetype> covered = benchmarkCoverage(errors, columns);
    const auto everyLlm = qsizetype(columns.size());
    QStringList eligible;  // rules 1 and 2
    QStringList unknownDirection;
    for (qsizetype b = 0; b < errors.benchmarks.size(); ++b) {
        if (covered[size_t(b)] != everyLlm)
            continue;
        if (directionUnknown(errors.infoFor(b)))
            unknownDirection << errors.benchmarks[b];
        else
            eligible << errors.benchmarks[b];
    }
    if (eligible.isEmpty()) {
        if (whyEmpty) {
            *whyEmpty = QStringLiteral("no benchmark has a value for all %1 matched LLMs; "
                                       "closest: %2")
                            .arg(everyLlm)
                            .arg(closestCoverage(errors, covered, everyLlm));
            if (!unknownDirection.isEmpty())
                *whyEmpty += QStringLiteral("; left out for an unknown direction: %1")
                                 .arg(unknownDirection.join(QStringLiteral(", ")));
        }
        return {};
    }
    const QSet<QString> eligibleSet(eligible.cbegin(), eligible.cend());
    QStringList once;  // rule 3
    for (const QString &name : eligible)
        if (!hasChosenAncestor(errors, errors.benchmarks.indexOf(name), eligibleSet))
            once << name;
    QStringList rates;  // rule 4
    for (const QString &name : once) {
        const qsizetype b = errors.benchmarks.indexOf(name);
        const bool isRate = std::all_of(columns.begin(), columns.end(), [&](qsizetype column) {
            const double v = errors.values(b, column);
            return v >= 0.0 && v <= 1.0;
        });
        if (isRate)
            rates << name;
    }
    return rates.isEmpty() ? once : rates;
}

Result<CombinedErrors> combineBenchmarks(const Eigen::MatrixXd &errors,
                                         const QStringList &benchmarks, Combination combination)
{
    const Eigen::Index count = errors.cols();
    CombinedErrors combined;
    combined.values = Eigen::VectorXd::Zero(count);
    combined.averaged = QList<bool>(errors.rows(), true);
    Eigen::Index used = 0;
    QStringList constant;
    for (Eigen::Index b = 0; b < errors.rows(); ++b) {
        const Eigen::VectorXd row = errors.row(b).transpose();
        switch (combination) {
        case Combination::Mean:
            combined.values += row;
            break;
        case Combination::RankMean: {
            const detail::DoubledMidRanks ranks = detail::doubledMidRanks(row);
            for (Eigen::Index i = 0; i < count; ++i)
                combined.values[i] += double(ranks.doubled[size_t(i)]) / 2.0;
            break;
        }
        case Combination::ZMean: {
            if (row.minCoeff() == row.maxCoeff()) {
                combined.averaged[b] = false;
                constant << benchmarks.value(b);
                continue;
            }
            const double mean = row.mean();
            const double sd = std::sqrt((row.array() - mean).square().sum() / double(count));
            combined.values += ((row.array() - mean) / sd).matrix();
            break;
        }
        }
        ++used;
    }
    if (!constant.isEmpty()) {
        if (used == 0)
            return Error::badInput(
                QStringLiteral("z-mean: every chosen benchmark has the same error for every LLM "
                               "used (%1), so none has a z-score")
                    .arg(constant.join(QStringLiteral(", "))));
        combined.warnings.append(Error::badInput(
            QStringLiteral("z-mean: left out %1 benchmark(s) with the same error for every LLM "
                           "used (no spread, no z-score): %2")
                .arg(constant.size())
                .arg(constant.join(QStringLiteral(", ")))));
    }
    combined.values /= double(used);
    return combined;
}

}  // namespace pcs
