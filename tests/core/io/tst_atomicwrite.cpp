// The checked writer: all-or-nothing files, failures on a full disk caught at every step, sets of
// files that never mix generations (also when the writer is killed between two renames).

#include "core/io/atomicwrite.h"
#include "tests/common/faults.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace pcs;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<missing>");
}

// Every entry of the folder that is not one of `expected` (temporary files, journals).
QStringList strays(const QTemporaryDir &dir, const QStringList &expected)
{
    QStringList found
        = QDir(dir.path())
              .entryList(QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    for (const QString &name : expected)
        found.removeAll(name);
    return found;
}

QByteArray bigContent(int bytes)
{
    QByteArray content(bytes, 'x');
    for (int i = 0; i < bytes; i += 97)
        content[i] = char('a' + i % 26);
    return content;
}

qint64 deadPid()
{
    QProcess process;
    process.start(QStringLiteral("true"));
    process.waitForFinished();
    return process.processId() > 0 ? process.processId() : 999999;
}

}  // namespace

class TestAtomicWrite : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesAndReplacesKeepingPermissions();
    void fullDiskFailsAndKeepsTheOldFile_data();
    void fullDiskFailsAndKeepsTheOldFile();
    void writesThroughSymbolicLinks();
    void refusesTargetsThatAreNotRegularFiles();
    void refusesMissingFolder();
    void removesStaleTemporariesOfDeadWriters();
    void setPublishesEveryFileOrNone();
    void interruptedSetIsFinishedByTheNextReader();
    void setOfALiveWriterIsNotTouched();
    void externalWriterIsSyncedAndPublished();
};

void TestAtomicWrite::writesAndReplacesKeepingPermissions()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("out.csv"));
    QVERIFY(writeAtomically(path, QByteArray("first\n")).ok());
    QCOMPARE(readAll(path), QByteArray("first\n"));
    QVERIFY(::chmod(QFile::encodeName(path).constData(), 0640) == 0);
    const QByteArray big = bigContent(3 << 20);  // several buffers
    QVERIFY(writeAtomically(path, big).ok());
    QCOMPARE(readAll(path), big);
    struct stat status { };
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &status), 0);
    QCOMPARE(int(status.st_mode & 07777), 0640);
    QCOMPARE(strays(dir, { QStringLiteral("out.csv") }), QStringList());
}

void TestAtomicWrite::fullDiskFailsAndKeepsTheOldFile_data()
{
    QTest::addColumn<int>("limit");
    QTest::addColumn<int>("size");
    // Larger than the buffer: fails in write(). Smaller: fails only when the buffer is flushed
    // at the end, which QSaveFile on Qt 6.4 reported as success.
    QTest::newRow("large output") << (64 << 10) << (4 << 20);
    QTest::newRow("small output, fails at the final flush") << 100 << (4 << 10);
    QTest::newRow("exactly one byte too many") << 1000 << 1001;
}

void TestAtomicWrite::fullDiskFailsAndKeepsTheOldFile()
{
    QFETCH(int, limit);
    QFETCH(int, size);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("out.csv"));
    QVERIFY(writeAtomically(path, QByteArray("old\n")).ok());
    Status written = Done {};
    {
        const test::FileSizeLimit full { rlim_t(limit) };
        written = writeAtomically(path, bigContent(size));
    }
    QVERIFY(!written);
    QCOMPARE(written.error().kind, ErrorKind::Io);
    QCOMPARE(written.error().file, path);
    QVERIFY2(written.error().reason.contains(QStringLiteral("File too large")),
             qPrintable(written.error().toString()));
    QCOMPARE(readAll(path), QByteArray("old\n"));
    QCOMPARE(strays(dir, { QStringLiteral("out.csv") }), QStringList());
}

void TestAtomicWrite::writesThroughSymbolicLinks()
{
    QTemporaryDir dir;
    const QString real = test::writeFile(dir, QStringLiteral("real.csv"), "old");
    const QString link = dir.filePath(QStringLiteral("link.csv"));
    QVERIFY(QFile::link(real, link));
    QVERIFY(writeAtomically(link, QByteArray("new")).ok());
    QVERIFY(QFileInfo(link).isSymLink());
    QCOMPARE(readAll(real), QByteArray("new"));
}

