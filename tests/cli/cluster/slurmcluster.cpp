#include "tests/cli/cluster/slurmcluster.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>

#include <algorithm>

namespace pcs::test {

namespace {

constexpr int cannotRunExitCode = 77;  // slurmcluster.sh: not root, no Slurm, ports taken
constexpr int timedOutExitCode = 124;

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// "12\t8\t3\tCOMPLETED\t0:0\t/out\t/err", as `slurmcluster.sh wait` prints a job.
bool parseJob(const QByteArray &line, SlurmJob *job)
{
    const QList<QByteArray> fields = line.split('\t');
    if (fields.size() != 7)
        return false;
    job->jobId = QString::fromUtf8(fields[0]);
    job->arrayJobId = QString::fromUtf8(fields[1]);
    bool isNumber = false;
    const int task = fields[2].toInt(&isNumber);
    job->arrayTaskId = isNumber ? task : -1;
    job->state = QString::fromUtf8(fields[3]);
    const QList<QByteArray> exit = fields[4].split(':');
    job->exitCode = exit.value(0).toInt(&isNumber);
    if (!isNumber || exit.size() != 2)
        return false;
    job->signal = exit[1].toInt();
    job->stdoutPath = QString::fromUtf8(fields[5]);
    job->stderrPath = QString::fromUtf8(fields[6]);
    return !job->jobId.isEmpty();
}

}  // namespace

bool SlurmJob::succeeded() const
{
    return state == QLatin1String("COMPLETED") && exitCode == 0 && signal == 0;
}

QByteArray SlurmJob::output() const
{
    return readFile(stdoutPath);
}

QByteArray SlurmJob::errorOutput() const
{
    return readFile(stderrPath);
}

QString SlurmJob::describe() const
{
    const QString task = arrayTaskId >= 0
        ? QStringLiteral(" (array %1 task %2)").arg(arrayJobId).arg(arrayTaskId)
        : QString();
    return QStringLiteral("job %1%2: %3, exit %4 signal %5; stderr: %6")
        .arg(jobId, task, state)
        .arg(exitCode)
        .arg(signal)
        .arg(QString::fromUtf8(errorOutput().right(400)).trimmed());
}

SlurmCluster::~SlurmCluster()
{
    const Status stopped = stop();
    if (!stopped.ok())
        qWarning("%s", qPrintable(stopped.error().toString()));
}

bool SlurmCluster::required()
{
    return qEnvironmentVariable("PCSTUDIO_REQUIRE_SLURM_CLUSTER") == QLatin1String("1");
}

QString SlurmCluster::folder() const
{
    return m_dir ? m_dir->path() : QString();
}

QProcessEnvironment SlurmCluster::clientEnvironment() const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("SLURM_CONF"), folder() + QStringLiteral("/slurm.conf"));
    return environment;
}

SlurmCluster::ScriptRun SlurmCluster::runScript(const QStringList &arguments, int timeoutSeconds,
                                                const QProcessEnvironment &extra) const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : extra.keys())
        environment.insert(name, extra.value(name));
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral("bash"),
                  QStringList { QStringLiteral(PCSTUDIO_SLURM_CLUSTER_SCRIPT) } + arguments);
    ScriptRun run;
    if (!process.waitForStarted(30000)) {
        run.err = "cannot start bash: " + process.errorString().toUtf8();
        return run;
    }
    if (!process.waitForFinished(timeoutSeconds * 1000)) {
        process.kill();
        process.waitForFinished(5000);
        run.err = "slurmcluster.sh " + arguments.join(QLatin1Char(' ')).toUtf8() + " ran over "
            + QByteArray::number(timeoutSeconds) + " s\n";
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err += process.readAllStandardError();
    return run;
}

SlurmCluster::State SlurmCluster::start()
{
    if (m_state != State::NotStarted)
        return m_state;
    // Straight under the temporary folder: munged wants every folder above its socket open
    // to all (o+x), which a QTemporaryDir of the caller's (0700) is not.
    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath()
                                            + QStringLiteral("/pcstudio-slurm-XXXXXX"));
    if (!m_dir->isValid()) {
        m_problem
            = QStringLiteral("cannot create a folder for the cluster: ") + m_dir->errorString();
        return m_state = State::Failed;
    }
    QFile::setPermissions(m_dir->path(),
                          QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup
                              | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther);
    // Should this process die without stopping the cluster, a watcher stops it.
    QProcessEnvironment owner;
    owner.insert(QStringLiteral("PCSTUDIO_SLURM_OWNER_PID"),
                 QString::number(QCoreApplication::applicationPid()));
    const ScriptRun run = runScript({ QStringLiteral("start"), folder() }, 120, owner);
    if (run.exitCode == 0)
        return m_state = State::Running;
    m_problem = QString::fromUtf8(run.err).trimmed();
    if (run.exitCode == cannotRunExitCode)
        return m_state = State::CannotRunHere;
    m_problem = QStringLiteral("the Slurm cluster did not start (exit %1):\n%2")
                    .arg(run.exitCode)
                    .arg(m_problem);
    return m_state = State::Failed;
}

