// Outputs never replace inputs: every command refuses, before any work, an output that names an
// input (directly, through a symbolic link, or inside an input folder), exits 2 naming both
// files, and leaves the input byte for byte as it was.
#include "core/review/queuestore.h"
#include "tests/common/faults.h"
#include "tests/common/testdata.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTest>

using namespace pcs;

namespace {

const QByteArray kBpb = "id,a,b,c,d,e\n"
                        "t1,1.0,1.1,1.2,1.3,1.4\n"
                        "t2,1.4,1.3,1.2,1.1,1.0\n"
                        "t3,2.0,2.5,2.1,2.4,2.2\n"
                        "t4,0.5,0.6,0.6,0.7,0.9\n";
const QByteArray kErrors = "benchmark,e,d,c,b,a\n"
                           "arc,0.5,0.4,0.3,0.2,0.1\n";
const QByteArray kLosses = "llm,text,loss,tokens,bytes\n"
                           "m1,t1,2.0,10,40\n"
                           "m2,t1,2.5,10,40\n";
const QByteArray kTexts = "{\"id\": \"a\", \"text\": \"first text\"}\n"
                          "{\"id\": \"b\", \"text\": \"second text\"}\n";

QByteArray fingerprint(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return "<missing>";
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

QString criteriaPath()
{
    return QStringLiteral(PCSTUDIO_SOURCE_DIR "/resources/criteria/deceptive-content.json");
}

}  // namespace

class TestCliOverwrites : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_bpb, m_errors, m_losses, m_texts, m_model, m_resultsFolder, m_queue, m_link;

private Q_SLOTS:
    void initTestCase()
    {
        m_bpb = test::writeFile(m_dir, QStringLiteral("bpb.csv"), kBpb);
        m_errors = test::writeFile(m_dir, QStringLiteral("errors.csv"), kErrors);
        m_losses = test::writeFile(m_dir, QStringLiteral("losses.csv"), kLosses);
        m_texts = test::writeFile(m_dir, QStringLiteral("texts.jsonl"), kTexts);
        // The check comes before the model is read: any file stands for it here.
        m_model = test::writeFile(m_dir, QStringLiteral("filter.bin"), "not read");
        QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("results")));
        m_resultsFolder = m_dir.filePath(QStringLiteral("results"));
        test::writeFile(m_dir, QStringLiteral("results/model-a.json"), "{\"results\": {}}");
        m_link = m_dir.filePath(QStringLiteral("link-to-bpb.csv"));
        QVERIFY(QFile::link(m_bpb, m_link));
        m_queue = m_dir.filePath(QStringLiteral("queue.sqlite"));
        const test::CliRun imported = test::runCli(
            { QStringLiteral("review"), QStringLiteral("import"), QStringLiteral("--db"), m_queue,
              QStringLiteral("--input"), m_texts, QStringLiteral("--criteria"), criteriaPath() });
        QVERIFY2(imported.exitCode == 0, imported.err.constData());
    }

    void outputOverAnInputIsRefused_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("output");  // as given on the command line
        QTest::addColumn<QString>("input");  // the input it would replace, as given
        const QString select = QStringLiteral("select");
        const QStringList selectInputs { QStringLiteral("--bpb"),        m_bpb,
                                         QStringLiteral("--errors"),     m_errors,
                                         QStringLiteral("--keep-ratio"), QStringLiteral("0.5") };
        QTest::newRow("select --output BPB")
            << (QStringList { select } + selectInputs + QStringList { "--output", m_bpb }) << m_bpb
            << m_bpb;
        const QString out = m_dir.filePath(QStringLiteral("out.csv"));
        QTest::newRow("select --report over the errors")
            << (QStringList { select } + selectInputs
                + QStringList { "--output", out, "--report", m_errors })
            << m_errors << m_errors;
        QTest::newRow("select --output, a symbolic link to the BPB")
            << (QStringList { select } + selectInputs + QStringList { "--output", m_link })
            << m_link << m_bpb;
        const QString inside = m_dir.filePath(QStringLiteral("results/distribution.csv"));
        QTest::newRow("select --output inside the --errors results folder")
            << QStringList { select,         "--bpb", m_bpb,      "--errors", m_resultsFolder,
                             "--keep-ratio", "0.5",   "--output", inside }
            << inside << m_resultsFolder;
        QTest::newRow("estimate --output BPB")
            << QStringList { "estimate", "--bpb", m_bpb, "--errors", m_errors, "--output", m_bpb }
            << m_bpb << m_bpb;
        QTest::newRow("filter apply --output INPUT")
            << QStringList { "filter", "apply",   "--model", m_model,    "--threshold",
                             "0.5",    "--input", m_texts,   "--output", m_texts }
            << m_texts << m_texts;
        QTest::newRow("filter apply --output MODEL")
            << QStringList { "filter", "apply",   "--model", m_model,    "--threshold",
                             "0.5",    "--input", m_texts,   "--output", m_model }
            << m_model << m_model;
        QTest::newRow("filter train --output over the distribution")
            << QStringList { "filter",         "train", "--texts",  m_texts,
                             "--distribution", m_bpb,   "--output", m_bpb }
            << m_bpb << m_bpb;
        QTest::newRow("bpb aggregate --output LOSSES")
            << QStringList { "bpb", "aggregate", "--losses", m_losses, "--output", m_losses }
            << m_losses << m_losses;
        QTest::newRow("bpb aggregate --report LOSSES")
            << QStringList { "bpb",      "aggregate", "--losses", m_losses,
                             "--output", out,         "--report", m_losses }
            << m_losses << m_losses;
        QTest::newRow("bpb compute --output TEXTS") << QStringList {
            "bpb",     "compute", "--texts",  m_texts, "--endpoint", "http://127.0.0.1:9/v1",
            "--model", "m",       "--output", m_texts
        } << m_texts << m_texts;
        QTest::newRow("review batch-export --output QUEUE.sqlite")
            << QStringList { "review",   "batch-export", "--db",    m_queue,
                             "--output", m_queue,        "--model", "m" }
            << m_queue << m_queue;
        QTest::newRow("review export --output SOURCE.jsonl")
            << QStringList { "review", "export", "--db", m_queue, "--output", m_texts } << m_texts
            << m_texts;
        const QString wal = m_queue + QStringLiteral("-wal");
        QTest::newRow("review export --log QUEUE.sqlite-wal")
            << QStringList { "review", "export", "--db", m_queue, "--output", out, "--log", wal }
            << wal << m_queue + QStringLiteral("-wal");
    }

    void outputOverAnInputIsRefused()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, output);
        QFETCH(QString, input);
        const QStringList protectedFiles { m_bpb,
                                           m_errors,
                                           m_losses,
                                           m_texts,
                                           m_model,
                                           m_queue,
                                           m_resultsFolder + QStringLiteral("/model-a.json") };
        QList<QByteArray> before;
        for (const QString &path : protectedFiles)
            before << fingerprint(path);
        const QStringList folderBefore
            = QDir(m_dir.path()).entryList(QDir::AllEntries | QDir::Hidden);

        const test::CliRun run = test::runCli(arguments);
        QVERIFY(!run.crashed);
        QVERIFY2(run.exitCode == 2, run.err.constData());
        const QString message = QString::fromUtf8(run.err);
        QVERIFY2(message.contains(QStringLiteral("refusing to write")), run.err.constData());
        QVERIFY2(message.contains(output), run.err.constData());
        QVERIFY2(message.contains(input), run.err.constData());
        for (qsizetype i = 0; i < protectedFiles.size(); ++i)
            QVERIFY2(fingerprint(protectedFiles[i]) == before[i], qPrintable(protectedFiles[i]));
        QCOMPARE(QDir(m_dir.path()).entryList(QDir::AllEntries | QDir::Hidden), folderBefore);
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("results/distribution.csv"))));

        // The queue is still a queue, with every item.
        auto store = QueueStore::open(m_queue);
        QVERIFY2(store.ok(), store ? "" : qPrintable(store.error().toString()));
        QCOMPARE((*store)->count(PageQuery {}).value(), qint64(2));
    }

    // A refusal is not a false alarm: the same commands with a fresh output name succeed.
    void distinctOutputsAreWritten()
    {
        const QString out = m_dir.filePath(QStringLiteral("fresh.csv"));
        const test::CliRun run
            = test::runCli({ QStringLiteral("select"), QStringLiteral("--bpb"), m_link,
                             QStringLiteral("--errors"), m_errors, QStringLiteral("--keep-ratio"),
                             QStringLiteral("0.5"), QStringLiteral("--output"), out });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(QFile::exists(out));
        const QString requests = m_dir.filePath(QStringLiteral("requests.jsonl"));
        const test::CliRun batch
            = test::runCli({ QStringLiteral("review"), QStringLiteral("batch-export"),
                             QStringLiteral("--db"), m_queue, QStringLiteral("--output"), requests,
                             QStringLiteral("--model"), QStringLiteral("m") });
        QVERIFY2(batch.exitCode == 0, batch.err.constData());
        QVERIFY(QFile::exists(requests));
    }
};

QTEST_GUILESS_MAIN(TestCliOverwrites)
#include "tst_clioverwrites.moc"