void TestAtomicWrite::refusesTargetsThatAreNotRegularFiles()
{
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("folder"));
    QVERIFY(QDir().mkdir(folder));
    const QString fifo = dir.filePath(QStringLiteral("fifo"));
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    for (const QString &path : { folder, fifo, QStringLiteral("/dev/null") }) {
        const Status written = writeAtomically(path, QByteArray("x"));
        QVERIFY2(!written, qPrintable(path));
        QCOMPARE(written.error().kind, ErrorKind::BadInput);
        QVERIFY(written.error().reason.contains(QStringLiteral("not a regular file")));
    }
}

void TestAtomicWrite::refusesMissingFolder()
{
    QTemporaryDir dir;
    const Status written
        = writeAtomically(dir.filePath(QStringLiteral("no/such/out.csv")), QByteArray("x"));
    QVERIFY(!written);
    QCOMPARE(written.error().kind, ErrorKind::BadInput);
    QVERIFY(written.error().reason.contains(QStringLiteral("folder does not exist")));
}

void TestAtomicWrite::removesStaleTemporariesOfDeadWriters()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("out.csv"));
    // A temporary file of this process, left as a killed writer would leave it.
    auto file = AtomicFile::create(path);
    QVERIFY(file.ok());
    QVERIFY((*file)->write(QByteArray("partial")).ok());
    const QString ours = (*file)->temporaryPath();
    (*file)->releaseForExternalWriter();
    // Rename it to a dead process's name: only the PID field changes.
    const QString name = QFileInfo(ours).fileName();
    QStringList parts = name.split(QLatin1Char('.'));
    const QString livePid = QString::number(::getpid());
    QCOMPARE(parts.at(parts.size() - 2), livePid);
    parts[parts.size() - 2] = QString::number(deadPid());
    const QString stale = dir.filePath(parts.join(QLatin1Char('.')));
    QVERIFY(QFile::copy(ours, stale));
    // A live writer's (this process's) temporary file is not touched.
    QVERIFY(writeAtomically(path, QByteArray("done")).ok());
    QVERIFY(!QFileInfo::exists(stale));
    QVERIFY(QFileInfo::exists(ours));
    file->reset();  // discards ours
    QVERIFY(!QFileInfo::exists(ours));
    QCOMPARE(strays(dir, { QStringLiteral("out.csv") }), QStringList());
}

void TestAtomicWrite::setPublishesEveryFileOrNone()
{
    QTemporaryDir dir;
    const QString a = dir.filePath(QStringLiteral("m.npy"));
    const QString b = dir.filePath(QStringLiteral("m.texts.txt"));
    QVERIFY(writeAtomically(a, QByteArray("old a")).ok());
    QVERIFY(writeAtomically(b, QByteArray("old b")).ok());
    {
        // The second file fails: neither is replaced.
        OutputSet set;
        auto fa = set.add(a);
        auto fb = set.add(b);
        QVERIFY(fa.ok() && fb.ok());
        QVERIFY((*fa)->write(QByteArray("new a")).ok());
        test::FileSizeLimit full(100);
        (*fb)->write(bigContent(4096));
        QVERIFY(!set.publish());
    }
    QCOMPARE(readAll(a), QByteArray("old a"));
    QCOMPARE(readAll(b), QByteArray("old b"));
    QCOMPARE(strays(dir, { QStringLiteral("m.npy"), QStringLiteral("m.texts.txt") }),
             QStringList());
    {
        OutputSet set;
        auto fa = set.add(a);
        auto fb = set.add(b);
        QVERIFY((*fa)->write(QByteArray("new a")).ok());
        QVERIFY((*fb)->write(QByteArray("new b")).ok());
        QVERIFY(set.publish().ok());
    }
    QCOMPARE(readAll(a), QByteArray("new a"));
    QCOMPARE(readAll(b), QByteArray("new b"));
    QCOMPARE(strays(dir, { QStringLiteral("m.npy"), QStringLiteral("m.texts.txt") }),
             QStringList());
    OutputSet twice;
    QVERIFY(twice.add(a).ok());
    QVERIFY(!twice.add(a).ok());
}

