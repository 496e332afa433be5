// Per-chunk losses → BPB: hand-worked values, token weighting (not a mean of chunk BPBs), dropped
// chunks, groupings, bad input, and a round trip through `select`.
#include "core/bpb/lossaggregate.h"
#include "core/demo/demodata.h"
#include "core/io/bpbloader.h"
#include "core/io/bpbwriter.h"
#include "core/io/namedvalues.h"
#include "core/io/npywriter.h"
#include "tests/common/faults.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QProcess>
#include <QTest>

#include <cmath>
#include <numbers>

using namespace pcs;

namespace {

constexpr double kLn2 = std::numbers::ln2;

int runCli(const QStringList &arguments, QByteArray *err = nullptr)
{
    QProcess process;
    process.start(test::cliPath(), arguments);
    if (!process.waitForFinished(120000))
        return -1;
    if (err)
        *err = process.readAllStandardError();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

}  // namespace

class TestLossAggregate : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void tokenWeightedNotAMeanOfChunkBpbs()
    {
        // Text t1 for LLM a: chunk 1 has 10 tokens at 2.0 nats over 40 bytes (0.5/ln2 bpb), chunk
        // 2 has 30 tokens at 1.0 nats over 120 bytes (0.25/ln2 bpb). Token-weighted: 50 nats over
        // 160 bytes; the mean of the two chunk BPBs would be 0.375/ln2.
        const QString path = test::writeFile(m_dir, QStringLiteral("hand.csv"),
                                             "llm,text,chunk,loss,tokens,bytes\n"
                                             "a,t1,0,2.0,10,40\n"
                                             "a,t1,1,1.0,30,120\n"
                                             "b,t1,0,1.5,20,80\n"
                                             "b,t1,1,NaN,10,40\n"
                                             "a,t2,0,3.0,5,10\n"
                                             "b,t2,0,,5,10\n");
        auto aggregate = aggregateLosses({ path }, LossGrouping::Text);
        QVERIFY2(aggregate.ok(), aggregate.ok() ? "" : qPrintable(aggregate.error().toString()));
        const BpbMatrix &m = aggregate->matrix;
        QCOMPARE(m.llms, (QStringList { QStringLiteral("a"), QStringLiteral("b") }));
        QCOMPARE(m.texts, (QStringList { QStringLiteral("t1"), QStringLiteral("t2") }));
        QCOMPARE(m.values(0, 0), 50.0 / (kLn2 * 160.0));
        QVERIFY(std::abs(m.values(0, 0) - 0.375 / kLn2) > 0.05);  // not the mean of chunk BPBs
        QCOMPARE(m.values(1, 0), 30.0 / (kLn2 * 80.0));  // the NaN chunk is dropped
        QCOMPARE(m.values(0, 1), 15.0 / (kLn2 * 10.0));
        QVERIFY(std::isnan(m.values(1, 1)));  // no usable chunk: an empty cell
        QCOMPARE(aggregate->chunksRead, 6);
        QCOMPARE(aggregate->chunksDropped, 2);
        QCOMPARE(aggregate->emptyCells, 1);
        QVERIFY(aggregate->dropped.first().startsWith(path + QStringLiteral(":5: b, t1/1")));

        // By chunk: one row per chunk.
        auto chunks = aggregateLosses({ path }, LossGrouping::Chunk);
        QVERIFY(chunks.ok());
        QCOMPARE(chunks->matrix.texts.size(), 3);
        QCOMPARE(chunks->matrix.values(0, 1), 30.0 / (kLn2 * 120.0));
    }

