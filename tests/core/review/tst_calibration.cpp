// Calibration against the human's decisions: confusion matrix, Cohen's κ and linearly weighted
// κ (hand-worked and against the disagreement form of the definition), and the best thresholds
// (hand-worked and against a brute-force search over every candidate pair).
#include "core/review/calibration.h"

#include <QTest>

#include <cmath>
#include <random>
#include <set>

using namespace pcs;

namespace {

constexpr Decision K = Decision::Keep, R = Decision::Revise, F = Decision::Filter;

ConfusionMatrix matrixOf(std::array<std::array<qint64, 3>, 3> counts)
{
    ConfusionMatrix matrix;
    matrix.counts = counts;
    return matrix;
}

// κ = 1 − Σ v_ij p_ij / Σ v_ij r_i c_j with disagreement weights v: the same statistic written
// the other way round, computed from proportions cell by cell.
double kappaByDisagreement(const ConfusionMatrix &matrix, bool linear)
{
    double n = 0;
    for (const auto &row : matrix.counts)
        for (qint64 count : row)
            n += double(count);
    double rows[3] = {}, columns[3] = {};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
            rows[i] += double(matrix.counts[i][j]) / n;
            columns[j] += double(matrix.counts[i][j]) / n;
        }
    double observed = 0, expected = 0;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
            const double v = linear ? std::abs(i - j) : (i == j ? 0.0 : 1.0);
            observed += v * double(matrix.counts[i][j]) / n;
            expected += v * rows[i] * columns[j];
        }
    return 1 - observed / expected;
}

struct BruteBest {
    Thresholds thresholds;
    qint64 agreeing = -1;
    double kappa = 0;
};

// Every pair of candidates r ≤ f, compared as bestThresholds documents it.
BruteBest bruteForceBest(const std::vector<CalibrationRow> &rows, const Thresholds &current)
{
    std::set<double> candidates { 0.0, 100.0, current.revise, current.filter };
    for (const CalibrationRow &row : rows)
        candidates.insert(std::clamp(row.score, 0.0, 100.0));
    BruteBest best;
    double bestDistance = 0;
    for (double revise : candidates) {
        for (double filter : candidates) {
            if (revise > filter)
                continue;
            qint64 agreeing = 0;
            for (const CalibrationRow &row : rows)
                agreeing += decide(row.score, { filter, revise }) == row.human ? 1 : 0;
            const ConfusionMatrix matrix = confusionMatrixFor(rows, { filter, revise });
            const double kappa = cohensKappa(matrix).value_or(1.0);
            const double distance
                = std::abs(revise - current.revise) + std::abs(filter - current.filter);
            bool better = false;
            if (agreeing != best.agreeing)
                better = agreeing > best.agreeing;
            else if (std::abs(kappa - best.kappa) > 1e-12)
                better = kappa > best.kappa;
            else if (distance != bestDistance)
                better = distance < bestDistance;
            else if (revise != best.thresholds.revise)
                better = revise < best.thresholds.revise;
            else
                better = filter < best.thresholds.filter;
            if (better) {
                best = { { filter, revise }, agreeing, kappa };
                bestDistance = distance;
            }
        }
    }
    return best;
}

std::vector<CalibrationRow> randomRows(std::mt19937_64 &random, int count, bool integerScores)
{
    std::uniform_real_distribution<double> uniform(0.0, 100.0);
    std::normal_distribution<double> noise(0.0, 15.0);
    std::vector<CalibrationRow> rows;
    for (int i = 0; i < count; ++i) {
        double score = uniform(random);
        if (integerScores)
            score = std::floor(score / 5) * 5;  // heavy ties, as LLM scores have
        // The human mostly follows the score, with noise, around 45 and 75.
        const double seen = score + noise(random);
        const Decision human = seen > 75 ? F : seen > 45 ? R : K;
        rows.push_back({ score, human, decide(score, Thresholds {}) });
    }
    return rows;
}

}  // namespace