namespace {

// Forks a child that publishes a set of files and stops after the first rename: killed, or
// paused until the parent writes to the pipe `pauseFd`.
pid_t publishInChild(const QStringList &paths, int pauseFd, bool killAfterFirstRename)
{
    const pid_t child = ::fork();
    if (child != 0)
        return child;
    OutputSet::setAfterRenameHookForTesting([&](int renamed) {
        if (renamed != 1)
            return;
        if (killAfterFirstRename)
            ::raise(SIGKILL);
        char byte = 0;
        [[maybe_unused]] const ssize_t got = ::read(pauseFd, &byte, 1);
    });
    OutputSet set;
    for (const QString &path : paths) {
        auto file = set.add(path);
        if (!file)
            ::_exit(3);
        (*file)->write(QByteArray("new ") + QFileInfo(path).fileName().toUtf8());
    }
    ::_exit(set.publish().ok() ? 0 : 4);
}

}  // namespace

void TestAtomicWrite::interruptedSetIsFinishedByTheNextReader()
{
    QTemporaryDir dir;
    QStringList paths;
    for (const char *name : { "m.npy", "m.texts.txt", "m.llms.txt" }) {
        paths << dir.filePath(QString::fromLatin1(name));
        QVERIFY(writeAtomically(paths.back(), QByteArray("old")).ok());
    }
    const pid_t child = publishInChild(paths, -1, true);
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    // Mixed generations on disk, with journals that say how to finish.
    QCOMPARE(readAll(paths[0]), QByteArray("new m.npy"));
    QCOMPARE(readAll(paths[1]), QByteArray("old"));
    // Any member leads to the journal; finishing it publishes the rest.
    auto recovered = recoverInterruptedOutputs(paths[2]);
    QVERIFY2(recovered.ok(), recovered.ok() ? "" : qPrintable(recovered.error().toString()));
    QVERIFY(*recovered);
    QCOMPARE(readAll(paths[1]), QByteArray("new m.texts.txt"));
    QCOMPARE(readAll(paths[2]), QByteArray("new m.llms.txt"));
    QCOMPARE(strays(dir,
                    { QStringLiteral("m.npy"), QStringLiteral("m.texts.txt"),
                      QStringLiteral("m.llms.txt") }),
             QStringList());
    auto again = recoverInterruptedOutputs(paths[0]);
    QVERIFY(again.ok() && !*again);
}

void TestAtomicWrite::setOfALiveWriterIsNotTouched()
{
    QTemporaryDir dir;
    QStringList paths;
    for (const char *name : { "a.csv", "b.csv" }) {
        paths << dir.filePath(QString::fromLatin1(name));
        QVERIFY(writeAtomically(paths.back(), QByteArray("old")).ok());
    }
    int pipeFds[2];
    QCOMPARE(::pipe(pipeFds), 0);
    const pid_t child = publishInChild(paths, pipeFds[0], false);
    // Wait until the child has renamed the first file and paused.
    for (int i = 0; i < 500 && readAll(paths[0]) != QByteArray("new a.csv"); ++i)
        QTest::qWait(10);
    QCOMPARE(readAll(paths[0]), QByteArray("new a.csv"));
    auto recovered = recoverInterruptedOutputs(paths[1]);
    QVERIFY(!recovered.ok());
    QVERIFY2(
        recovered.error().reason.contains(QStringLiteral("being written by process %1").arg(child)),
        qPrintable(recovered.error().reason));
    // A new write of a member is refused too, rather than mixing in.
    QVERIFY(!writeAtomically(paths[1], QByteArray("third")).ok());
    QCOMPARE(::write(pipeFds[1], "g", 1), 1);
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    QCOMPARE(readAll(paths[1]), QByteArray("new b.csv"));
    QCOMPARE(strays(dir, { QStringLiteral("a.csv"), QStringLiteral("b.csv") }), QStringList());
    ::close(pipeFds[0]);
    ::close(pipeFds[1]);
}

void TestAtomicWrite::externalWriterIsSyncedAndPublished()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("model.bin"));
    auto file = AtomicFile::create(path);
    QVERIFY(file.ok());
    (*file)->releaseForExternalWriter();
    {
        QFile external((*file)->temporaryPath());
        QVERIFY(external.open(QIODevice::WriteOnly | QIODevice::Truncate));
        external.write("written by a library");
    }
    QVERIFY((*file)->commit().ok());
    QCOMPARE(readAll(path), QByteArray("written by a library"));
    QCOMPARE(strays(dir, { QStringLiteral("model.bin") }), QStringList());
}

QTEST_GUILESS_MAIN(TestAtomicWrite)
#include "tst_atomicwrite.moc"
