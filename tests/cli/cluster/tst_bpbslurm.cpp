// scripts/cluster/bpb-slurm.sh on a real one-node Slurm cluster
// (tests/cli/cluster/slurmcluster.sh): bpb batch-export shards as an array job, each through a
// stand-in for `vllm run-batch` (tests/common/fakevllmrunbatch.cpp: the fake server's deterministic
// model), then the import job after them (--dependency=afterok); its matrix equals one-machine `bpb
// compute` against the same model served over HTTP, byte for byte. A failing task keeps the import
// from running.
#include "tests/cli/cluster/slurmcluster.h"
#include "tests/common/fakeopenaiserver.h"
#include "tests/common/faults.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

using namespace pcs;
using test::SlurmJob;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString recipe()
{
    return QStringLiteral(PCSTUDIO_SOURCE_DIR "/scripts/cluster/bpb-slurm.sh");
}

// Texts of one and of several windows (120 characters each), CJK among them.
QByteArray textsJsonl()
{
    QByteArray jsonl;
    for (int i = 0; i < 24; ++i) {
        QString text = QStringLiteral("text %1:").arg(i);
        for (int word = 0; word < (i % 4) * 25 + 3; ++word)
            text += QStringLiteral(" w%1%2").arg(word).arg(QString(word % 6 + 1, QLatin1Char('y')));
        if (i % 5 == 0)
            for (int c = 0; c < 90; ++c)
                text += QChar(char16_t(0x4E00 + (c * 53 + i) % 5000));
        jsonl += QJsonDocument(
                     QJsonObject { { "id", QStringLiteral("doc-%1").arg(i) }, { "text", text } })
                     .toJson(QJsonDocument::Compact)
            + '\n';
    }
    return jsonl;
}

struct RecipeRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QString arrayJob;
    QString importJob;
};

}  // namespace

