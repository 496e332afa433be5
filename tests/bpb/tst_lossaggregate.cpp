// Per-chunk losses → BPB: hand-worked values, token weighting (not a mean of chunk BPBs), dropped
// chunks, groupings, bad input, and a round trip through `select`.
#include "bpb/lossaggregate.h"
#include "common/testdata.h"
#include "demo/demodata.h"
#include "io/bpbloader.h"
#include "io/namedvalues.h"

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
        const QString path = test::writeFile(m_dir, QStringLiteral("write.csv"),
                                             "llm,text,loss,tokens,bytes\n"
                                             "\"('f', 'a,b')\",t1,2.0,10,40\n"
                                             "\"('f', 'a,b')\",t2,1.0,10,20\n"
                                             "c,t1,1.5,10,30\n");
        auto aggregate = aggregateLosses({ path }, LossGrouping::Text);
        QVERIFY(aggregate.ok());
        for (const QString &name : { QStringLiteral("out.csv"), QStringLiteral("out.npy") }) {
            const QString out = m_dir.filePath(name);
            QVERIFY(writeBpbMatrix(out, aggregate->matrix, LossGrouping::Text).ok());
            auto loaded = loadBpbMatrix(out);
            QVERIFY2(loaded.ok(), loaded.ok() ? "" : qPrintable(loaded.error().toString()));
            QCOMPARE(loaded->llms, aggregate->matrix.llms);
            QCOMPARE(loaded->texts, aggregate->matrix.texts);
            QCOMPARE(loaded->values(0, 0), aggregate->matrix.values(0, 0));
            QCOMPARE(loaded->values(0, 1), aggregate->matrix.values(0, 1));
            QVERIFY(std::isnan(loaded->values(1, 1)));  // c has no t2: an empty cell stays missing
        }
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