class TestCalibration : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void confusionMatrixCountsHumanAgainstAutomatic()
    {
        const std::vector<CalibrationRow> rows { { 10, K, K }, { 20, K, R }, { 60, R, R },
                                                 { 90, F, F }, { 85, R, F }, { 30, K, K } };
        const ConfusionMatrix matrix = confusionMatrix(rows);
        QCOMPARE(matrix.at(K, K), 2);
        QCOMPARE(matrix.at(K, R), 1);
        QCOMPARE(matrix.at(R, R), 1);
        QCOMPARE(matrix.at(R, F), 1);
        QCOMPARE(matrix.at(F, F), 1);
        QCOMPARE(matrix.total(), 6);
        QCOMPARE(matrix.agreeing(), 4);
        QCOMPARE(matrix.humanTotal(K), 3);
        QCOMPARE(matrix.automaticTotal(F), 2);
        QCOMPARE(*observedAgreement(matrix), 4.0 / 6.0);
        // With thresholds 80/50 applied to the scores instead: 20 → keep, 85 → filter.
        const ConfusionMatrix derived = confusionMatrixFor(rows, Thresholds { 80, 50 });
        QCOMPARE(derived.at(K, K), 3);
        QCOMPARE(derived.at(R, F), 1);
        QVERIFY(!observedAgreement(ConfusionMatrix {}));
    }

    void kappaOfAHandWorkedMatrix()
    {
        // n = 100, p_o = 0.75; rows 25/30/45, columns 30/25/45: p_e = 0.3525, κ = 0.3975/0.6475.
        // Linear weights: p_o,w = (75 + 0.5·25)/100 = 0.875, p_e,w = 0.3525 + 0.5·0.4 = 0.5525,
        // κ_w = 0.3225/0.4475.
        const ConfusionMatrix matrix = matrixOf({ { { 20, 5, 0 }, { 10, 15, 5 }, { 0, 5, 40 } } });
        QVERIFY(qAbs(*cohensKappa(matrix) - 159.0 / 259.0) < 1e-12);
        QVERIFY(qAbs(*weightedKappa(matrix) - 129.0 / 179.0) < 1e-12);
        // Perfect agreement over several classes: 1; as often wrong as chance: 0.
        QCOMPARE(*cohensKappa(matrixOf({ { { 3, 0, 0 }, { 0, 2, 0 }, { 0, 0, 5 } } })), 1.0);
        QVERIFY(qAbs(*cohensKappa(matrixOf({ { { 1, 1, 0 }, { 1, 1, 0 }, { 0, 0, 0 } } })))
                < 1e-15);
        // Systematic disagreement is below 0.
        QVERIFY(*cohensKappa(matrixOf({ { { 0, 5, 0 }, { 5, 0, 0 }, { 0, 0, 0 } } })) < 0);
    }

    void kappaIsUndefinedWhereTheDefinitionIs()
    {
        QVERIFY(!cohensKappa(ConfusionMatrix {}));
        QVERIFY(!weightedKappa(ConfusionMatrix {}));
        // Everything keep on both sides: p_e = 1, 0/0.
        const ConfusionMatrix allKeep = matrixOf({ { { 7, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 } } });
        QVERIFY(!cohensKappa(allKeep));
        QVERIFY(!weightedKappa(allKeep));
    }

    void kappaMatchesTheDisagreementFormOnRandomMatrices()
    {
        std::mt19937_64 random(11);
        std::uniform_int_distribution<int> cell(0, 30);
        for (int trial = 0; trial < 500; ++trial) {
            ConfusionMatrix matrix;
            for (auto &row : matrix.counts)
                for (qint64 &count : row)
                    count = cell(random);
            if (matrix.total() == 0)
                continue;
            QVERIFY(qAbs(*cohensKappa(matrix) - kappaByDisagreement(matrix, false)) < 1e-12);
            QVERIFY(qAbs(*weightedKappa(matrix) - kappaByDisagreement(matrix, true)) < 1e-12);
        }
    }

    void bestThresholdsOfAHandWorkedCase()
    {
        // Humans: keep 10, 20, 40; revise 30, 60; filter 70, 90. Six of seven is the most any
        // pair agrees on, by revise 20/filter 60 (p_e·49 = 3·2 + 2·3 + 2·2 = 16) or revise
        // 40/filter 60 (3·4 + 2·1 + 2·2 = 18): the lower p_e is the higher κ, 26/33 > 24/31.
        const std::vector<CalibrationRow> rows { { 10, K, K }, { 20, K, K }, { 40, K, K },
                                                 { 30, R, K }, { 60, R, R }, { 70, F, R },
                                                 { 90, F, F } };
        auto best = bestThresholds(rows, Thresholds { 80, 50 });
        QVERIFY(best.ok());
        QCOMPARE(best->thresholds.revise, 20.0);
        QCOMPARE(best->thresholds.filter, 60.0);
        QCOMPARE(best->agreeing, 6);
        QVERIFY(qAbs(*best->kappa - 26.0 / 33.0) < 1e-12);
    }

    void currentThresholdsWinTiesTheyAreIn()
    {
        // Any revise in [10, 60) and filter in [60, 90) agrees on all three: keep the current.
        const std::vector<CalibrationRow> rows { { 10, K, K }, { 60, R, R }, { 90, F, F } };
        auto best = bestThresholds(rows, Thresholds { 80, 50 });
        QVERIFY(best.ok());
        QCOMPARE(best->thresholds.filter, 80.0);
        QCOMPARE(best->thresholds.revise, 50.0);
        QCOMPARE(best->agreeing, 3);
        // Outside them, the nearest candidates that agree as well: revise 10 (the only one in
        // [10, 60)), filter 70 (the current revise value: in [60, 90) and nearer 95 than 60).
        auto moved = bestThresholds(rows, Thresholds { 95, 70 });
        QVERIFY(moved.ok());
        QCOMPARE(moved->thresholds.revise, 10.0);
        QCOMPARE(moved->thresholds.filter, 70.0);
        QCOMPARE(moved->agreeing, 3);
    }

    void revisionCanBeSwitchedOff()
    {
        // Humans never revise: the best pair makes revise = filter (no revise band at all).
        const std::vector<CalibrationRow> rows {
            { 10, K, K }, { 40, K, K }, { 55, K, R }, { 65, F, R }, { 90, F, F }
        };
        auto best = bestThresholds(rows, Thresholds { 80, 50 });
        QVERIFY(best.ok());
        QCOMPARE(best->agreeing, 5);
        QCOMPARE(best->thresholds.revise, best->thresholds.filter);
        QCOMPARE(best->matrix.automaticTotal(R), 0);
    }

    void badInputIsRefused()
    {
        QVERIFY(!bestThresholds({}, Thresholds {}).ok());
        QCOMPARE(bestThresholds({}, Thresholds {}).error().kind, ErrorKind::BadInput);
        const std::vector<CalibrationRow> nan { { std::nan(""), K, F } };
        QVERIFY(!bestThresholds(nan, Thresholds {}).ok());
        QVERIFY(!summarizeCalibration({}, Thresholds {}).ok());
    }

    void bestThresholdsMatchesBruteForce_data()
    {
        QTest::addColumn<bool>("integerScores");
        QTest::newRow("continuous scores") << false;
        QTest::newRow("scores in steps of 5 (ties)") << true;
    }

    void bestThresholdsMatchesBruteForce()
    {
        QFETCH(bool, integerScores);
        std::mt19937_64 random(integerScores ? 7 : 8);
        std::uniform_int_distribution<int> sizes(1, 60);
        std::uniform_int_distribution<int> thresholdSteps(0, 20);
        for (int trial = 0; trial < 300; ++trial) {
            const auto rows = randomRows(random, sizes(random), integerScores);
            const double a = thresholdSteps(random) * 5.0, b = thresholdSteps(random) * 5.0;
            const Thresholds current { std::max(a, b), std::min(a, b) };
            auto fast = bestThresholds(rows, current);
            QVERIFY(fast.ok());
            const BruteBest brute = bruteForceBest(rows, current);
            QCOMPARE(fast->agreeing, brute.agreeing);
            QCOMPARE(fast->thresholds.revise, brute.thresholds.revise);
            QCOMPARE(fast->thresholds.filter, brute.thresholds.filter);
            QVERIFY(fast->thresholds.validate().ok());
            QCOMPARE(fast->matrix, confusionMatrixFor(rows, fast->thresholds));
        }
    }

    void noThresholdPairAgreesMoreThanTheBest()
    {
        // The candidates cover every split: a fine grid of pairs finds nothing better.
        std::mt19937_64 random(3);
        for (int trial = 0; trial < 40; ++trial) {
            const auto rows = randomRows(random, 40, true);
            auto best = bestThresholds(rows, Thresholds {});
            QVERIFY(best.ok());
            for (int revise = 0; revise <= 200; ++revise)
                for (int filter = revise; filter <= 200; filter += 3) {
                    const ConfusionMatrix matrix
                        = confusionMatrixFor(rows, { filter / 2.0, revise / 2.0 });
                    QVERIFY(matrix.agreeing() <= best->agreeing);
                }
        }
    }

    void summaryReportsStoredAndDerivedDecisions()
    {
        // The stored automatic decisions (here deliberately not those of 80/50) are what the
        // matrix shows; "current" applies the thresholds to the scores.
        const std::vector<CalibrationRow> rows { { 10, K, R }, { 60, R, R }, { 90, F, F } };
        auto summary = summarizeCalibration(rows, Thresholds { 80, 50 });
        QVERIFY(summary.ok());
        QCOMPARE(summary->matrix.agreeing(), 2);
        QCOMPARE(summary->current.agreeing, 3);
        QCOMPARE(summary->best.agreeing, 3);
        const QJsonObject json = summary->toJson();
        QCOMPARE(json.value(QStringLiteral("decided")).toInteger(), 3);
        QCOMPARE(json.value(QStringLiteral("confusion"))
                     .toObject()
                     .value(QStringLiteral("keep"))
                     .toObject()
                     .value(QStringLiteral("revise"))
                     .toInteger(),
                 1);
        QCOMPARE(json.value(QStringLiteral("best"))
                     .toObject()
                     .value(QStringLiteral("filter_threshold"))
                     .toDouble(),
                 80.0);
    }
};

QTEST_GUILESS_MAIN(TestCalibration)
#include "tst_calibration.moc"