class TestBpbSlurm : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_texts;
    QByteArray m_computed;
    test::SlurmCluster m_cluster;  // last, so stopped before m_dir goes

    RecipeRun runRecipe(const QString &work, const QString &output, const QString &vllm)
    {
        QProcessEnvironment environment = m_cluster.clientEnvironment();
        environment.insert(QStringLiteral("PCSTUDIO_CLI"), test::cliPath());
        environment.insert(QStringLiteral("VLLM"), vllm);
        environment.remove(QStringLiteral("OPENAI_API_KEY"));
        QProcess process;
        process.setProcessEnvironment(environment);
        process.setWorkingDirectory(m_dir.path());
        // --cpus-per-task=1: this node may have fewer CPUs than a GPU partition's defaults.
        process.start(QStringLiteral("bash"),
                      { recipe(),
                        "--texts",
                        m_texts,
                        "--model",
                        "fake/model-1b",
                        "--name",
                        "pythia",
                        "--work-dir",
                        work,
                        "--output",
                        output,
                        "--window",
                        "120",
                        "--overlap",
                        "30",
                        "--max-requests",
                        "9",
                        "--array-options",
                        "--cpus-per-task=1",
                        "--import-options",
                        "--cpus-per-task=1",
                        "--",
                        "--max-model-len",
                        "4096" });
        RecipeRun run;
        if (!process.waitForFinished(120000))
            process.kill();
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        run.out = process.readAllStandardOutput();
        run.err = process.readAllStandardError();
        const auto id = [&](const char *key) {
            const auto match = QRegularExpression(QStringLiteral("^%1=(\\d+)$").arg(key),
                                                  QRegularExpression::MultilineOption)
                                   .match(QString::fromUtf8(run.out));
            return match.hasMatch() ? match.captured(1) : QString();
        };
        run.arrayJob = id("array_job");
        run.importJob = id("import_job");
        return run;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QElapsedTimer clock;
        clock.start();
        m_cluster.start();
        PCS_REQUIRE_SLURM_CLUSTER(m_cluster);
        qInfo("cluster up, node idle, in %lld ms (%s)", clock.elapsed(),
              qPrintable(m_cluster.folder()));
        m_texts = test::writeFile(m_dir, QStringLiteral("texts.jsonl"), textsJsonl());

        // One machine: bpb compute against the same model over HTTP.
        test::FakeOpenAiServer server;
        QVERIFY(server.listen());
        const QString computed = m_dir.filePath(QStringLiteral("computed.csv"));
        const test::CliRun run
            = test::runCli({ "bpb", "compute", "--texts", m_texts, "--endpoint", server.url(),
                             "--model", "fake/model-1b", "--name", "pythia", "--window", "120",
                             "--overlap", "30", "--concurrency", "4", "--output", computed });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        m_computed = readAll(computed);
        QCOMPARE(m_computed.count('\n'), 25);
    }

    void arrayThenImportMatchesCompute()
    {
        const QString work = m_dir.filePath(QStringLiteral("work"));
        const QString output = m_dir.filePath(QStringLiteral("out/bpb.csv"));
        QDir().mkpath(m_dir.filePath(QStringLiteral("out")));
        QElapsedTimer clock;
        clock.start();
        const RecipeRun run = runRecipe(work, output, QStringLiteral(PCSTUDIO_FAKE_VLLM_RUN_BATCH));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(!run.arrayJob.isEmpty() && !run.importJob.isEmpty(), run.out.constData());
        QVERIFY2(run.out.contains("the matrix in " + output.toUtf8()), run.out.constData());

        const Result<QList<SlurmJob>> jobs = m_cluster.wait({ run.arrayJob, run.importJob }, 150);
        QVERIFY2(jobs.ok(), qPrintable(test::errorText(jobs)));
        qInfo("%lld jobs done in %lld ms", qlonglong(jobs->size()), clock.elapsed());
        const QString all = test::describeJobs(*jobs);
        const QList<SlurmJob> tasks = test::jobsOf(*jobs, run.arrayJob);
        const int shards = int(readAll(work + "/requests/requests.txt").count('\n'));
        QVERIFY2(shards >= 3, qPrintable(all));
        QCOMPARE(tasks.size(), shards);
        for (const SlurmJob &task : tasks)
            QVERIFY2(task.succeeded(), qPrintable(all));
        const QList<SlurmJob> import = test::jobsOf(*jobs, run.importJob);
        QCOMPARE(import.size(), 1);
        QVERIFY2(import[0].succeeded(), qPrintable(all));
        QCOMPARE(QDir(work + "/results").entryList({ "*.results.jsonl" }).size(), shards);
        QVERIFY(QDir(work + "/results").entryList({ "*.part" }).isEmpty());

        QCOMPARE(readAll(output), m_computed);
    }

    // A task that fails: no results file from it, and the import never runs (afterok).
    void failingTaskStopsTheImport()
    {
        const QString work = m_dir.filePath(QStringLiteral("work-failing"));
        const QString output = m_dir.filePath(QStringLiteral("failing.csv"));
        const QString failing
            = test::writeFile(m_dir, QStringLiteral("failing-vllm.sh"),
                              "#!/bin/sh\necho 'CUDA out of memory' >&2\nexit 1\n");
        QFile::setPermissions(failing, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        const RecipeRun run = runRecipe(work, output, failing);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const Result<QList<SlurmJob>> jobs = m_cluster.wait({ run.arrayJob, run.importJob }, 150);
        QVERIFY2(jobs.ok(), qPrintable(test::errorText(jobs)));
        const QString all = test::describeJobs(*jobs);
        for (const SlurmJob &task : test::jobsOf(*jobs, run.arrayJob)) {
            QCOMPARE(task.state, QStringLiteral("FAILED"));
            QVERIFY2(task.errorOutput().contains("CUDA out of memory"), qPrintable(all));
        }
        const QList<SlurmJob> import = test::jobsOf(*jobs, run.importJob);
        QCOMPARE(import.size(), 1);
        QVERIFY2(import[0].state == QLatin1String("CANCELLED"), qPrintable(all));
        QVERIFY(!QFile::exists(output));
        QVERIFY(QDir(work + "/results").entryList(QDir::Files).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestBpbSlurm)
#include "tst_bpbslurm.moc"
