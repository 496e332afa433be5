#pragma once

#include "core/common/result.h"

#include <QByteArray>
#include <QList>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace pcs::test {

// One job, or one task of an array job, as the controller reported it after it left the queue.
struct SlurmJob {
    QString jobId;  // the task's own id
    QString arrayJobId;  // the id sbatch printed, for an array task; empty otherwise
    int arrayTaskId = -1;  // -1 for a job that is no array
    QString state;  // COMPLETED, FAILED, CANCELLED, TIMEOUT, ...
    int exitCode = -1;  // of the batch script
    int signal = 0;  // that ended it, or 0
    QString stdoutPath;
    QString stderrPath;

    QString submittedId() const { return arrayJobId.isEmpty() ? jobId : arrayJobId; }
    bool succeeded() const;
    QByteArray output() const;  // what it wrote to standard output
    QByteArray errorOutput() const;
    QString describe() const;  // one line, with the end of its standard error
};

// A private one-node Slurm cluster for one test (tests/cli/cluster/slurmcluster.sh): its own
// munged, slurmctld and slurmd on free ports, all files in a fresh folder, stopped by the
// destructor. Jobs run as root on this machine, in this machine's file system.
class SlurmCluster {
public:
    enum class State { NotStarted, Running, CannotRunHere, Failed, Stopped };

    SlurmCluster() = default;
    ~SlurmCluster();
    SlurmCluster(const SlurmCluster &) = delete;
    SlurmCluster &operator=(const SlurmCluster &) = delete;

    // Starts the daemons and waits until the node is idle (a few seconds at most).
    State start();
    State state() const { return m_state; }
    // Why it cannot run here or what failed, with the daemons' logs.
    QString problem() const { return m_problem; }
    // PCSTUDIO_REQUIRE_SLURM_CLUSTER=1 (CI sets it): a cluster that cannot run fails the test.
    static bool required();

    QString folder() const;
    // This process's environment with SLURM_CONF naming the cluster: for sbatch, squeue, ...
    QProcessEnvironment clientEnvironment() const;

    // sbatch `arguments` (options, then the script and its arguments; or --wrap), after the jobs
    // in `afterOk` completed with exit code 0 (--dependency=afterok); `jobVariables` are added
    // to the job's environment. Standard output and error go to folder()/jobs/<job id>.out|.err.
    // Returns the job id.
    Result<QString> submit(const QStringList &arguments, const QStringList &afterOk = {},
                           const QProcessEnvironment &jobVariables = {}) const;
    // Waits until none of the jobs is queued, running or completing; then every job and array
    // task, ordered by submitted id and task. Times out as an error.
    Result<QList<SlurmJob>> wait(const QStringList &jobIds, int timeoutSeconds = 60) const;

    // The ids of the processes the daemons run as, from their pid files.
    QList<qint64> daemonPids() const;
    QString logs() const;
    // Cancels every job and ends the daemons (and anything they left running), by pid.
    Status stop();

private:
    struct ScriptRun {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    ScriptRun runScript(const QStringList &arguments, int timeoutSeconds,
                        const QProcessEnvironment &extra = {}) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    State m_state = State::NotStarted;
    QString m_problem;
};

// The jobs of one submission (an array's tasks in task order).
QList<SlurmJob> jobsOf(const QList<SlurmJob> &jobs, const QString &submittedId);
// A line per job, for failure messages.
QString describeJobs(const QList<SlurmJob> &jobs);
// The error of a result, or nothing (QVERIFY2 builds its message even when the check holds).
template<typename T> QString errorText(const Result<T> &result)
{
    return result.ok() ? QString() : result.error().toString();
}
// Whether `pid` is a process that still runs (a zombie waiting for its reaper does not).
bool processRunning(qint64 pid);

}  // namespace pcs::test

// In a test: QSKIP when this machine cannot run a cluster (not root, Slurm not installed, ports
// taken), unless PCSTUDIO_REQUIRE_SLURM_CLUSTER=1; QFAIL when it should have started and did not.
#define PCS_REQUIRE_SLURM_CLUSTER(cluster)                                                         \
    do {                                                                                           \
        if ((cluster).state() == pcs::test::SlurmCluster::State::CannotRunHere                     \
            && !pcs::test::SlurmCluster::required())                                               \
            QSKIP(qPrintable((cluster).problem()));                                                \
        QVERIFY2((cluster).state() == pcs::test::SlurmCluster::State::Running,                     \
                 qPrintable((cluster).problem()));                                                 \
    } while (false)
