// Nothing written that is wrong: on a full disk (a file-size limit on the CLI process, so writes
// fail with EFBIG) every command exits 1 naming the file and the system's reason, the previous
// output and report stay byte for byte, and no temporary or journal file is left behind. An
// output and its --report are published together or not at all.
#include "core/demo/democorpus.h"
#include "core/review/queuestore.h"
#include "tests/common/fakeopenaiserver.h"
#include "tests/common/faults.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

#include <csignal>

#include <sys/resource.h>

using namespace pcs;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<missing>");
}

bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QStringList folderEntries(const QString &folder)
{
    return QDir(folder).entryList(QDir::AllEntries | QDir::Hidden | QDir::System
                                  | QDir::NoDotAndDotDot);
}

// N texts × 5 LLMs, text rows, deterministic values.
QByteArray bpbCsv(int texts)
{
    QByteArray out = "id,a,b,c,d,e\n";
    quint32 state = 7;
    for (int j = 0; j < texts; ++j) {
        out += "text-" + QByteArray::number(j);
        for (int i = 0; i < 5; ++i) {
            state = state * 1664525u + 1013904223u;
            out += ',' + QByteArray::number(0.5 + double(state >> 8) / double(1 << 24), 'g', 9);
        }
        out += '\n';
    }
    return out;
}

const QByteArray kErrors = "benchmark,e,d,c,b,a\narc,0.5,0.4,0.3,0.2,0.1\n";

QString criteriaPath()
{
    return QStringLiteral(PCSTUDIO_SOURCE_DIR "/resources/criteria/deceptive-content.json");
}

QByteArray corpus(int documents)
{
    QStringList ids, domains;
    for (int i = 0; i < documents; ++i) {
        ids << QStringLiteral("doc-%1").arg(i);
        domains << (i % 4 == 0 ? QStringLiteral("science") : QStringLiteral("forums"));
    }
    return demoCorpusJsonl(ids, domains);
}

}  // namespace

