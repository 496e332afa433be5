// Matching LLMs across the two files: Hugging Face ids, map files, duplicates, closest names.
#include "core/selection/alignment.h"
#include "core/selection/llmmatching.h"
#include "tests/common/testdata.h"

#include <QTemporaryDir>
#include <QTest>

using namespace pcs;

namespace {

// Row i: 1 + 0.1 i + 0.01 j, so no two rows are equal unless a test copies one.
BpbMatrix bpbOf(const QStringList &llms, int texts = 3)
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

BenchmarkErrors errorsOf(const QStringList &llms)
{
    BenchmarkErrors e;
    e.llms = llms;
    e.benchmarks = QStringList { "arc" };
    e.values.resize(1, llms.size());
    for (int i = 0; i < llms.size(); ++i)
        e.values(0, i) = 0.2 + 0.05 * i;
    return e;
}

AlignOptions matchBy(LlmMatching matching, bool dedupe = false)
{
    AlignOptions options;
    options.matching = matching;
    options.dedupeLlms = dedupe;
    return options;
}

QString reasonOf(const AlignedInputs &aligned, const QString &name)
{
    for (const DroppedLlm &llm : aligned.dropped)
        if (llm.name == name)
            return llm.reason;
    return QStringLiteral("(not dropped)");
}

}  // namespace

