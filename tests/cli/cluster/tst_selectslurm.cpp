// scripts/cluster/select-slurm.sh on a real one-node Slurm cluster
// (tests/cli/cluster/slurmcluster.sh): the estimate array, the cut after it (afterok), the
// projection array after the cut; its distribution files, concatenated in order, against one
// `select`, byte for byte.
#include "tests/cli/cluster/slurmcluster.h"
#include "tests/common/faults.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QFile>
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

}  // namespace

class TestSelectSlurm : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QStringList m_inputs;
    test::SlurmCluster m_cluster;  // last, so stopped before m_dir goes

private Q_SLOTS:
    void initTestCase()
    {
        m_cluster.start();
        PCS_REQUIRE_SLURM_CLUSTER(m_cluster);
        const QString demo = m_dir.filePath(QStringLiteral("demo"));
        const test::CliRun made = test::runCli(
            { QStringLiteral("demo"), QStringLiteral("--output"), demo, QStringLiteral("--llms"),
              QStringLiteral("40"), QStringLiteral("--texts"), QStringLiteral("300"),
              QStringLiteral("--no-filter") });
        QVERIFY2(made.exitCode == 0, made.err.constData());
        m_inputs = { QStringLiteral("--bpb"), demo + QStringLiteral("/bpb.csv"),
                     QStringLiteral("--errors"), demo + QStringLiteral("/errors.csv") };
    }

    void selectSlurmMatchesOneSelect_data()
    {
        QTest::addColumn<int>("shards");
        QTest::addColumn<QStringList>("projectOptions");
        const QString tokens = m_dir.filePath(QStringLiteral("demo/token_counts.csv"));
        QTest::newRow("linear, 3 shards")
            << 3 << QStringList { QStringLiteral("--keep-ratio"), QStringLiteral("0.2") };
        QTest::newRow("l2 with token counts, 4 shards")
            << 4 << QStringList { QStringLiteral("--keep-ratio"),   QStringLiteral("0.3"),
                                  QStringLiteral("--token-counts"), tokens,
                                  QStringLiteral("--projection"),   QStringLiteral("l2") };
    }

    void selectSlurmMatchesOneSelect()
    {
        QFETCH(int, shards);
        QFETCH(QStringList, projectOptions);
        const QString out = m_dir.filePath(QStringLiteral("run-%1").arg(shards));
        const QString one = out + QStringLiteral("-select.csv");
        const test::CliRun select
            = test::runCli(QStringList { QStringLiteral("select") } + m_inputs + projectOptions
                           + QStringList { QStringLiteral("--output"), one });
        QVERIFY2(select.exitCode == 0, select.err.constData());

        QProcess script;
        QProcessEnvironment environment = m_cluster.clientEnvironment();
        environment.insert(QStringLiteral("PCSTUDIO_CLI"), test::cliPath());
        // More CPUs than this node may have would never start.
        environment.insert(QStringLiteral("SBATCH_OPTIONS"), QStringLiteral("--cpus-per-task=1"));
        // The cluster's mark, so that stopping it also ends these jobs (slurmcluster.sh).
        environment.insert(QStringLiteral("PCSTUDIO_SLURM_CLUSTER"), m_cluster.folder());
        script.setProcessEnvironment(environment);
        script.start(
            QStringLiteral("bash"),
            QStringList { QStringLiteral(PCSTUDIO_SOURCE_DIR "/scripts/cluster/select-slurm.sh"),
                          QString::number(shards), out }
                + m_inputs + QStringList { QStringLiteral("--") } + projectOptions);
        QVERIFY(script.waitForFinished(60000));
        const QByteArray printed = script.readAllStandardOutput();
        QVERIFY2(script.exitCode() == 0, script.readAllStandardError().constData());

        // The ids it prints, in order: estimate array, cut, projection array.
        QStringList ids;
        for (const QString &job :
             { QStringLiteral("estimate"), QStringLiteral("cut"), QStringLiteral("projection") }) {
            const QRegularExpressionMatch match
                = QRegularExpression(QStringLiteral("^%1 job (\\d+) ").arg(job),
                                     QRegularExpression::MultilineOption)
                      .match(QString::fromUtf8(printed));
            QVERIFY2(match.hasMatch(), printed.constData());
            ids << match.captured(1);
        }
        QVERIFY2(printed.contains((out + QStringLiteral("/distribution/D<I>.csv")).toUtf8()),
                 printed.constData());

        const Result<QList<SlurmJob>> jobs = m_cluster.wait(ids, 240);
        QVERIFY2(jobs.ok(), qPrintable(test::errorText(jobs)));
        const QString all = test::describeJobs(*jobs);
        QCOMPARE(test::jobsOf(*jobs, ids[0]).size(), shards);
        QCOMPARE(test::jobsOf(*jobs, ids[1]).size(), 1);
        QCOMPARE(test::jobsOf(*jobs, ids[2]).size(), shards);
        for (const SlurmJob &job : *jobs)
            QVERIFY2(job.succeeded(), qPrintable(all));

        const QByteArray expected = readAll(one);
        QByteArray concatenated;
        for (int i = 0; i < shards; ++i) {
            const QByteArray part = readAll(out + QStringLiteral("/distribution/D%1.csv").arg(i));
            QVERIFY2(!part.isEmpty(), qPrintable(all));
            concatenated += i == 0 ? part : part.mid(part.indexOf('\n') + 1);
        }
        QCOMPARE(concatenated, expected);
        QVERIFY(QFile::exists(out + QStringLiteral("/cut.json")));
    }

    // A failing estimate task stops the chain: afterok cancels the cut and the projection.
    void failedEstimateStopsTheChain()
    {
        const QString out = m_dir.filePath(QStringLiteral("run-failing"));
        QProcess script;
        QProcessEnvironment environment = m_cluster.clientEnvironment();
        environment.insert(QStringLiteral("PCSTUDIO_CLI"), test::cliPath());
        environment.insert(QStringLiteral("SBATCH_OPTIONS"), QStringLiteral("--cpus-per-task=1"));
        environment.insert(QStringLiteral("PCSTUDIO_SLURM_CLUSTER"), m_cluster.folder());
        script.setProcessEnvironment(environment);
        script.start(QStringLiteral("bash"),
                     { QStringLiteral(PCSTUDIO_SOURCE_DIR "/scripts/cluster/select-slurm.sh"),
                       QStringLiteral("2"), out, QStringLiteral("--bpb"),
                       m_dir.filePath(QStringLiteral("missing.csv")), QStringLiteral("--errors"),
                       m_inputs.last(), QStringLiteral("--"), QStringLiteral("--keep-ratio"),
                       QStringLiteral("0.2") });
        QVERIFY(script.waitForFinished(60000));
        QCOMPARE(script.exitCode(), 0);
        const QStringList ids
            = QString::fromUtf8(script.readAllStandardOutput())
                  .split(QLatin1Char('\n'))
                  .filter(QRegularExpression(QStringLiteral("^\\w+ job \\d+")))
                  .replaceInStrings(QRegularExpression(QStringLiteral("^\\w+ job (\\d+).*")),
                                    QStringLiteral("\\1"));
        QCOMPARE(ids.size(), 3);
        const Result<QList<SlurmJob>> jobs = m_cluster.wait(ids, 120);
        QVERIFY2(jobs.ok(), qPrintable(test::errorText(jobs)));
        for (const SlurmJob &task : test::jobsOf(*jobs, ids[0])) {
            QCOMPARE(task.state, QStringLiteral("FAILED"));
            QCOMPARE(task.exitCode, 2);
        }
        QCOMPARE(test::jobsOf(*jobs, ids[1]).value(0).state, QStringLiteral("CANCELLED"));
        QVERIFY(!QFile::exists(out + QStringLiteral("/cut.json")));
        QVERIFY(readAll(out + QStringLiteral("/logs/estimate-0.err")).contains("missing.csv"));
    }
};

QTEST_GUILESS_MAIN(TestSelectSlurm)
#include "tst_selectslurm.moc"
