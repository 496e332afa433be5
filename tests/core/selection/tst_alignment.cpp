#include "core/selection/alignment.h"

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

BenchmarkErrors makeErrors(const QStringList &llms, const QStringList &benchmarks,
                           double base = 0.3)
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

AlignOptions chosen(const QStringList &benchmarks)
{
    AlignOptions options;
    options.benchmarks = benchmarks;
    return options;
}

}  // namespace

class TestAlignment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesByNameAndSorts()
    {
        const BpbMatrix m = bpb({ "d", "b", "a", "c" }, 3);
        const BenchmarkErrors e = makeErrors({ "a", "b", "c", "d" }, { "x" });
        const auto aligned = alignInputs(m, e);
        QVERIFY(aligned.ok());
        QCOMPARE(aligned->llms, QStringList({ "a", "b", "c", "d" }));
        // a is row 2 of the BPB file and column 0 of the errors.
        QCOMPARE(aligned->bpbRows, (std::vector<Eigen::Index> { 2, 1, 3, 0 }));
        QCOMPARE(aligned->errors[0], 0.3);
        QCOMPARE(aligned->errors[3], 0.33);
        QVERIFY(aligned->dropped.isEmpty());
    }

    void averagesChosenBenchmarks()
    {
        const auto aligned
            = alignInputs(bpb({ "a", "b", "c" }, 2),
                          makeErrors({ "a", "b", "c" }, { "x", "y", "z" }), chosen({ "x", "z" }));
        QVERIFY(aligned.ok());
        QCOMPARE(aligned->benchmarks, QStringList({ "x", "z" }));
        QVERIFY(std::abs(aligned->errors[1] - (0.31 + 0.51) / 2) < 1e-15);
    }

    void dropsAndReportsEveryUnusableLlm()
    {
        BpbMatrix m = bpb({ "a", "b", "c", "d", "e", "onlybpb" }, 4);
        m.values(3, 2) = std::nan("");  // d lacks t2
        BenchmarkErrors e = makeErrors({ "a", "b", "c", "d", "e", "onlyerrors" }, { "x", "y" });
        e.values(1, 4) = std::nan("");  // e lacks y
        const auto aligned = alignInputs(m, e, chosen({ "x", "y" }));
        QVERIFY(aligned.ok());
        QCOMPARE(aligned->llms, QStringList({ "a", "b", "c" }));
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
        const auto onlyX = alignInputs(m, e, chosen({ "x" }));
        QVERIFY(onlyX.ok());
        QVERIFY(onlyX->llms.contains("e"));
    }

    void defaultBenchmarksAreErrorRates()
    {
        BenchmarkErrors e = makeErrors({ "a", "b", "c" }, { "arc", "lambada", "piqa" });
        e.values(1, 0) = 12345.0;  // a perplexity
        const auto aligned = alignInputs(bpb({ "a", "b", "c" }, 2), e);
        QVERIFY(aligned.ok());
        QCOMPARE(aligned->benchmarks, QStringList({ "arc", "piqa" }));
        QVERIFY(aligned->warnings.isEmpty());
        // Averaging a perplexity with rates is allowed but warned about, and so are errors
        // outside [0, 1] (once, as the Python package warns about y).
        const auto mixed = alignInputs(bpb({ "a", "b", "c" }, 2), e, chosen({ "arc", "lambada" }));
        QVERIFY(mixed.ok());
        QCOMPARE(mixed->warnings.size(), 2);
        QVERIFY(mixed->warnings[0].reason.contains("outside [0, 1]"));
        QVERIFY2(mixed->warnings[0].reason.contains("lambada (0.41 to 1.235e+04)"),
                 qPrintable(mixed->warnings[0].reason));
        QVERIFY(mixed->warnings[1].reason.contains("scale"));
    }

    void badAlignments_data()
    {
        QTest::addColumn<QStringList>("bpbLlms");
        QTest::addColumn<QStringList>("errorLlms");
        QTest::addColumn<QStringList>("benchmarks");
        QTest::addColumn<QString>("phrase");
        QTest::addColumn<QString>("file");
        QTest::newRow("unknown benchmark")
            << QStringList { "a", "b", "c" } << QStringList { "a", "b", "c" }
            << QStringList { "nope" } << "unknown benchmark 'nope'; the file has: x, y"
            << "err.csv";
        // Neither file is wrong on its own: the message names both, the error neither (it used
        // to blame one of them).
        QTest::newRow("no overlap")
            << QStringList { "a", "b", "c" } << QStringList { "d", "e", "f" } << QStringList {}
            << "no LLM appears in both files (matched by exact name): the BPB file bpb.csv "
               "has \"a\", \"b\", \"c\"; the benchmark file err.csv has \"d\", \"e\", \"f\""
            << "";
        QTest::newRow("fewer than 3")
            << QStringList { "a", "b", "c" } << QStringList { "a", "b", "z" } << QStringList {}
            << "at least 3 are needed"
            << "";
    }

    void badAlignments()
    {
        QFETCH(QStringList, bpbLlms);
        QFETCH(QStringList, errorLlms);
        QFETCH(QStringList, benchmarks);
        QFETCH(QString, phrase);
        QFETCH(QString, file);
        const auto aligned = alignInputs(bpb(bpbLlms, 2), makeErrors(errorLlms, { "x", "y" }),
                                         chosen(benchmarks), "bpb.csv", "err.csv");
        QVERIFY(!aligned.ok());
        QVERIFY2(aligned.error().reason.contains(phrase), qPrintable(aligned.error().toString()));
        QCOMPARE(aligned.error().file, file);
        QCOMPARE(aligned.error().kind, ErrorKind::BadInput);
    }

    // Fewer than 3 LLMs left: the message says which benchmarks (and how they were chosen), how
    // many LLMs each covers, and the first 10 reasons with the count of the rest.
    void tooFewLlmsSaysWhy()
    {
        QStringList bpbNames { "a", "b", "c", "d" }, errorNames { "a", "b", "d" };
        for (int i = 0; i < 12; ++i) {
            bpbNames << QStringLiteral("bpbonly%1").arg(i, 2, 10, QLatin1Char('0'));
            errorNames << QStringLiteral("erronly%1").arg(i, 2, 10, QLatin1Char('0'));
        }
        BpbMatrix m = bpb(bpbNames, 3);
        m.values(3, 1) = std::nan("");  // d lacks t1
        BenchmarkErrors e = makeErrors(errorNames, { "x", "y" });
        const auto byDefault = alignInputs(m, e, {}, "bpb.csv", "err.csv");
        QVERIFY(!byDefault.ok());
        const QString reason = byDefault.error().reason;
        QVERIFY2(reason.startsWith(
                     "only 2 LLM(s) have every BPB value and every chosen benchmark; at least 3 "
                     "are needed. Matched by exact name: 2 LLM(s) with every BPB value; "
                     "benchmarks by default (those every matched LLM has, groups once, error "
                     "rates first): x (2 of 2 matched LLMs), y (2 of 2 matched LLMs). "
                     "Not used (26): \"c\": not in the benchmark file; closest there: \"a\", "
                     "\"b\", \"d\"; \"d\": missing BPB"),
                 qPrintable(reason));
        QVERIFY2(reason.contains("\"d\": missing BPB for 1 text(s), first 't1'; \"bpbonly00\""),
                 qPrintable(reason));
        QVERIFY2(reason.endsWith("… and 16 more"), qPrintable(reason));
        QCOMPARE(reason.count(": not in the"), 9);
        QVERIFY(byDefault.error().file.isEmpty());  // neither file is to blame

        e.values(1, 1) = std::nan("");  // b lacks y
        const auto requested = alignInputs(m, e, chosen({ "y" }), "bpb.csv", "err.csv");
        QVERIFY(!requested.ok());
        QVERIFY2(
            requested.error().reason.contains("benchmarks as requested: y (1 of 2 matched LLMs)"),
            qPrintable(requested.error().reason));
        QVERIFY2(requested.error().reason.contains("\"b\": no value for benchmark y"),
                 qPrintable(requested.error().reason));
    }
};

QTEST_GUILESS_MAIN(TestAlignment)
#include "tst_alignment.moc"