class TestLlmMatching : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void huggingFaceIds_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("id");
        QTest::newRow("package tuple") << "('pythia', 'EleutherAI/pythia-160m')"
                                       << "eleutherai/pythia-160m";
        QTest::newRow("double quotes, list") << "[\"fam\", \"Org/Model-X\"]"
                                             << "org/model-x";
        QTest::newRow("lm-eval checkpoint") << "EleutherAI/pythia-160m@step1000"
                                            << "eleutherai/pythia-160m@step1000";
        QTest::newRow("main is no revision") << "EleutherAI/pythia-160m@main"
                                             << "eleutherai/pythia-160m";
        QTest::newRow("no org") << "('gpt2', 'gpt2')"
                                << "gpt2";
        QTest::newRow("plain, spaces") << "  GPT2 "
                                       << "gpt2";
        QTest::newRow("not a tuple after all") << "('broken', "
                                               << "('broken',";
    }

    void huggingFaceIds()
    {
        QFETCH(QString, name);
        QFETCH(QString, id);
        QCOMPARE(huggingFaceId(name), id);
    }

    void editDistance()
    {
        QCOMPARE(boundedEditDistance("kitten", "sitting", 5), 3);
        QCOMPARE(boundedEditDistance("kitten", "sitting", 2), 3);  // beyond the limit: limit + 1
        QCOMPARE(boundedEditDistance("flaw", "lawn", 5), 2);
        QCOMPARE(boundedEditDistance("", "abc", 5), 3);
        QCOMPARE(boundedEditDistance("same", "same", 0), 0);
        QCOMPARE(boundedEditDistance("a", "abcdefgh", 3), 4);  // the lengths alone say so
    }

    void closestNames()
    {
        const QStringList candidates { "('stablelm', 'stabilityai/stablelm-2-1_6b')",
                                       "('pythia', 'EleutherAI/pythia-160m')",
                                       "('pythia', 'EleutherAI/pythia-410m')",
                                       "('pythia', 'EleutherAI/pythia-1b')", "('gpt2', 'gpt2')" };
        const ClosestNames exact(candidates, LlmMatching::Exact);
        // A family-label mismatch: the same id comes first, however far the names are.
        QCOMPARE(exact.closestTo("('stabilityai', 'stabilityai/stablelm-2-1_6b')"),
                 QStringList { candidates[0] });
        // A typo (and a case difference): nearest first, at most 3.
        QCOMPARE(exact.closestTo("('pythia', 'EleutherAI/Pythia-160M')"),
                 (QStringList { candidates[1], candidates[2], candidates[3] }));
        QCOMPARE(exact.closestTo("('pythia', 'EleutherAI/Pythia-160M')", 1),
                 QStringList { candidates[1] });
        QVERIFY(exact.closestTo("('mamba', 'state-spaces/mamba-130m-hf')").isEmpty());
        // By id, the family label does not count.
        const ClosestNames byId(candidates, LlmMatching::HfId);
        QCOMPARE(byId.closestTo("EleutherAI/pythia-410").first(), candidates[2]);
    }

    void hfIdMatchesAcrossNamingStyles()
    {
        const QStringList bpbNames { "('pythia', 'EleutherAI/pythia-160m')",
                                     "('pythia', 'EleutherAI/pythia-410m')", "('gpt2', 'gpt2')",
                                     "('opt', 'facebook/opt-125m')" };
        // As the lm-eval loader names them: model_name, with @REVISION for a checkpoint.
        const QStringList errorNames { "EleutherAI/Pythia-160m", "eleutherai/pythia-410m", "gpt2",
                                       "facebook/opt-125m@step1000" };
        const auto exact = alignInputs(bpbOf(bpbNames), errorsOf(errorNames), {}, "b.csv", "e.csv");
        QVERIFY(!exact.ok());
        QVERIFY(
            exact.error().reason.contains("no LLM appears in both files (matched by exact name)"));

        const auto aligned = alignInputs(bpbOf(bpbNames), errorsOf(errorNames),
                                         matchBy(LlmMatching::HfId), "b.csv", "e.csv");
        QVERIFY2(aligned.ok(), aligned.ok() ? "" : qPrintable(aligned.error().reason));
        QCOMPARE(aligned->llms, (QStringList { bpbNames[2], bpbNames[0], bpbNames[1] }));
        QCOMPARE(aligned->errorLlms, (QStringList { "gpt2", errorNames[0], errorNames[1] }));
        QCOMPARE(aligned->errors[1], 0.2);  // pythia-160m's error, matched by id
        // The revision is part of the id: the checkpoint is not the final model.
        QCOMPARE(aligned->dropped.size(), 2);
        QCOMPARE(reasonOf(*aligned, bpbNames[3]),
                 QStringLiteral("not in the benchmark file; closest there: "
                                "\"facebook/opt-125m@step1000\" (another revision)"));
        QCOMPARE(aligned->dropped[1].closest, QStringList { bpbNames[3] });
    }

    void sameIdWithIdenticalValuesIsOneModel()
    {
        QStringList bpbNames { "('llm360', 'LLM360/Amber')", "('x', 'org/a')", "('x', 'org/b')",
                               "('amber', 'LLM360/Amber')" };
        BpbMatrix m = bpbOf(bpbNames);
        m.values.row(3) = m.values.row(0);
        BenchmarkErrors e = errorsOf({ "LLM360/Amber", "org/a", "org/b", "llm360/amber" });
        e.values(0, 3) = e.values(0, 0);
        const auto aligned = alignInputs(m, e, matchBy(LlmMatching::HfId), "b.csv", "e.csv");
        QVERIFY2(aligned.ok(), aligned.ok() ? "" : qPrintable(aligned.error().reason));
        QCOMPARE(aligned->llms.size(), 3);
        QVERIFY(aligned->llms.contains(bpbNames[0]));  // the first name is kept
        QCOMPARE(aligned->duplicates.size(), 2);
        QCOMPARE(aligned->duplicates[0].kept, bpbNames[0]);
        QCOMPARE(aligned->duplicates[0].other, bpbNames[3]);
        QVERIFY(aligned->duplicates[0].otherDropped);
        QCOMPARE(reasonOf(*aligned, bpbNames[3]),
                 QStringLiteral("duplicate of \"('llm360', 'LLM360/Amber')\" (the same "
                                "Hugging Face id 'llm360/amber', identical BPB values)"));
        QVERIFY(reasonOf(*aligned, "llm360/amber").startsWith("duplicate of \"LLM360/Amber\""));
        // One warning line per side, each naming both.
        QCOMPARE(aligned->warnings.size(), 2);
        QVERIFY(aligned->warnings[0].reason.startsWith("BPB-file names"));
        QVERIFY(aligned->warnings[0].reason.contains(
            "(1 pair; first: \"('llm360', 'LLM360/Amber')\" and \"('amber', 'LLM360/Amber')\")"));
        QCOMPARE(aligned->warnings[0].file, QStringLiteral("b.csv"));
        QCOMPARE(aligned->warnings[1].file, QStringLiteral("e.csv"));
    }

    void sameIdWithDifferentValuesIsAnError()
    {
        const QStringList bpbNames { "('a', 'org/m')", "('x', 'org/p')", "('x', 'org/q')",
                                     "('b', 'org/m')" };
        const auto bpbSide = alignInputs(bpbOf(bpbNames), errorsOf({ "org/m", "org/p", "org/q" }),
                                         matchBy(LlmMatching::HfId), "b.csv", "e.csv");
        QVERIFY(!bpbSide.ok());
        QCOMPARE(bpbSide.error().kind, ErrorKind::BadInput);
        QCOMPARE(bpbSide.error().file, QStringLiteral("b.csv"));
        QVERIFY2(
            bpbSide.error().reason.startsWith("\"('a', 'org/m')\" and \"('b', 'org/m')\" (BPB "
                                              "file) both match \"org/m\" of the benchmark "
                                              "file (the same Hugging Face id 'org/m') but have "
                                              "different BPB values"),
            qPrintable(bpbSide.error().reason));
        const auto errorsSide = alignInputs(bpbOf({ "org/m", "org/p", "org/q" }),
                                            errorsOf({ "Org/M", "org/p", "org/q", "org/m" }),
                                            matchBy(LlmMatching::HfId), "b.csv", "e.csv");
        QVERIFY(!errorsSide.ok());
        QCOMPARE(errorsSide.error().file, QStringLiteral("e.csv"));
        QVERIFY2(errorsSide.error().reason.contains("\"Org/M\" and \"org/m\" (benchmark file)"),
                 qPrintable(errorsSide.error().reason));
        // A pair that matches nothing is not a conflict: both are simply unmatched.
        const auto unmatched
            = alignInputs(bpbOf(bpbNames), errorsOf({ "org/p", "org/q", "org/r", "org/s" }),
                          matchBy(LlmMatching::HfId));
        QVERIFY(!unmatched.ok());
        QVERIFY(unmatched.error().reason.contains("at least 3 are needed"));
    }

    void identicalBpbRowsAreWarnedAboutAndDeduped()
    {
        const QStringList names { "p", "q", "r", "s", "t", "u", "v" };
        BpbMatrix m = bpbOf(names);
        m.values.row(1) = m.values.row(0);  // q = p
        m.values.row(3) = m.values.row(2);  // s = r
        m.values.row(5) = m.values.row(2);  // u = r
        const BenchmarkErrors e = errorsOf(names);
        const auto kept = alignInputs(m, e, {}, "b.csv");
        QVERIFY(kept.ok());
        QCOMPARE(kept->llms.size(), 7);
        QCOMPARE(kept->duplicates.size(), 3);
        // Grouped: one line with the count and the first pair, not one line per pair.
        QCOMPARE(kept->warnings.size(), 1);
        QVERIFY2(kept->warnings[0].reason.contains("identical BPB values in every text")
                     && kept->warnings[0].reason.contains("--dedupe-llms keeps the first")
                     && kept->warnings[0].reason.contains("(3 pairs; first: \"p\" and \"q\", "
                                                          "identical BPB values in every text, "
                                                          "different benchmark values)"),
                 qPrintable(kept->warnings[0].reason));

        const auto deduped = alignInputs(m, e, matchBy(LlmMatching::Exact, true), "b.csv");
        QVERIFY(deduped.ok());
        QCOMPARE(deduped->llms, (QStringList { "p", "r", "t", "v" }));
        QCOMPARE(deduped->dropped.size(), 3);
        QCOMPARE(reasonOf(*deduped, "u"),
                 QStringLiteral("duplicate of \"r\" (identical BPB values in every text, different "
                                "benchmark values; --dedupe-llms)"));
        QVERIFY(deduped->warnings[0].reason.contains("the other dropped (--dedupe-llms) (3 pairs"));
    }

    void mapFile()
    {
        const QString mapPath
            = test::writeFile(m_dir, "map.csv",
                              "bpb_name,errors_name\n"
                              "\"('stabilityai', 'stabilityai/stablelm-2-1_6b')\",stablelm-2\n"
                              "renamed,\"Org/Original\"\n");
        const auto map = loadLlmMap(mapPath);
        QVERIFY2(map.ok(), map.ok() ? "" : qPrintable(map.error().toString()));
        QCOMPARE(map->entries.size(), 2);
        QCOMPARE(map->entries[1].line, 3);
        const QStringList bpbNames { "('stabilityai', 'stabilityai/stablelm-2-1_6b')", "renamed",
                                     "same", "('x', 'org/other')" };
        const QStringList errorNames { "stablelm-2", "Org/Original", "same", "org/other" };
        AlignOptions options;
        options.llmMap = *map;
        const auto exactRest = alignInputs(bpbOf(bpbNames), errorsOf(errorNames), options);
        QVERIFY(exactRest.ok());
        QCOMPARE(exactRest->llms, (QStringList { bpbNames[0], "renamed", "same" }));
        QCOMPARE(exactRest->errorLlms, (QStringList { "stablelm-2", "Org/Original", "same" }));
        QCOMPARE(exactRest->llmMapPath, mapPath);
        // The names the map leaves out are matched by --match.
        options.matching = LlmMatching::HfId;
        const auto idRest = alignInputs(bpbOf(bpbNames), errorsOf(errorNames), options);
        QVERIFY(idRest.ok());
        QCOMPARE(idRest->llms.size(), 4);
    }

    void mapFileErrors_data()
    {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<qint64>("line");
        QTest::addColumn<QString>("phrase");
        QTest::newRow("columns") << QByteArray("bpb,errors\na,b\n") << qint64(1)
                                 << "needs the columns bpb_name and errors_name";
        QTest::newRow("ragged") << QByteArray("bpb_name,errors_name\na,b\nc\n") << qint64(3)
                                << "ragged row";
        QTest::newRow("empty name")
            << QByteArray("bpb_name,errors_name\na,\n") << qint64(2) << "empty";
        QTest::newRow("mapped twice")
            << QByteArray("bpb_name,errors_name\na,b\nc,d\na,e\n") << qint64(4)
            << "the BPB LLM \"a\" is mapped twice (first on line 2)";
    }

    void mapFileErrors()
    {
        QFETCH(QByteArray, contents);
        QFETCH(qint64, line);
        QFETCH(QString, phrase);
        const QString path
            = test::writeFile(m_dir, QStringLiteral("bad_%1.csv").arg(line), contents);
        const auto map = loadLlmMap(path);
        QVERIFY(!map.ok());
        QCOMPARE(map.error().kind, ErrorKind::BadInput);
        QCOMPARE(map.error().file, path);
        QCOMPARE(map.error().line, line);
        QVERIFY2(map.error().reason.contains(phrase), qPrintable(map.error().reason));
    }

    void mapNamingUnknownLlms()
    {
        const QString path
            = test::writeFile(m_dir, "unknown.csv", "bpb_name,errors_name\na,a\npythia-160,x\n");
        const auto map = loadLlmMap(path);
        QVERIFY(map.ok());
        AlignOptions options;
        options.llmMap = *map;
        const auto aligned
            = alignInputs(bpbOf({ "a", "pythia-160m", "c" }), errorsOf({ "a", "x", "c" }), options);
        QVERIFY(!aligned.ok());
        QCOMPARE(aligned.error().file, path);
        QCOMPARE(aligned.error().line, 3);
        QVERIFY2(aligned.error().reason.startsWith("\"pythia-160\" is not an LLM of the BPB file; "
                                                   "closest there: \"pythia-160m\""),
                 qPrintable(aligned.error().reason));
        const QString errorsSide
            = test::writeFile(m_dir, "unknown2.csv", "bpb_name,errors_name\nc,cc\n");
        options.llmMap = *loadLlmMap(errorsSide);
        const auto other
            = alignInputs(bpbOf({ "a", "b", "c" }), errorsOf({ "a", "b", "c" }), options);
        QVERIFY(!other.ok());
        QCOMPARE(other.error().line, 2);
        QVERIFY(other.error().reason.startsWith("\"cc\" is not an LLM of the benchmark file"));
    }

    void mapSendingTwoNamesToOneLlm()
    {
        const QString path
            = test::writeFile(m_dir, "two.csv", "bpb_name,errors_name\nfirst,m\nsecond,m\n");
        AlignOptions options;
        options.llmMap = *loadLlmMap(path);
        BpbMatrix m = bpbOf({ "first", "a", "b", "second" });
        const BenchmarkErrors e = errorsOf({ "m", "a", "b" });
        const auto different = alignInputs(m, e, options, "b.csv");
        QVERIFY(!different.ok());
        QVERIFY2(different.error().reason.contains("\"first\" and \"second\" (BPB file) both "
                                                   "match \"m\" of the benchmark file (both "
                                                   "mapped to it by "
                                                   + path
                                                   + ") but have "
                                                     "different BPB values"),
                 qPrintable(different.error().reason));
        // One name mapped, the other matching by name: said as it is.
        const QString one = test::writeFile(m_dir, "one.csv", "bpb_name,errors_name\nsecond,m\n");
        AlignOptions oneMapped;
        oneMapped.llmMap = *loadLlmMap(one);
        const auto mixed = alignInputs(bpbOf({ "m", "a", "b", "second" }), e, oneMapped, "b.csv");
        QVERIFY(!mixed.ok());
        QVERIFY2(mixed.error().reason.contains("(one mapped to it by " + one
                                               + ", the other by the same name)"),
                 qPrintable(mixed.error().reason));
        m.values.row(3) = m.values.row(0);
        const auto same = alignInputs(m, e, options, "b.csv");
        QVERIFY(same.ok());
        QCOMPARE(same->llms, (QStringList { "a", "b", "first" }));
        QVERIFY(reasonOf(*same, "second").startsWith("duplicate of \"first\""));
    }
};

QTEST_GUILESS_MAIN(TestLlmMatching)
#include "tst_llmmatching.moc"
