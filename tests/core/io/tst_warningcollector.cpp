// Grouped warnings: one line per kind, with a count, listed labels and the first example.
#include "core/common/warningcollector.h"

#include <QTest>

using namespace pcs;

class TestWarningCollector : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void groupsByKind();
    void manyLabels();
};

void TestWarningCollector::groupsByKind()
{
    WarningCollector collector;
    QVERIFY(collector.isEmpty());
    const WarningKind unknown { QStringLiteral("direction unknown"), QStringLiteral("task"),
                                QStringLiteral("metrics") };
    const WarningKind skipped { QStringLiteral("skipped files"), QStringLiteral("file") };
    collector.add(unknown, Error::badInput(QStringLiteral("task t1"), QStringLiteral("a.json"), 3),
                  QStringLiteral("score"));
    collector.add(skipped, Error::badInput(QString(), QStringLiteral("config.json")));
    collector.add(unknown, Error::badInput(QStringLiteral("task t2"), QStringLiteral("b.json")),
                  QStringLiteral("foo"));
    collector.add(unknown, Error::badInput(QStringLiteral("task t3"), QStringLiteral("c.json")),
                  QStringLiteral("score"));
    QCOMPARE(collector.count(unknown.headline), 3);
    QCOMPARE(collector.count(skipped.headline), 1);
    QCOMPARE(collector.count(QStringLiteral("never")), 0);

    const Warnings warnings = collector.warnings();
    QCOMPARE(warnings.size(), 2);
    // First seen first; the first example's place; labels sorted and distinct.
    QCOMPARE(warnings[0].reason,
             QStringLiteral("direction unknown (3 tasks; metrics: foo, score; first: task t1)"));
    QCOMPARE(warnings[0].file, QStringLiteral("a.json"));
    QCOMPARE(warnings[0].line, qint64(3));
    QCOMPARE(warnings[1].reason, QStringLiteral("skipped files (1 file)"));
    QCOMPARE(warnings[1].file, QStringLiteral("config.json"));
}

void TestWarningCollector::manyLabels()
{
    WarningCollector collector;
    const WarningKind kind { QStringLiteral("odd"), QStringLiteral("value"),
                             QStringLiteral("tasks") };
    for (int i = 0; i < 20; ++i)
        collector.add(kind, Error::badInput(QStringLiteral("v%1").arg(i)),
                      QStringLiteral("t%1").arg(i, 2, 10, QLatin1Char('0')));
    const QString line = collector.warnings().first().reason;
    QVERIFY2(line.startsWith(QLatin1String("odd (20 values; tasks: t00, t01,")), qPrintable(line));
    QVERIFY2(line.contains(QStringLiteral("t11, … 8 more; first: v0)")), qPrintable(line));
}

QTEST_GUILESS_MAIN(TestWarningCollector)
#include "tst_warningcollector.moc"
