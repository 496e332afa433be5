#include "selection/alignment.h"

#include <QTest>

#include <cmath>

using namespace pcs;

namespace {

BpbMatrix bpb(const QStringList &llms, int texts)
{
    BpbMatrix m;
    m.llms = llms;
    for (int j = 0; j < texts; ++j)
        m.texts << QStringLiteral("t%1").arg(j);
    m.values.resize(llms.size(), texts);
    for (int i = 0; i < llms.size(); ++i)
        for (int j = 0; j < texts; ++j)
            m.values(i, j) = 1.0 + 0.1 * i + 0.01 * j;
    return m;
}

BenchmarkErrors makeErrors(const QStringList &llms, const QStringList &benchmarks, double base = 0.3)
{
    BenchmarkErrors e;
    e.llms = llms;
    e.benchmarks = benchmarks;
    e.values.resize(benchmarks.size(), llms.size());
    for (int b = 0; b < benchmarks.size(); ++b)
        for (int i = 0; i < llms.size(); ++i)
            e.values(b, i) = base + 0.01 * i + 0.1 * b;
    return e;
}

}  // namespace

class TestAlignment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesByNameAndSorts()
    {
        const BpbMatrix m = bpb({"d", "b", "a", "c"}, 3);
        const BenchmarkErrors e = makeErrors({"a", "b", "c", "d"}, {"x"});
        const auto aligned = alignInputs(m, e);
        QVERIFY(aligned.ok());
        QCOMPARE(aligned->llms, QStringList({"a", "b", "c", "d"}));
        // a is row 2 of the BPB file and column 0 of the errors.
        QCOMPARE(aligned->bpbRows, (std::vector<Eigen::Index>{2, 1, 3, 0}));
        QCOMPARE(aligned->errors[0], 0.3);
        QCOMPARE(aligned->errors[3], 0.33);
        QVERIFY(aligned->dropped.isEmpty());
    }

    void averagesChosenBenchmarks()
    {
        const auto aligned = alignInputs(bpb({"a", "b", "c"}, 2), makeErrors({"a", "b", "c"}, {"x", "y", "z"}), {"x", "z"});
        QVERIFY(aligned.ok());
        QCOMPARE(aligned->benchmarks, QStringList({"x", "z"}));
        QVERIFY(std::abs(aligned->errors[1] - (0.31 + 0.51) / 2) < 1e-15);
    }

    void dropsAndReportsEveryUnusableLlm()
    {
        BpbMatrix m = bpb({"a", "b", "c", "d", "e", "onlybpb"}, 4);
        m.values(3, 2) = std::nan("");  // d lacks t2
        BenchmarkErrors e = makeErrors({"a", "b", "c", "d", "e", "onlyerrors"}, {"x", "y"});
        e.values(1, 4) = std::nan("");  // e lacks y
        const auto aligned = alignInputs(m, e, {"x", "y"});
        QVERIFY(aligned.ok());
        QCOMPARE(aligned->llms, QStringList({"a", "b", "c"}));
        QCOMPARE(aligned->dropped.size(), 4);
        QStringList reasons;
        for (const auto &d : aligned->dropped)
            reasons << d.name + QStringLiteral(": ") + d.reason;
        const QString all = reasons.join('\n');
        QVERIFY2(all.contains("d: missing BPB for 1 text(s), first 't2'"), qPrintable(all));
        QVERIFY2(all.contains("e: no value for benchmark y"), qPrintable(all));
        QVERIFY2(all.contains("onlybpb: not in the benchmark file"), qPrintable(all));
        QVERIFY2(all.contains("onlyerrors: not in the BPB file"), qPrintable(all));
        // A missing value in a benchmark that was not chosen does not matter.
        const auto onlyX = alignInputs(m, e, {"x"});
        QVERIFY(onlyX.ok());
        QVERIFY(onlyX->llms.contains("e"));
    }

    void defaultBenchmarksAreErrorRates()
    {
        BenchmarkErrors e = makeErrors({"a", "b", "c"}, {"arc", "lambada", "piqa"});
        e.values(1, 0) = 12345.0;  // a perplexity
        QCOMPARE(defaultBenchmarks(e), QStringList({"arc", "piqa"}));
        const auto aligned = alignInputs(bpb({"a", "b", "c"}, 2), e);
        QVERIFY(aligned.ok());
        QCOMPARE(aligned->benchmarks, QStringList({"arc", "piqa"}));
        QVERIFY(aligned->warnings.isEmpty());
        // Averaging a perplexity with rates is allowed but warned about.
        const auto mixed = alignInputs(bpb({"a", "b", "c"}, 2), e, {"arc", "lambada"});
        QVERIFY(mixed.ok());
        QCOMPARE(mixed->warnings.size(), 1);
        QVERIFY(mixed->warnings.first().reason.contains("scale"));
    }

    void badAlignments_data()
    {
        QTest::addColumn<QStringList>("bpbLlms");
        QTest::addColumn<QStringList>("errorLlms");
        QTest::addColumn<QStringList>("benchmarks");
        QTest::addColumn<QString>("phrase");
        QTest::newRow("unknown benchmark") << QStringList{"a", "b", "c"} << QStringList{"a", "b", "c"}
                                           << QStringList{"nope"} << "unknown benchmark 'nope'; the file has: x, y";
        QTest::newRow("no overlap") << QStringList{"a", "b", "c"} << QStringList{"d", "e", "f"} << QStringList{}
                                    << "no LLM appears in both files";
        QTest::newRow("fewer than 3") << QStringList{"a", "b", "c"} << QStringList{"a", "b", "z"} << QStringList{}
                                      << "at least 3 are needed";
    }

    void badAlignments()
    {
        QFETCH(QStringList, bpbLlms);
        QFETCH(QStringList, errorLlms);
        QFETCH(QStringList, benchmarks);
        QFETCH(QString, phrase);
        const auto aligned = alignInputs(bpb(bpbLlms, 2), makeErrors(errorLlms, {"x", "y"}), benchmarks, "bpb.csv", "err.csv");
        QVERIFY(!aligned.ok());
        QVERIFY2(aligned.error().reason.contains(phrase), qPrintable(aligned.error().toString()));
        QVERIFY(!aligned.error().file.isEmpty());
        QCOMPARE(aligned.error().kind, ErrorKind::BadInput);
    }
};

QTEST_GUILESS_MAIN(TestAlignment)
#include "tst_alignment.moc"
