#pragma once

// Synthetic selection data for the chart tests: built directly, no files.

#include "core/selection/estimators.h"
#include "core/selection/projection.h"
#include "core/selection/selectionrun.h"
#include "core/workspace/selectionsession.h"

#include <QTest>
#include <QWidget>

#include <cstdint>
#include <memory>

namespace pcs::test {

struct ChartFixture {
    std::shared_ptr<SelectionData> data;
    std::shared_ptr<SelectionOutcome> outcome;
};

// A deterministic value in [0, 1) for (seed, i).
inline double unitNoise(std::uint64_t seed, std::uint64_t i)
{
    std::uint64_t x = seed * 0x9e3779b97f4a7c15ULL + i + 1;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return double(x >> 11) * 0x1.0p-53;
}

// `llms` used LLMs out of llms + 2 rows (rows 0 and 1 unused, so the charts must follow
// aligned.bpbRows), `texts` texts. The estimate is spearmanr computed by the core when
// `realEstimate`, else synthetic (fast for a million texts). Caps from token counts, linear
// projection keeping `keepRatio` of the pool.
inline ChartFixture makeChartFixture(int llms, int texts, double keepRatio, bool realEstimate)
{
    ChartFixture f;
    auto bpb = std::make_shared<BpbMatrix>();
    const int rows = llms + 2;
    bpb->values.resize(rows, texts);
    for (int r = 0; r < rows; ++r)
        bpb->llms << QStringLiteral("org/llm-%1").arg(r);
    bpb->texts.reserve(texts);
    for (int j = 0; j < texts; ++j)
        bpb->texts << QStringLiteral("text-%1").arg(j);
    Eigen::VectorXd errors(llms);
    for (int i = 0; i < llms; ++i)
        errors[i] = 0.2 + 0.6 * unitNoise(7, std::uint64_t(i));
    for (int j = 0; j < texts; ++j) {
        // Some texts track the error (a good text), some oppose it, the rest are noise.
        const double slope = 2.0 * unitNoise(11, std::uint64_t(j)) - 1.0;
        for (int r = 0; r < rows; ++r) {
            const double y = r >= 2 ? errors[r - 2] : 0.5;
            bpb->values(r, j) = 0.8 + slope * y + 0.3 * unitNoise(13, std::uint64_t(j) * 64 + r);
        }
    }
    auto data = std::make_shared<SelectionData>();
    data->bpb = bpb;
    auto outcome = std::make_shared<SelectionOutcome>();
    outcome->aligned.benchmarks = { QStringLiteral("synthetic") };
    outcome->aligned.errors = errors;
    for (int i = 0; i < llms; ++i) {
        outcome->aligned.llms << bpb->llms[i + 2];
        outcome->aligned.bpbRows.push_back(i + 2);
    }
    Eigen::VectorXd estimate(texts);
    if (realEstimate) {
        auto e = pcs::estimate(bpb->values, outcome->aligned.bpbRows, errors);
        if (!e)
            qFatal("estimate failed: %s", qPrintable(e.error().toString()));
        estimate = *e;
    } else {
        for (int j = 0; j < texts; ++j)
            estimate[j] = 1.2 * unitNoise(17, std::uint64_t(j)) - 0.6;
    }
    Eigen::VectorXd tokens(texts);
    for (int j = 0; j < texts; ++j)
        tokens[j] = 100.0 + 10000.0 * unitNoise(19, std::uint64_t(j));
    auto tau = tauFromTokenCounts(tokens, keepRatio);
    auto table = makeDistributionTable(bpb->texts, estimate, *tau, Projection::Linear);
    if (!table)
        qFatal("projection failed: %s", qPrintable(table.error().toString()));
    outcome->table = std::move(table).value();
    f.data = data;
    f.outcome = outcome;
    return f;
}

// Shows a chart at a fixed size, so that value <-> pixel mappings are real.
[[nodiscard]] inline bool showChart(QWidget *chart)
{
    chart->resize(900, 560);
    chart->show();
    const bool exposed = QTest::qWaitForWindowExposed(chart);
    QCoreApplication::processEvents();
    return exposed;
}

}  // namespace pcs::test