class TestCliOutputs : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    test::FakeOpenAiServer m_server;
    QString m_smallBpb, m_bigBpb, m_errors, m_model, m_texts, m_fewTexts, m_trainTexts, m_weights;
    QString m_bpbTexts, m_bpbFewTexts, m_bpbStore;
    // Open for the whole test: the CLI then finds the SQLite files (-wal, -shm) already there and
    // only reads them, so the file-size limit hits the output and nothing else.
    std::vector<std::unique_ptr<QueueStore>> m_queues;
    QString m_bigQueue, m_smallQueue, m_bigBatchQueue, m_smallBatchQueue;

    QString importQueue(const QString &name, int documents, bool withCriteria)
    {
        const QString input
            = test::writeFile(m_dir, name + QStringLiteral(".jsonl"), corpus(documents));
        const QString db = m_dir.filePath(name + QStringLiteral(".sqlite"));
        QStringList arguments { QStringLiteral("review"),  QStringLiteral("import"),
                                QStringLiteral("--db"),    db,
                                QStringLiteral("--input"), input };
        if (withCriteria)
            arguments << QStringLiteral("--criteria") << criteriaPath();
        const test::CliRun imported = test::runCli(arguments);
        if (imported.exitCode != 0)
            qFatal("review import failed: %s", imported.err.constData());
        auto store = QueueStore::open(db);
        if (!store)
            qFatal("%s", qPrintable(store.error().toString()));
        m_queues.push_back(std::move(store).value());
        return db;
    }

    // Assesses every item of the last queue opened: most are kept, every fifth is dropped.
    void assessAll()
    {
        QueueStore &store = *m_queues.back();
        auto items = store.pending(100000);
        QVERIFY(items.ok());
        for (const QueueItem &item : *items) {
            AssessmentRecord record;
            record.llmScore = record.score = item.id % 5 == 0 ? 95 : 10;
            QVERIFY(store.recordAssessment(item.id, record).ok());
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_server.listen());
        m_smallBpb = test::writeFile(m_dir, QStringLiteral("small.csv"), bpbCsv(4));
        m_bigBpb = test::writeFile(m_dir, QStringLiteral("big.csv"), bpbCsv(40000));
        m_errors = test::writeFile(m_dir, QStringLiteral("errors.csv"), kErrors);

        // A small filter: 800 documents, few buckets and dimensions (trains in moments).
        QByteArray distribution = "text,weight\n";
        for (int i = 0; i < 800; ++i)
            distribution += "doc-" + QByteArray::number(i) + (i % 4 == 0 ? ",0.01\n" : ",0\n");
        m_texts = test::writeFile(m_dir, QStringLiteral("texts.jsonl"), corpus(3000));
        m_fewTexts = test::writeFile(m_dir, QStringLiteral("few.jsonl"), corpus(40));
        m_trainTexts = test::writeFile(m_dir, QStringLiteral("train.jsonl"), corpus(800));
        m_weights = test::writeFile(m_dir, QStringLiteral("distribution.csv"), distribution);
        m_model = m_dir.filePath(QStringLiteral("filter.bin"));
        const test::CliRun trained = test::runCli(
            { QStringLiteral("filter"), QStringLiteral("train"), QStringLiteral("--texts"),
              m_trainTexts, QStringLiteral("--distribution"), m_weights, QStringLiteral("--output"),
              m_model, QStringLiteral("--bucket"), QStringLiteral("10000"), QStringLiteral("--dim"),
              QStringLiteral("16"), QStringLiteral("--threads"), QStringLiteral("2") });
        QVERIFY2(trained.exitCode == 0, trained.err.constData());

        m_bigQueue = importQueue(QStringLiteral("queue-big"), 1500, false);
        assessAll();
        m_smallQueue = importQueue(QStringLiteral("queue-small"), 20, false);
        assessAll();
        m_bigBatchQueue = importQueue(QStringLiteral("batch-big"), 100, true);
        m_smallBatchQueue = importQueue(QStringLiteral("batch-small"), 2, true);

        // bpb compute: the store is filled once (served by the fake server), so the runs below
        // take every cell from it and write only the matrix.
        QByteArray bpbTexts, bpbFewTexts;
        for (int i = 0; i < 3000; ++i) {
            const QByteArray line = "{\"id\": \"t" + QByteArray::number(i) + "\", \"text\": \"word "
                + QByteArray::number(i) + " and more words\"}\n";
            bpbTexts += line;
            if (i < 5)
                bpbFewTexts += line;
        }
        m_bpbTexts = test::writeFile(m_dir, QStringLiteral("bpb-texts.jsonl"), bpbTexts);
        m_bpbFewTexts = test::writeFile(m_dir, QStringLiteral("bpb-few.jsonl"), bpbFewTexts);
        m_bpbStore = m_dir.filePath(QStringLiteral("bpb.store.sqlite"));
        const test::CliRun filled = test::runCli(
            { QStringLiteral("bpb"), QStringLiteral("compute"), QStringLiteral("--texts"),
              m_bpbTexts, QStringLiteral("--endpoint"), m_server.url(), QStringLiteral("--model"),
              QStringLiteral("m"), QStringLiteral("--store"), m_bpbStore,
              QStringLiteral("--concurrency"), QStringLiteral("32"), QStringLiteral("--output"),
              m_dir.filePath(QStringLiteral("bpb-first.csv")) });
        QVERIFY2(filled.exitCode == 0, filled.err.constData());
        QSqlDatabase held = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"),
                                                      QStringLiteral("held-bpb-store"));
        held.setDatabaseName(m_bpbStore);
        QVERIFY(held.open());
        QSqlQuery probe(held);
        QVERIFY(probe.exec(QStringLiteral("SELECT count(*) FROM bpb_cells")) && probe.next());
        QCOMPARE(probe.value(0).toInt(), 3000);
    }

    void fullDiskLeavesTheOldFiles_data()
    {
        QTest::addColumn<QStringList>("arguments");  // @OUT@ and @REPORT@ stand for the files
        QTest::addColumn<QString>("outputName");
        QTest::addColumn<QString>("reportName");  // empty: no --report
        QTest::addColumn<bool>("reportFails");  // the limit hits the report, not the output
        // Why this row is known to fail still (an expected failure until the fix lands: then an
        // unexpected pass, and the marker goes).

        const QStringList select {
            QStringLiteral("select"),       QStringLiteral("--errors"), m_errors,
            QStringLiteral("--keep-ratio"), QStringLiteral("0.5"),      QStringLiteral("--output"),
            QStringLiteral("@OUT@")
        };
        const QStringList withReport { QStringLiteral("--report"), QStringLiteral("@REPORT@") };
        // Over 1 MiB: fails in a write, before the final flush.
        QTest::newRow("select, large output and its report")
            << (select + QStringList { QStringLiteral("--bpb"), m_bigBpb } + withReport)
            << "out.csv"
            << "report.json" << false;
        // A few hundred bytes: fails only at the final flush.
        QTest::newRow("select, small output")
            << (select + QStringList { QStringLiteral("--bpb"), m_smallBpb }) << "out.csv"
            << QString() << false;
        QTest::newRow("select, the report fails: the output is not published either")
            << (select + QStringList { QStringLiteral("--bpb"), m_smallBpb } + withReport)
            << "out.csv"
            << "report.json" << true;
        QTest::newRow("select JSON, large output")
            << (select + QStringList { QStringLiteral("--bpb"), m_bigBpb }) << "out.json"
            << QString() << false;

        const QStringList apply { QStringLiteral("filter"),      QStringLiteral("apply"),
                                  QStringLiteral("--model"),     m_model,
                                  QStringLiteral("--threshold"), QStringLiteral("0.5"),
                                  QStringLiteral("--output"),    QStringLiteral("@OUT@") };
        QTest::newRow("filter apply, large output and its report")
            << (apply
                + QStringList { QStringLiteral("--mode"), QStringLiteral("annotate"),
                                QStringLiteral("--input"), m_texts }
                + withReport)
            << "annotated.jsonl"
            << "report.json" << false;
        QTest::newRow("filter apply, small output")
            << (apply
                + QStringList { QStringLiteral("--mode"), QStringLiteral("score"),
                                QStringLiteral("--input"), m_fewTexts })
            << "scores.txt" << QString() << false;

        // The model, its manifest and the report: one set.
        QTest::newRow("filter train, the model and its report")
            << QStringList { QStringLiteral("filter"),         QStringLiteral("train"),
                             QStringLiteral("--texts"),        m_trainTexts,
                             QStringLiteral("--distribution"), m_weights,
                             QStringLiteral("--bucket"),       QStringLiteral("10000"),
                             QStringLiteral("--dim"),          QStringLiteral("16"),
                             QStringLiteral("--threads"),      QStringLiteral("1"),
                             QStringLiteral("--output"),       QStringLiteral("@OUT@"),
                             QStringLiteral("--report"),       QStringLiteral("@REPORT@") }
            << "filter.bin"
            << "report.json" << false;

        const QStringList compute { QStringLiteral("bpb"),        QStringLiteral("compute"),
                                    QStringLiteral("--endpoint"), m_server.url(),
                                    QStringLiteral("--model"),    QStringLiteral("m"),
                                    QStringLiteral("--store"),    m_bpbStore,
                                    QStringLiteral("--output"),   QStringLiteral("@OUT@") };
        QTest::newRow("bpb compute, large output")
            << (compute + QStringList { QStringLiteral("--texts"), m_bpbTexts }) << "bpb.csv"
            << QString() << false;
        QTest::newRow("bpb compute, small output")
            << (compute + QStringList { QStringLiteral("--texts"), m_bpbFewTexts }) << "bpb.csv"
            << QString() << false;

        const auto review = [](const QString &command, const QString &db) {
            QStringList arguments { QStringLiteral("review"),   command,
                                    QStringLiteral("--db"),     db,
                                    QStringLiteral("--output"), QStringLiteral("@OUT@") };
            if (command == QLatin1String("batch-export"))
                arguments << QStringLiteral("--model") << QStringLiteral("m");
            return arguments;
        };
        QTest::newRow("review export, large output") << review(QStringLiteral("export"), m_bigQueue)
                                                     << "curated.jsonl" << QString() << false;
        QTest::newRow("review export, small output")
            << review(QStringLiteral("export"), m_smallQueue) << "curated.jsonl" << QString()
            << false;
        QTest::newRow("review batch-export, large output")
            << review(QStringLiteral("batch-export"), m_bigBatchQueue) << "requests.jsonl"
            << QString() << false;
        QTest::newRow("review batch-export, small output")
            << review(QStringLiteral("batch-export"), m_smallBatchQueue) << "requests.jsonl"
            << QString() << false;
    }

    void fullDiskLeavesTheOldFiles()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, outputName);
        QFETCH(QString, reportName);
        QFETCH(bool, reportFails);
        const QString tag = QString::fromLatin1(QTest::currentDataTag());
        const auto argumentsIn = [&](const QString &folder) {
            QStringList filled = arguments;
            for (QString &argument : filled) {
                if (argument == QLatin1String("@OUT@"))
                    argument = QDir(folder).filePath(outputName);
                else if (argument == QLatin1String("@REPORT@"))
                    argument = QDir(folder).filePath(reportName);
            }
            return filled;
        };
        // A first run without a limit gives the sizes of the files.
        const QString reference = m_dir.filePath(QStringLiteral("reference ") + tag);
        const QString folder = m_dir.filePath(QStringLiteral("full ") + tag);
        QVERIFY(QDir().mkpath(reference) && QDir().mkpath(folder));
        const test::CliRun first = test::runCli(argumentsIn(reference));
        QVERIFY2(first.exitCode == 0, first.err.constData());
        const qint64 outputSize = QFileInfo(QDir(reference).filePath(outputName)).size();
        const qint64 reportSize
            = reportName.isEmpty() ? 0 : QFileInfo(QDir(reference).filePath(reportName)).size();
        const qint64 failingSize = reportFails ? reportSize : outputSize;
        const qint64 otherSize = reportFails ? outputSize : reportSize;
        // Just below the file's size. Timings in a report (and in JSON metadata) vary its size
        // a little between runs: a wider margin for large files, and for a failing report the
        // middle between the two files.
        const qint64 margin = reportFails ? (failingSize - otherSize) / 2
            : failingSize > 4096          ? 256
                                          : 16;
        const qint64 limit = failingSize - margin;
        QVERIFY2(otherSize < limit, "the limit must hit only the intended file");
        qInfo("output %lld bytes, report %lld bytes; file size limit %lld bytes", outputSize,
              reportSize, limit);

        const QString output = QDir(folder).filePath(outputName);
        const QString report = QDir(folder).filePath(reportName);
        QVERIFY(writeBytes(output, "old output\n"));
        if (!reportName.isEmpty())
            QVERIFY(writeBytes(report, "old report\n"));
        const QStringList before = folderEntries(folder);

        const test::CliRun full = test::runCli(argumentsIn(folder), limit);
        const QString failing = reportFails ? report : output;
        QVERIFY(!full.crashed);
        QVERIFY2(full.exitCode == 1, full.err.constData());
        QVERIFY2(full.err.contains(failing.toUtf8()), full.err.constData());
        QVERIFY2(full.err.contains("File too large"), full.err.constData());
        QCOMPARE(readAll(output), QByteArray("old output\n"));
        if (!reportName.isEmpty())
            QCOMPARE(readAll(report), QByteArray("old report\n"));
        QCOMPARE(folderEntries(folder), before);  // no temporary or journal left
    }

    // The CLI ignores SIGXFSZ itself: past a file-size limit its writes fail with EFBIG and it
    // reports them, instead of being killed without a word (the default action of SIGXFSZ).
    void fileSizeLimitIsAnErrorNotAKill()
    {
        const QString output = m_dir.filePath(QStringLiteral("sigxfsz.csv"));
        QProcess process;
        process.setChildProcessModifier([] {
            std::signal(SIGXFSZ, SIG_DFL);
            rlimit limited {};
            getrlimit(RLIMIT_FSIZE, &limited);
            limited.rlim_cur = 50;
            setrlimit(RLIMIT_FSIZE, &limited);
        });
        process.start(test::cliPath(),
                      { QStringLiteral("select"), QStringLiteral("--bpb"), m_smallBpb,
                        QStringLiteral("--errors"), m_errors, QStringLiteral("--keep-ratio"),
                        QStringLiteral("0.5"), QStringLiteral("--output"), output });
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 1);
        QVERIFY(process.readAllStandardError().contains("File too large"));
        QVERIFY(!QFile::exists(output));
    }

    // A report that cannot even be started stops the run before anything is published.
    void outputAndReportArePublishedTogether()
    {
        const QString folder = m_dir.filePath(QStringLiteral("together"));
        QVERIFY(QDir().mkpath(folder));
        const QString output = QDir(folder).filePath(QStringLiteral("out.csv"));
        const QString missing = QDir(folder).filePath(QStringLiteral("no-such-folder/r.json"));
        QVERIFY(writeBytes(output, "old output\n"));
        const QStringList before = folderEntries(folder);
        const QList<QStringList> runs {
            { QStringLiteral("select"), QStringLiteral("--bpb"), m_smallBpb,
              QStringLiteral("--errors"), m_errors, QStringLiteral("--keep-ratio"),
              QStringLiteral("0.5"), QStringLiteral("--output"), output, QStringLiteral("--report"),
              missing },
            { QStringLiteral("filter"), QStringLiteral("apply"), QStringLiteral("--model"), m_model,
              QStringLiteral("--threshold"), QStringLiteral("0.5"), QStringLiteral("--input"),
              m_fewTexts, QStringLiteral("--output"), output, QStringLiteral("--report"), missing },
        };
        for (const QStringList &arguments : runs) {
            const test::CliRun run = test::runCli(arguments);
            QVERIFY2(run.exitCode != 0, qPrintable(arguments.join(QLatin1Char(' '))));
            QVERIFY2(run.err.contains("no-such-folder"), run.err.constData());
            QCOMPARE(readAll(output), QByteArray("old output\n"));
            QCOMPARE(folderEntries(folder), before);
        }

        // Both succeed together; with the output on standard output, the report follows it.
        const QString report = QDir(folder).filePath(QStringLiteral("r.json"));
        const QStringList select { QStringLiteral("select"),
                                   QStringLiteral("--bpb"),
                                   m_smallBpb,
                                   QStringLiteral("--errors"),
                                   m_errors,
                                   QStringLiteral("--keep-ratio"),
                                   QStringLiteral("0.5"),
                                   QStringLiteral("--report"),
                                   report };
        const test::CliRun written
            = test::runCli(select + QStringList { QStringLiteral("--output"), output });
        QVERIFY2(written.exitCode == 0, written.err.constData());
        QVERIFY(readAll(output).startsWith("text,estimate,rank,tau,weight\n"));
        QCOMPARE(QJsonDocument::fromJson(readAll(report)).object().value(QStringLiteral("output")),
                 QJsonValue(output));
        QFile::remove(report);
        const test::CliRun piped = test::runCli(select);
        QVERIFY2(piped.exitCode == 0, piped.err.constData());
        QCOMPARE(piped.out, readAll(output));
        QVERIFY(QFile::exists(report));
    }
};

QTEST_GUILESS_MAIN(TestCliOutputs)
#include "tst_clioutputs.moc"
