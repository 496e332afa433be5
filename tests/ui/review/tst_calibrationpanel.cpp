// The calibration panel shows what it is given (matrix, κ, thresholds, audit estimate) and asks
// for actions by signal: "Use these" with the best thresholds, "Review a sample…" with size and
// seed.
#include "ui/review/calibrationpanel.h"

#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>

using namespace pcs;

namespace {

constexpr Decision K = Decision::Keep, R = Decision::Revise, F = Decision::Filter;

// The hand-worked case of tst_calibration: best filter 60 / revise 20, 6 of 7, κ 26/33.
CalibrationSummary handWorkedSummary()
{
    const std::vector<CalibrationRow> rows { { 10, K, K }, { 20, K, K }, { 40, K, K }, { 30, R, K },
                                             { 60, R, R }, { 70, F, R }, { 90, F, F } };
    return *summarizeCalibration(rows, Thresholds { 80, 50 });
}

}  // namespace

class TestCalibrationPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void emptyPanelOffersNothingToUse()
    {
        CalibrationPanel panel;
        panel.show();
        QVERIFY(!panel.useButton()->isEnabled());
        QVERIFY(!panel.sampleButton()->isEnabled());  // nothing assessed
        QCOMPARE(panel.matrixTable()->item(0, 0)->text(), QStringLiteral("–"));
        QVERIFY(panel.agreementLabel()->text().contains(QStringLiteral("No assessed item")));
        QVERIFY(panel.auditLabel()->text().contains(QStringLiteral("No audit sample yet")));
    }

    void showsTheMatrixKappaAndBestThresholds()
    {
        CalibrationPanel panel;
        panel.show();
        CalibrationPanelData data;
        data.calibration = handWorkedSummary();
        data.assessedItems = 10;
        panel.setData(data);
        // Rows human, columns automatic (as stored): keep 3 0 0, revise 1 1 0, filter 0 1 1.
        const int expected[3][3] = { { 3, 0, 0 }, { 1, 1, 0 }, { 0, 1, 1 } };
        for (int human = 0; human < 3; ++human)
            for (int automatic = 0; automatic < 3; ++automatic)
                QCOMPARE(panel.matrixTable()->item(human, automatic)->text(),
                         QString::number(expected[human][automatic]));
        const QString agreement = panel.agreementLabel()->text();
        QVERIFY2(agreement.contains(QStringLiteral("Agreement 71.4% (5 of 7)")),
                 qPrintable(agreement));
        QVERIFY(agreement.contains(
            QStringLiteral("Cohen's κ %1").arg(*data.calibration->kappa, 0, 'f', 3)));
        const QString thresholds = panel.thresholdsLabel()->text();
        QVERIFY2(thresholds.contains(QStringLiteral(
                     "Best: filter above 60, revise above 20 — agrees on 6 of 7 (85.7%), κ 0.788")),
                 qPrintable(thresholds));
        QVERIFY(thresholds.contains(QStringLiteral("Current: filter above 80, revise above 50")));

        QVERIFY(panel.useButton()->isEnabled());
        QSignalSpy use(&panel, &CalibrationPanel::useThresholdsRequested);
        QTest::mouseClick(panel.useButton(), Qt::LeftButton);
        QCOMPARE(use.count(), 1);
        QCOMPARE(use.first().at(0).toDouble(), 60.0);
        QCOMPARE(use.first().at(1).toDouble(), 20.0);

        // Once they are the current ones there is nothing to use.
        auto same = handWorkedSummary();
        same.current = same.best;
        data.calibration = same;
        panel.setData(data);
        QVERIFY(!panel.useButton()->isEnabled());
    }

    void reviewSampleAsksWithSizeAndSeed()
    {
        CalibrationPanel panel;
        panel.show();
        CalibrationPanelData data;
        data.assessedItems = 5000;
        panel.setData(data);
        QCOMPARE(panel.sampleSizeSpin()->value(), 200);  // the default, within the queue
        QCOMPARE(panel.sampleSizeSpin()->maximum(), 5000);
        QVERIFY(panel.sampleButton()->isEnabled());
        panel.sampleSizeSpin()->setValue(150);
        panel.seedEdit()->setText(QStringLiteral("18446744073709551615"));  // 2^64 − 1
        QSignalSpy sample(&panel, &CalibrationPanel::reviewSampleRequested);
        QTest::mouseClick(panel.sampleButton(), Qt::LeftButton);
        QCOMPARE(sample.count(), 1);
        QCOMPARE(sample.first().at(0).toInt(), 150);
        QCOMPARE(sample.first().at(1).value<quint64>(), Q_UINT64_C(18446744073709551615));
        // A seed that does not fit 64 bits cannot be asked for.
        panel.seedEdit()->setText(QStringLiteral("18446744073709551616"));
        QVERIFY(!panel.sampleButton()->isEnabled());
        // A small queue bounds the size.
        data.assessedItems = 40;
        panel.setData(data);
        QCOMPARE(panel.sampleSizeSpin()->maximum(), 40);
        QVERIFY(panel.sampleSizeSpin()->value() <= 40);
    }

    void showsTheAuditEstimate()
    {
        // Two strata of 40: keep (2 of 10 decided overturned), filter (0 of 9, 1 undecided).
        AuditSample sample;
        sample.seed = 3;
        sample.strata = { { K, 0, 40, 10 }, { F, 9, 40, 10 } };
        std::vector<ScoredItem> current;
        for (int i = 0; i < 10; ++i) {
            sample.items.push_back({ i + 1, 0, 5.0 });
            current.push_back({ i + 1, 5.0, K, i < 2 ? F : K });
        }
        for (int i = 10; i < 20; ++i) {
            sample.items.push_back({ i + 1, 1, 95.0 });
            current.push_back({ i + 1, 95.0, F, i == 19 ? std::nullopt : std::optional(F) });
        }
        CalibrationPanelData data;
        data.assessedItems = 80;
        data.audit = reportAudit(sample, current);
        CalibrationPanel panel;
        panel.show();
        panel.setData(data);
        const QString text = panel.auditLabel()->text();
        QVERIFY2(text.contains(QStringLiteral("Sample of 20 (seed 3): 19 decided, 1 to go.")),
                 qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("Overturned: 10.0% (95% CI ")));
        QVERIFY(text.contains(QStringLiteral("about 8 of 80")));
        QVERIFY(text.contains(QStringLiteral("of automatic keep: 20.0%")));

        // Before any decision in a stratum: said, no numbers.
        for (ScoredItem &item : current)
            if (item.automatic == F)
                item.human.reset();
        data.audit = reportAudit(sample, current);
        panel.setData(data);
        QVERIFY(panel.auditLabel()->text().contains(QStringLiteral("no estimate yet")));
    }
};

QTEST_MAIN(TestCalibrationPanel)
#include "tst_calibrationpanel.moc"
