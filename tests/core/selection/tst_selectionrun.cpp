#include "core/selection/selectionrun.h"
#include "tests/common/testdata.h"

#include <QTest>

using namespace pcs;

class TestSelectionRun : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void tauFromTokenCountsMatchedByName()
    {
        QTemporaryDir dir;
        // Order in the file differs from the texts' order; an extra text is ignored with a warning.
        const QString path
            = test::writeFile(dir, "tokens.csv", "text,tokens\nb,300\na,100\nextra,5\n");
        Warnings warnings;
        const auto tau
            = resolveTau({ "a", "b" }, { TauSpec::Source::TokenCounts, path, 0.5 }, &warnings);
        QVERIFY2(tau.ok(), tau.ok() ? "" : qPrintable(tau.error().toString()));
        // tau_j = (t_j / sum t) / r = (100/400)/0.5 and (300/400)/0.5.
        QCOMPARE((*tau)[0], 0.5);
        QCOMPARE((*tau)[1], 1.5);
        QCOMPARE(warnings.size(), 1);
        QVERIFY(warnings.first().reason.contains("not in the selection"));
    }

    void tauErrors_data()
    {
        QTest::addColumn<int>("source");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<double>("ratio");
        QTest::addColumn<QString>("phrase");
        const int tokens = int(TauSpec::Source::TokenCounts), file = int(TauSpec::Source::File);
        QTest::newRow("missing text") << tokens << QByteArray("text,tokens\na,1\n") << 0.5
                                      << "no token count for 1 of the 2 texts, first 'b'";
        QTest::newRow("zero tokens")
            << tokens << QByteArray("text,tokens\na,1\nb,0\n") << 0.5 << "";
        QTest::newRow("tau <= 0") << file << QByteArray("text,tau\na,1\nb,0\n") << 1.0
                                  << "every tau must be > 0";
        QTest::newRow("sum tau < 1")
            << file << QByteArray("text,tau\na,0.4\nb,0.5\n") << 1.0 << "must sum to at least 1";
        QTest::newRow("missing tau")
            << file << QByteArray("text,tau\na,1\n") << 1.0 << "no tau for 1 of the 2 texts";
    }

    void tauErrors()
    {
        QFETCH(int, source);
        QFETCH(QByteArray, content);
        QFETCH(double, ratio);
        QFETCH(QString, phrase);
        QTemporaryDir dir;
        const QString path = test::writeFile(dir, "t.csv", content);
        const auto tau = resolveTau({ "a", "b" }, { TauSpec::Source(source), path, ratio });
        QVERIFY(!tau.ok());
        QCOMPARE(tau.error().file, path);
        QVERIFY2(tau.error().reason.contains(phrase), qPrintable(tau.error().toString()));
    }

    void uniformTauAndKeepRatioRange()
    {
        const auto tau = resolveTau({ "a", "b", "c", "d" }, { TauSpec::Source::Uniform, {}, 0.5 });
        QVERIFY(tau.ok());
        QCOMPARE((*tau)[2], 0.5);  // 1 / (4 * 0.5)
        QVERIFY(!resolveTau({ "a" }, { TauSpec::Source::Uniform, {}, 0.0 }).ok());
        QVERIFY(!resolveTau({ "a" }, { TauSpec::Source::Uniform, {}, 1.5 }).ok());
    }

    void distributionTable()
    {
        Eigen::VectorXd e(4);
        e << 0.2, 0.9, -0.5, 0.9;
        const auto table = makeDistributionTable(
            { "a", "b", "c", "d" }, e, Eigen::VectorXd::Constant(4, 0.4), Projection::Linear);
        QVERIFY(table.ok());
        // Largest first, ties by lower index: b (0.4), d (0.4), then a gets the remaining 0.2.
        QCOMPARE(table->rank, (Eigen::VectorXi(4) << 3, 1, 4, 2).finished());
        QCOMPARE(table->weight[1], 0.4);
        QCOMPARE(table->weight[3], 0.4);
        QVERIFY(std::abs(table->weight[0] - 0.2) < 1e-15);
        QCOMPARE(table->weight[2], 0.0);
    }
};

QTEST_GUILESS_MAIN(TestSelectionRun)
#include "tst_selectionrun.moc"