    void writesCsvAndNpyThatLoadBack()
    {
        // Names the CSV layout must quote (commas, quotes) or keep as they are (spaces).
        const QString path = test::writeFile(m_dir, QStringLiteral("write.csv"),
                                             "llm,text,loss,tokens,bytes\n"
                                             "\"('f', 'a,b')\",t1,2.0,10,40\n"
                                             "\"('f', 'a,b')\",\"t,2 \"\"q\"\"\",1.0,10,20\n"
                                             "c,t1,1.5,10,30\n"
                                             "\"say \"\"hi\"\", ok\",\"\"\"lead\",1.25,8,16\n");
        auto aggregate = aggregateLosses({ path }, LossGrouping::Text);
        QVERIFY2(aggregate.ok(), aggregate.ok() ? "" : qPrintable(aggregate.error().toString()));
        QCOMPARE(aggregate->matrix.llms,
                 (QStringList { QStringLiteral("('f', 'a,b')"), QStringLiteral("c"),
                                QStringLiteral("say \"hi\", ok") }));
        QCOMPARE(aggregate->matrix.texts,
                 (QStringList { QStringLiteral("t1"), QStringLiteral("t,2 \"q\""),
                                QStringLiteral("\"lead") }));
        for (const QString &name : { QStringLiteral("out.csv"), QStringLiteral("out.npy") }) {
            const QString out = m_dir.filePath(name);
            QVERIFY(
                writeBpbMatrix(out, aggregate->matrix, bpbLabelColumn(LossGrouping::Text)).ok());
            auto loaded = loadBpbMatrix(out);
            QVERIFY2(loaded.ok(), loaded.ok() ? "" : qPrintable(loaded.error().toString()));
            QCOMPARE(loaded->llms, aggregate->matrix.llms);
            QCOMPARE(loaded->texts, aggregate->matrix.texts);
            QCOMPARE(loaded->values(0, 0), aggregate->matrix.values(0, 0));
            QCOMPARE(loaded->values(0, 1), aggregate->matrix.values(0, 1));
            QCOMPARE(loaded->values(2, 2), aggregate->matrix.values(2, 2));
            QVERIFY(std::isnan(loaded->values(1, 1)));  // c has no t2: an empty cell stays missing
        }
        // The package's style: LLM names always quoted; labels only when they must be.
        QFile csv(m_dir.filePath(QStringLiteral("out.csv")));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readLine(), QByteArray("id,\"('f', 'a,b')\",\"c\",\"say \"\"hi\"\", ok\"\n"));
        QVERIFY(csv.readLine().startsWith("t1,"));
        QVERIFY(csv.readLine().startsWith("\"t,2 \"\"q\"\"\","));
    }

    // An LLM called like a label column would read back as labels from the CSV layout: refused
    // there (naming the LLM and the way out), kept by the .npy layout.
    void llmNamedLikeALabelColumn_data()
    {
        QTest::addColumn<QString>("llm");
        QTest::addColumn<int>("grouping");
        for (const char *label : { "id", "chunk", "domain" }) {
            for (const LossGrouping grouping :
                 { LossGrouping::Text, LossGrouping::Domain, LossGrouping::Chunk })
                QTest::addRow("%s by %s", label, qPrintable(lossGroupingName(grouping)))
                    << QString::fromLatin1(label) << int(grouping);
        }
    }

    void llmNamedLikeALabelColumn()
    {
        QFETCH(QString, llm);
        QFETCH(int, grouping);
        QTemporaryDir dir;
        const QString losses = test::writeFile(dir, QStringLiteral("losses.csv"),
                                               "llm,text,chunk,domain,loss,tokens,bytes\n"
                                               "real,t1,0,d,1.0,10,40\n"
                                                   + llm.toUtf8() + ",t1,0,d,2.0,10,40\n");
        auto aggregate = aggregateLosses({ losses }, LossGrouping(grouping));
        QVERIFY(aggregate.ok());
        const QString csv = dir.filePath(QStringLiteral("out.csv"));
        const Status written
            = writeBpbMatrix(csv, aggregate->matrix, bpbLabelColumn(LossGrouping(grouping)));
        QVERIFY(!written);
        QCOMPARE(written.error().kind, ErrorKind::BadInput);
        QCOMPARE(written.error().file, csv);
        QVERIFY2(written.error().reason.contains(QStringLiteral("the LLM \"%1\"").arg(llm)),
                 qPrintable(written.error().reason));
        QVERIFY2(written.error().reason.contains(QStringLiteral(".npy")),
                 qPrintable(written.error().reason));
        QVERIFY(!QFileInfo::exists(csv));

        const QString npy = dir.filePath(QStringLiteral("out.npy"));
        QVERIFY(
            writeBpbMatrix(npy, aggregate->matrix, bpbLabelColumn(LossGrouping(grouping))).ok());
        auto loaded = loadBpbMatrix(npy);
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->llms, (QStringList { QStringLiteral("real"), llm }));
        QCOMPARE(loaded->values(1, 0), aggregate->matrix.values(1, 0));

        // The CLI says the same and exits 2.
        const test::CliRun run = test::runCli(
            { QStringLiteral("bpb"), QStringLiteral("aggregate"), QStringLiteral("--losses"),
              losses, QStringLiteral("--by"), lossGroupingName(LossGrouping(grouping)),
              QStringLiteral("--output"), dir.filePath(QStringLiteral("cli.csv")) });
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(".npy"), run.err.constData());
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("cli.csv"))));
    }

    // Names a matrix cannot hold are refused where they come from, shown escaped.
    void namesWithLineBreaksOrTabs_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<int>("grouping");
        QTest::addColumn<QString>("expected");
        QTest::newRow("LLM with a newline (CSV)")
            << "nl.csv" << QByteArray("llm,text,loss,tokens,bytes\nok,t,1,1,1\n\"a\nb\",t,1,1,1\n")
            << int(LossGrouping::Text)
            << ":3: the LLM name \"a\\nb\" cannot name a row or column of the BPB matrix: it "
               "holds a newline";
        QTest::newRow("text with a tab (CSV)")
            << "tab.csv" << QByteArray("llm,text,loss,tokens,bytes\na,\"x\ty\",1,1,1\n")
            << int(LossGrouping::Text) << ":2: the text name \"x\\ty\"";
        QTest::newRow("text with a CR (JSONL)")
            << "cr.jsonl"
            << QByteArray(
                   "{\"llm\":\"a\",\"text\":\"ok\",\"loss\":1,\"tokens\":1,\"bytes\":1}\n"
                   "{\"llm\":\"a\",\"text\":\"x\\ry\",\"loss\":1,\"tokens\":1,\"bytes\":1}\n")
            << int(LossGrouping::Text) << ":2: the text name \"x\\ry\"";
        QTest::newRow("domain with a newline (JSONL)")
            << "dom.jsonl"
            << QByteArray("{\"llm\":\"a\",\"text\":\"t\",\"domain\":\"w\\n\",\"loss\":1,"
                          "\"tokens\":1,\"bytes\":1}\n")
            << int(LossGrouping::Domain) << ":1: the domain name \"w\\n\"";
        QTest::newRow("chunk with a newline, by chunk")
            << "chunk.csv" << QByteArray("llm,text,chunk,loss,tokens,bytes\na,t,\"1\n2\",1,1,1\n")
            << int(LossGrouping::Chunk) << ":2: the text name \"t/1\\n2\"";
        QTest::newRow("blank LLM (JSONL)")
            << "blank.jsonl"
            << QByteArray("{\"llm\":\"  \",\"text\":\"t\",\"loss\":1,\"tokens\":1,\"bytes\":1}\n")
            << int(LossGrouping::Text)
            << ":1: the LLM name \"  \" cannot name a row or column "
               "of the BPB matrix: it is blank";
        QTest::newRow("one chunk name from two rows")
            << "clash.csv"
            << QByteArray("llm,text,chunk,loss,tokens,bytes\na,t,1,1,1,1\na,t/1,,1,1,1\n")
            << int(LossGrouping::Chunk) << ":3: the chunk name \"t/1\" is made by two";
    }

    void namesWithLineBreaksOrTabs()
    {
        QFETCH(QString, fileName);
        QFETCH(QByteArray, contents);
        QFETCH(int, grouping);
        QFETCH(QString, expected);
        const QString path = test::writeFile(m_dir, fileName, contents);
        auto aggregate = aggregateLosses({ path }, LossGrouping(grouping));
        QVERIFY(!aggregate.ok());
        QCOMPARE(aggregate.error().kind, ErrorKind::BadInput);
        QVERIFY2(aggregate.error().toString().startsWith(path + expected),
                 qPrintable(aggregate.error().toString()));
    }

    // A full disk during `bpb aggregate --output M.npy`: exit 1, and the previous matrix with
    // its name files is left as it was (no new names beside the old matrix).
    void fullDiskLeavesTheOldNpySet()
    {
        QTemporaryDir dir;
        QByteArray small = "llm,text,loss,tokens,bytes\n";
        QByteArray large = small;
        for (int j = 0; j < 400; ++j) {
            for (const char *llm : { "a", "b" }) {
                large += QByteArray(llm) + ",text-" + QByteArray::number(j) + ",1.5,10,40\n";
                if (j < 3)
                    small += QByteArray(llm) + ",old-" + QByteArray::number(j) + ",2.5,10,40\n";
            }
        }
        const QString output = dir.filePath(QStringLiteral("m.npy"));
        const QStringList args { QStringLiteral("bpb"), QStringLiteral("aggregate"),
                                 QStringLiteral("--losses") };
        const test::CliRun first
            = test::runCli(args
                           + QStringList { test::writeFile(dir, QStringLiteral("small.csv"), small),
                                           QStringLiteral("--output"), output });
        QCOMPARE(first.exitCode, 0);
        const QStringList files { output, npyTextsFileFor(output), npyLlmsFileFor(output) };
        QByteArray before;
        for (const QString &file : files) {
            QFile in(file);
            QVERIFY(in.open(QIODevice::ReadOnly));
            before += in.readAll() + '|';
        }
        // 2 × 400 doubles are 6400 bytes: more than the limit; every name file is smaller.
        const test::CliRun full = test::runCli(
            args
                + QStringList { test::writeFile(dir, QStringLiteral("large.csv"), large),
                                QStringLiteral("--output"), output },
            4096);
        QVERIFY(!full.crashed);
        QCOMPARE(full.exitCode, 1);
        QVERIFY2(full.err.contains("File too large"), full.err.constData());
        QByteArray after;
        for (const QString &file : files) {
            QFile in(file);
            QVERIFY(in.open(QIODevice::ReadOnly));
            after += in.readAll() + '|';
        }
        QCOMPARE(after, before);
        auto loaded = loadBpbMatrix(output);
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->texts.first(), QStringLiteral("old-0"));
        // Nothing left behind but the inputs and the old set.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::System).size(), 5);
    }

    void domainsJsonlAndFileNamedLlms()
    {
        // One JSONL file per LLM, named after it; grouped by domain.
        const QString llmA = test::writeFile(
            m_dir, QStringLiteral("per-llm/model-a.jsonl"),
            "{\"text\":\"x1\",\"domain\":\"wiki\",\"loss\":1.0,\"tokens\":10,\"bytes\":30}\n"
            "{\"text\":\"x2\",\"domain\":\"wiki\",\"loss\":2.0,\"tokens\":10,\"bytes\":30}\n"
            "{\"id\":\"x3\",\"domain\":\"code\",\"loss\":0.5,\"tokens\":4,\"bytes\":8}\n");
        const QString llmB = test::writeFile(
            m_dir, QStringLiteral("per-llm/model-b.jsonl"),
            "{\"text\":\"x1\",\"domain\":\"wiki\",\"loss\":1.5,\"tokens\":10,\"bytes\":30}\n"
            "{\"text\":\"x3\",\"domain\":\"code\",\"loss\":null,\"tokens\":4,\"bytes\":8}\n");
        auto aggregate = aggregateLosses({ llmA, llmB }, LossGrouping::Domain);
        QVERIFY2(aggregate.ok(), aggregate.ok() ? "" : qPrintable(aggregate.error().toString()));
        QCOMPARE(aggregate->matrix.llms,
                 (QStringList { QStringLiteral("model-a"), QStringLiteral("model-b") }));
        QCOMPARE(aggregate->matrix.texts,
                 (QStringList { QStringLiteral("wiki"), QStringLiteral("code") }));
        QCOMPARE(aggregate->matrix.values(0, 0), 30.0 / (kLn2 * 60.0));
        QCOMPARE(aggregate->matrix.values(0, 1), 2.0 / (kLn2 * 8.0));
        QCOMPARE(aggregate->matrix.values(1, 0), 15.0 / (kLn2 * 30.0));
        QVERIFY(std::isnan(aggregate->matrix.values(1, 1)));
    }

    void badInputIsLocated_data()
    {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no loss column") << QByteArray("llm,text,tokens,bytes\na,t,1,1\n")
                                        << QStringLiteral(":1: no loss column");
        QTest::newRow("negative tokens") << QByteArray("llm,text,loss,tokens,bytes\na,t,1,-1,4\n")
                                         << QStringLiteral(":2: tokens must be");
        QTest::newRow("tokens over no bytes")
            << QByteArray("llm,text,loss,tokens,bytes\na,t,1,3,0\n")
            << QStringLiteral(":2: 3 tokens over 0 bytes");
        QTest::newRow("twice") << QByteArray("llm,text,loss,tokens,bytes\na,t,1,3,4\na,t,1,3,4\n")
                               << QStringLiteral(":3: the chunk");
        QTest::newRow("tokens text") << QByteArray("llm,text,loss,tokens,bytes\na,t,1,many,4\n")
                                     << QStringLiteral(":2: tokens and bytes must be numbers");
        QTest::newRow("no domain") << QByteArray("llm,text,domain,loss,tokens,bytes\na,t,,1,3,4\n")
                                   << QStringLiteral(":2: no domain");
    }

    void badInputIsLocated()
    {
        QFETCH(QByteArray, contents);
        QFETCH(QString, expected);
        const QString path
            = test::writeFile(m_dir,
                              QStringLiteral("bad-%1.csv")
                                  .arg(QString::fromLatin1(QTest::currentDataTag())
                                           .replace(QLatin1Char(' '), QLatin1Char('-'))),
                              contents);
        auto aggregate = aggregateLosses({ path },
                                         QByteArray(QTest::currentDataTag()) == "no domain"
                                             ? LossGrouping::Domain
                                             : LossGrouping::Text);
        QVERIFY(!aggregate.ok());
        QVERIFY2(aggregate.error().toString().contains(expected),
                 qPrintable(aggregate.error().toString()));
    }

    // Losses made from a known BPB matrix aggregate back to it, and `select` on the aggregate
    // gives the estimates `select` gives on the matrix itself.
    void roundTripThroughSelect()
    {
        const DemoDataset demo = generateDemoDataset({ 30, 200, 5 });
        auto files = writeDemoDataset(demo, m_dir.filePath(QStringLiteral("demo")));
        QVERIFY(files.ok());
        QByteArray losses = "llm,text,chunk,loss,tokens,bytes\n";
        for (Eigen::Index i = 0; i < demo.bpb.values.rows(); ++i) {
            for (Eigen::Index j = 0; j < demo.bpb.values.cols(); ++j) {
                // Two chunks of different sizes whose token-weighted BPB is the matrix value.
                const double bytes1 = 300 + double((i * 7 + j) % 50), bytes2 = 900;
                const double tokens1 = 80, tokens2 = 210;
                const double loss
                    = demo.bpb.values(i, j) * kLn2 * (bytes1 + bytes2) / (tokens1 + tokens2);
                for (int c = 0; c < 2; ++c) {
                    losses += '"' + demo.bpb.llms[i].toUtf8().replace("\"", "\"\"") + "\","
                        + demo.bpb.texts[j].toUtf8() + ',' + QByteArray::number(c) + ','
                        + QByteArray::number(loss, 'g', 17) + ','
                        + QByteArray::number(c == 0 ? tokens1 : tokens2) + ','
                        + QByteArray::number(c == 0 ? bytes1 : bytes2) + '\n';
                }
            }
        }
        const QString lossPath = test::writeFile(m_dir, QStringLiteral("demo-losses.csv"), losses);
        const QString bpbPath = m_dir.filePath(QStringLiteral("aggregated.csv"));
        const QString report = m_dir.filePath(QStringLiteral("aggregate-report.json"));
        QByteArray err;
        QCOMPARE(
            runCli({ QStringLiteral("bpb"), QStringLiteral("aggregate"), QStringLiteral("--losses"),
                     lossPath, QStringLiteral("--by"), QStringLiteral("text"),
                     QStringLiteral("--output"), bpbPath, QStringLiteral("--report"), report },
                   &err),
            0);
        auto aggregated = loadBpbMatrix(bpbPath);
        QVERIFY2(aggregated.ok(), aggregated.ok() ? "" : qPrintable(aggregated.error().toString()));
        QCOMPARE(aggregated->texts, demo.bpb.texts);
        double worst = 0;
        for (Eigen::Index i = 0; i < demo.bpb.values.rows(); ++i) {
            const qsizetype row = aggregated->llms.indexOf(demo.bpb.llms[i]);
            QVERIFY(row >= 0);
            for (Eigen::Index j = 0; j < demo.bpb.values.cols(); ++j)
                worst = std::max(worst,
                                 std::abs(aggregated->values(row, j) - demo.bpb.values(i, j))
                                     / demo.bpb.values(i, j));
        }
        QVERIFY2(worst < 1e-14, qPrintable(QString::number(worst)));

        const QString direct = m_dir.filePath(QStringLiteral("direct.csv"));
        const QString viaLosses = m_dir.filePath(QStringLiteral("via-losses.csv"));
        for (const auto &[bpb, output] :
             { std::pair { files->bpb, direct }, std::pair { bpbPath, viaLosses } })
            QCOMPARE(
                runCli({ QStringLiteral("select"), QStringLiteral("--bpb"), bpb,
                         QStringLiteral("--errors"), files->errors, QStringLiteral("--keep-ratio"),
                         QStringLiteral("0.2"), QStringLiteral("--output"), output }),
                0);
        const auto a = loadNamedValues(direct, QStringLiteral("text"), QStringLiteral("estimate"));
        const auto b
            = loadNamedValues(viaLosses, QStringLiteral("text"), QStringLiteral("estimate"));
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(a->names, b->names);
        for (std::size_t k = 0; k < a->values.size(); ++k)
            QVERIFY(std::abs(a->values[k] - b->values[k]) < 1e-12);
        const auto wa = loadNamedValues(direct, QStringLiteral("text"), QStringLiteral("weight"));
        const auto wb
            = loadNamedValues(viaLosses, QStringLiteral("text"), QStringLiteral("weight"));
        QVERIFY(wa.ok() && wb.ok());
        QCOMPARE(wa->values, wb->values);
    }
};

QTEST_GUILESS_MAIN(TestLossAggregate)
#include "tst_lossaggregate.moc"