Result<QString> SlurmCluster::submit(const QStringList &arguments, const QStringList &afterOk,
                                     const QProcessEnvironment &jobVariables) const
{
    if (m_state != State::Running)
        return Error::internal(QStringLiteral("the Slurm cluster is not running"));
    QStringList command { QStringLiteral("submit"), folder() };
    if (!afterOk.isEmpty())
        command << QStringLiteral("--dependency=afterok:") + afterOk.join(QLatin1Char(':'));
    const ScriptRun run = runScript(command + arguments, 60, jobVariables);
    const QString id = QString::fromUtf8(run.out).trimmed();
    bool isNumber = false;
    id.toLongLong(&isNumber);
    if (run.exitCode != 0 || !isNumber)
        return Error::internal(QStringLiteral("sbatch %1 failed (exit %2): %3%4")
                                   .arg(arguments.join(QLatin1Char(' ')))
                                   .arg(run.exitCode)
                                   .arg(QString::fromUtf8(run.err), id));
    return id;
}

Result<QList<SlurmJob>> SlurmCluster::wait(const QStringList &jobIds, int timeoutSeconds) const
{
    if (m_state != State::Running)
        return Error::internal(QStringLiteral("the Slurm cluster is not running"));
    const ScriptRun run = runScript(
        QStringList { QStringLiteral("wait"), folder(), QString::number(timeoutSeconds) } + jobIds,
        timeoutSeconds + 60);
    // Exit 1 only says that some job did not succeed: the caller judges each.
    if (run.exitCode != 0 && run.exitCode != 1) {
        const QString why = run.exitCode == timedOutExitCode
            ? QStringLiteral("jobs %1 still queued after %2 s")
                  .arg(jobIds.join(QLatin1Char(',')))
                  .arg(timeoutSeconds)
            : QStringLiteral("waiting for jobs %1 failed (exit %2)")
                  .arg(jobIds.join(QLatin1Char(',')))
                  .arg(run.exitCode);
        return Error::internal(why + QLatin1Char('\n') + QString::fromUtf8(run.err + run.out)
                               + logs());
    }
    QList<SlurmJob> jobs;
    for (const QByteArray &line : run.out.split('\n')) {
        if (line.isEmpty())
            continue;
        SlurmJob job;
        if (!parseJob(line, &job))
            return Error::internal(QStringLiteral("unexpected job line: ")
                                   + QString::fromUtf8(line));
        jobs << job;
    }
    std::sort(jobs.begin(), jobs.end(), [](const SlurmJob &a, const SlurmJob &b) {
        const qint64 first = a.submittedId().toLongLong(), second = b.submittedId().toLongLong();
        return first != second ? first < second : a.arrayTaskId < b.arrayTaskId;
    });
    return jobs;
}

QList<qint64> SlurmCluster::daemonPids() const
{
    QList<qint64> pids;
    for (const char *file : { "/run/slurmctld.pid", "/run/slurmd.pid", "/munge/munged.pid" }) {
        bool isNumber = false;
        const qint64 pid = readFile(folder() + QLatin1String(file)).trimmed().toLongLong(&isNumber);
        if (isNumber)
            pids << pid;
    }
    return pids;
}

QString SlurmCluster::logs() const
{
    return m_dir ? QString::fromUtf8(runScript({ QStringLiteral("logs"), folder() }, 30).out)
                 : QString();
}

Status SlurmCluster::stop()
{
    if (!m_dir || m_state == State::Stopped)
        return Done {};
    m_state = State::Stopped;
    const ScriptRun run = runScript({ QStringLiteral("stop"), folder() }, 120);
    if (run.exitCode != 0)
        return Error::internal(QStringLiteral("stopping the Slurm cluster in %1 failed: %2")
                                   .arg(folder(), QString::fromUtf8(run.err)));
    if (!run.err.isEmpty())  // what it had to end beyond the daemons, or kill
        qWarning("slurmcluster.sh stop: %s", run.err.trimmed().constData());
    return Done {};
}

QList<SlurmJob> jobsOf(const QList<SlurmJob> &jobs, const QString &submittedId)
{
    QList<SlurmJob> chosen;
    std::copy_if(jobs.begin(), jobs.end(), std::back_inserter(chosen),
                 [&](const SlurmJob &job) { return job.submittedId() == submittedId; });
    return chosen;
}

QString describeJobs(const QList<SlurmJob> &jobs)
{
    QStringList lines;
    for (const SlurmJob &job : jobs)
        lines << job.describe();
    return lines.join(QLatin1Char('\n'));
}

bool processRunning(qint64 pid)
{
    const QByteArray stat = readFile(QStringLiteral("/proc/%1/stat").arg(pid));
    const qsizetype nameEnd = stat.lastIndexOf(')');  // the name may hold spaces and ')'
    return nameEnd >= 0 && nameEnd + 2 < stat.size() && stat[nameEnd + 2] != 'Z';
}

}  // namespace pcs::test
