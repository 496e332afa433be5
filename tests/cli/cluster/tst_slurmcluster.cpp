// The cluster recipes on a real one-node Slurm cluster (tests/cli/cluster/slurmcluster.sh): its
// harness (states, exit codes, outputs, afterok dependencies, a clean stop), and the array job
// scripts/cluster/apply-slurm.sbatch against one pass of `filter apply`, byte for byte.
#include "tests/cli/cluster/slurmcluster.h"
#include "tests/common/faults.h"
#include "tests/common/filtershards.h"
#include "tests/common/testdata.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTest>

using namespace pcs;
using test::SlurmJob;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString scriptPath(const QString &name)
{
    return QStringLiteral(PCSTUDIO_SOURCE_DIR "/scripts/cluster/") + name;
}

}  // namespace

class TestSlurmCluster : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_model;
    QString m_threshold;
    QByteArray m_onePass;
    test::FilterShards m_shards;
    test::SlurmCluster m_cluster;  // last, so stopped before m_dir goes

private Q_SLOTS:
    void initTestCase()
    {
        QElapsedTimer clock;
        clock.start();
        m_cluster.start();
        PCS_REQUIRE_SLURM_CLUSTER(m_cluster);
        qInfo("cluster up, node idle, in %lld ms (%s)", clock.elapsed(),
              qPrintable(m_cluster.folder()));

        // What tst_clifilter trains and cuts: a filter, one pass of it, five shards.
        const test::FilterCorpus corpus = test::writeFilterCorpus(m_dir);
        m_model = m_dir.filePath(QStringLiteral("filter.bin"));
        const test::CliRun train = test::runCli(test::filterTrainArguments(
            corpus, m_model, m_dir.filePath(QStringLiteral("train-report.json"))));
        QVERIFY2(train.exitCode == 0, train.err.constData());
        m_threshold = test::manifestThreshold(m_model);
        QVERIFY(!m_threshold.isEmpty());
        const QString onePass = m_dir.filePath(QStringLiteral("one-pass.jsonl"));
        const test::CliRun apply = test::runCli(
            { QStringLiteral("filter"), QStringLiteral("apply"), QStringLiteral("--model"), m_model,
              QStringLiteral("--threshold"), m_threshold, QStringLiteral("--input"), corpus.texts,
              QStringLiteral("--output"), onePass });
        QVERIFY2(apply.exitCode == 0, apply.err.constData());
        m_onePass = readAll(onePass);
        QVERIFY(m_onePass.count('\n') > 400);  // about the science quarter
        m_shards = test::writeFilterShards(m_dir, corpus.lines);
    }

    // What the recipes' tests rely on: each task's state, exit code and outputs, and afterok.
    void jobsReportStatesExitCodesAndOutputs()
    {
        const QString flag = m_dir.filePath(QStringLiteral("first-ran"));
        const Result<QString> array = m_cluster.submit(
            { QStringLiteral("--array=0-2"), QStringLiteral("--cpus-per-task=1"),
              QStringLiteral("--wrap"),
              QStringLiteral("echo out $SLURM_ARRAY_TASK_ID; echo err $SLURM_ARRAY_TASK_ID >&2; "
                             "exit $(( SLURM_ARRAY_TASK_ID == 1 ? 3 : 0 ))") });
        QVERIFY2(array.ok(), qPrintable(test::errorText(array)));
        // Never runs: task 1 fails, and the cluster cancels what can no longer start.
        const Result<QString> never = m_cluster.submit(
            { QStringLiteral("--wrap"), QStringLiteral("echo never") }, { *array });
        QVERIFY2(never.ok(), qPrintable(test::errorText(never)));
        QProcessEnvironment variables;
        variables.insert(QStringLiteral("PCSTUDIO_PROBE"), QStringLiteral("handed over"));
        const Result<QString> first
            = m_cluster.submit({ QStringLiteral("--wrap"),
                                 QStringLiteral("sleep 1; echo \"$PCSTUDIO_PROBE\" > ") + flag },
                               {}, variables);
        QVERIFY2(first.ok(), qPrintable(test::errorText(first)));
        // Starts only once `first` has ended well, so the flag is there to read.
        const Result<QString> second = m_cluster.submit(
            { QStringLiteral("--wrap"), QStringLiteral("cat ") + flag }, { *first });
        QVERIFY2(second.ok(), qPrintable(test::errorText(second)));

        const Result<QList<SlurmJob>> jobs = m_cluster.wait({ *array, *never, *first, *second });
        QVERIFY2(jobs.ok(), qPrintable(test::errorText(jobs)));
        const QString all = test::describeJobs(*jobs);
        const QList<SlurmJob> tasks = test::jobsOf(*jobs, *array);
        QCOMPARE(tasks.size(), 3);
        for (int task = 0; task < 3; ++task) {
            QCOMPARE(tasks[task].arrayTaskId, task);
            QCOMPARE(tasks[task].output(), QByteArray("out ") + QByteArray::number(task) + '\n');
            QCOMPARE(tasks[task].errorOutput(),
                     QByteArray("err ") + QByteArray::number(task) + '\n');
        }
        QVERIFY2(tasks[0].succeeded() && tasks[2].succeeded(), qPrintable(all));
        QCOMPARE(tasks[1].state, QStringLiteral("FAILED"));
        QCOMPARE(tasks[1].exitCode, 3);
        const QList<SlurmJob> cancelled = test::jobsOf(*jobs, *never);
        QCOMPARE(cancelled.size(), 1);
        QVERIFY2(cancelled[0].state == QLatin1String("CANCELLED"), qPrintable(all));
        QVERIFY(cancelled[0].output().isEmpty());
        const QList<SlurmJob> after = test::jobsOf(*jobs, *second);
        QCOMPARE(after.size(), 1);
        QVERIFY2(after[0].succeeded(), qPrintable(all));
        QCOMPARE(after[0].output(), QByteArray("handed over\n"));
    }

    // The README's Slurm recipe: one array task per shard, concatenated = one pass.
    void applySlurmArrayMatchesOnePass()
    {
        const QString out = m_dir.filePath(QStringLiteral("out-slurm"));
        QProcessEnvironment variables;
        variables.insert(QStringLiteral("PCSTUDIO_CLI"), test::cliPath());
        // One task past the list's end, which must fail with its reason. --cpus-per-task
        // overrides the script's 4 (more than this node may have); sbatch's options win.
        const QString lastTask = QString::number(m_shards.paths.size());
        QElapsedTimer clock;
        clock.start();
        const Result<QString> id = m_cluster.submit(
            { QStringLiteral("--array=0-") + lastTask, QStringLiteral("--cpus-per-task=1"),
              scriptPath(QStringLiteral("apply-slurm.sbatch")), m_model, m_threshold, m_shards.list,
              out },
            {}, variables);
        QVERIFY2(id.ok(), qPrintable(test::errorText(id)));
        const Result<QList<SlurmJob>> jobs = m_cluster.wait({ *id }, 120);
        QVERIFY2(jobs.ok(), qPrintable(test::errorText(jobs)));
        qInfo("%lld tasks done in %lld ms", qlonglong(jobs->size()), clock.elapsed());
        const QString all = test::describeJobs(*jobs);
        QCOMPARE(jobs->size(), m_shards.paths.size() + 1);
        for (qsizetype task = 0; task < m_shards.paths.size(); ++task)
            QVERIFY2(jobs->at(task).succeeded(), qPrintable(all));
        const SlurmJob &pastTheEnd = jobs->last();
        QCOMPARE(pastTheEnd.state, QStringLiteral("FAILED"));
        QCOMPARE(pastTheEnd.exitCode, 2);
        QVERIFY2(pastTheEnd.errorOutput().contains("no shard " + lastTask.toUtf8()),
                 qPrintable(all));

        QByteArray concatenated;
        for (const QString &shard : m_shards.paths) {
            const QString kept = out + QLatin1Char('/') + QFileInfo(shard).fileName();
            concatenated += readAll(kept + QStringLiteral(".kept.jsonl"));
            QVERIFY2(QFile::exists(kept + QStringLiteral(".report.json")), qPrintable(kept));
        }
        QCOMPARE(concatenated, m_onePass);
    }

    // Stopping ends the daemons and a job still running, by their pids.
    void stopEndsDaemonsAndJobs()
    {
        const QString pidFile = m_dir.filePath(QStringLiteral("sleeper.pid"));
        const Result<QString> sleeper = m_cluster.submit(
            { QStringLiteral("--wrap"),
              QStringLiteral("echo $$ > %1.part && mv %1.part %1 && exec sleep 300")
                  .arg(pidFile) });
        QVERIFY2(sleeper.ok(), qPrintable(test::errorText(sleeper)));
        QTRY_VERIFY2_WITH_TIMEOUT(QFile::exists(pidFile), qPrintable(m_cluster.logs()), 30000);
        bool isNumber = false;
        const qint64 sleeperPid = readAll(pidFile).trimmed().toLongLong(&isNumber);
        QVERIFY(isNumber);
        QVERIFY(test::processRunning(sleeperPid));
        const QList<qint64> daemons = m_cluster.daemonPids();
        QCOMPARE(daemons.size(), 3);
        for (const qint64 pid : daemons)
            QVERIFY(test::processRunning(pid));

        const Status stopped = m_cluster.stop();
        QVERIFY2(stopped.ok(), qPrintable(test::errorText(stopped)));
        for (const qint64 pid : daemons + QList<qint64> { sleeperPid })
            QVERIFY2(!test::processRunning(pid), qPrintable(QString::number(pid)));
    }
};

QTEST_GUILESS_MAIN(TestSlurmCluster)
#include "tst_slurmcluster.moc"
