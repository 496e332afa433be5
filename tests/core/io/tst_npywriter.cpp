// The .npy writer: numpy's header layout, values that load back exactly (streamed in blocks),
// and a matrix with its name files published as one set, so that a writer killed between the
// renames never leaves names of one write beside values of another.
#include "core/io/bpbloader.h"
#include "core/io/bpbwriter.h"
#include "core/io/npyreader.h"
#include "core/io/npywriter.h"
#include "tests/common/faults.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <csignal>
#include <limits>

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

BpbMatrix matrixOf(const QStringList &llms, const QStringList &texts, double base)
{
    BpbMatrix matrix;
    matrix.llms = llms;
    matrix.texts = texts;
    matrix.values.resize(llms.size(), texts.size());
    for (Eigen::Index i = 0; i < matrix.values.rows(); ++i)
        for (Eigen::Index j = 0; j < matrix.values.cols(); ++j)
            matrix.values(i, j) = base + double(i) + double(j) / 8;
    return matrix;
}

QString errorText(const Status &status)
{
    return status.ok() ? QString() : status.error().toString();
}

}  // namespace

class TestNpyWriter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void headerIsNumpysLayout()
    {
        // numpy.save of a 2 × 3 float64 array: a 118-byte dict, so the data starts at 128.
        const QByteArray header = npyHeader(2, 3, NpyDtype::Float64);
        QCOMPARE(header.size(), 128);
        QCOMPARE(header.left(10), QByteArray("\x93NUMPY\x01\x00\x76\x00", 10));
        QCOMPARE(header.mid(10, 59),
                 QByteArray("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"));
        QCOMPARE(header.back(), '\n');
        QCOMPARE(header.mid(69, 58), QByteArray(58, ' '));
        for (const auto &[rows, cols, dtype] :
             { std::tuple { qint64(1), qint64(1), NpyDtype::Float32 },
               std::tuple { qint64(123456), qint64(7890123), NpyDtype::Float64 } }) {
            const QByteArray other = npyHeader(rows, cols, dtype);
            QCOMPARE(other.size() % 64, 0);
            auto parsed = io::readNpyHeader(std::string_view(other.constData(), other.size()),
                                            QStringLiteral("h.npy"));
            QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().toString()));
            QCOMPARE(parsed->shape, (std::vector<qint64> { rows, cols }));
            QCOMPARE(parsed->itemSize, dtype == NpyDtype::Float64 ? 8 : 4);
            QVERIFY(!parsed->fortranOrder);
            QCOMPARE(parsed->dataOffset, qint64(other.size()));
        }
    }

    void matrixAndNamesLoadBack()
    {
        QTemporaryDir dir;
        // Wider than one block of the writer, so rows are streamed in several pieces.
        QStringList texts;
        for (int j = 0; j < 70000; ++j)
            texts << QStringLiteral("t%1").arg(j);
        BpbMatrix matrix = matrixOf(
            { QStringLiteral("('f', 'a,b')"), QStringLiteral("id"), QStringLiteral("  spaced  ") },
            texts, 0.5);
        matrix.values(1, 69999) = std::numeric_limits<double>::quiet_NaN();
        const QString path = dir.filePath(QStringLiteral("m.npy"));
        QVERIFY2(writeBpbMatrix(path, matrix).ok(),
                 qPrintable(errorText(writeBpbMatrix(path, matrix))));
        QCOMPARE(QFileInfo(path).size(), 128 + 3 * 70000 * 8);
        QCOMPARE(readAll(npyLlmsFileFor(path)), QByteArray("('f', 'a,b')\nid\n  spaced  \n"));
        auto loaded = loadBpbMatrix(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().toString()));
        QCOMPARE(loaded->llms, matrix.llms);
        QCOMPARE(loaded->texts, matrix.texts);
        QVERIFY(std::isnan(loaded->values(1, 69999)));
        loaded->values(1, 69999) = matrix.values(1, 69999) = 0;
        QVERIFY(loaded->values == matrix.values);  // bit for bit
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 3);
    }

    void namesTheFilesCannotHoldAreRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m.npy"));
        for (const QString &bad : { QStringLiteral("two\nlines"), QStringLiteral("cr\r"),
                                    QStringLiteral("tab\there"), QStringLiteral("  ") }) {
            for (const bool badLlm : { true, false }) {
                BpbMatrix matrix = matrixOf({ QStringLiteral("a"), QStringLiteral("b") },
                                            { QStringLiteral("t1"), QStringLiteral("t2") }, 1);
                (badLlm ? matrix.llms : matrix.texts)[1] = bad;
                const Status written = writeBpbMatrix(path, matrix);
                QVERIFY(!written);
                QCOMPARE(written.error().kind, ErrorKind::BadInput);
                QCOMPARE(written.error().file, path);
                const QString reason = written.error().reason;
                QVERIFY2(reason.contains(badLlm ? QStringLiteral("LLM name")
                                                : QStringLiteral("text name")),
                         qPrintable(reason));
                QVERIFY2(reason.contains(QStringLiteral("(number 2)")), qPrintable(reason));
                // Shown escaped, never raw.
                QVERIFY2(!reason.contains(QLatin1Char('\n')) && !reason.contains(QLatin1Char('\r'))
                             && !reason.contains(QLatin1Char('\t')),
                         qPrintable(reason));
                QVERIFY(!QFileInfo::exists(path));
            }
        }
    }

    // A writer killed after renaming the matrix, before the name files: same shape, other names
    // and values. On disk the generations are mixed; the loader finishes the publication and
    // reads the new matrix with the new names, never the new values under the old names.
    void interruptedPublicationLoadsTheNewSet()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m.npy"));
        const BpbMatrix oldMatrix
            = matrixOf({ QStringLiteral("old-a"), QStringLiteral("old-b") },
                       { QStringLiteral("x1"), QStringLiteral("x2"), QStringLiteral("x3") }, 1.0);
        const BpbMatrix newMatrix
            = matrixOf({ QStringLiteral("new-b"), QStringLiteral("new-a") },
                       { QStringLiteral("y1"), QStringLiteral("y2"), QStringLiteral("y3") }, 5.0);
        QVERIFY(writeBpbMatrix(path, oldMatrix).ok());
        const QByteArray oldTexts = readAll(npyTextsFileFor(path));

        const pid_t child = ::fork();
        if (child == 0) {
            OutputSet::setAfterRenameHookForTesting([](int renamed) {
                if (renamed == 1)
                    ::raise(SIGKILL);
            });
            ::_exit(writeBpbMatrix(path, newMatrix).ok() ? 0 : 3);
        }
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        // The mix the journal exists for: the new matrix beside the old names.
        QCOMPARE(readAll(npyTextsFileFor(path)), oldTexts);
        QCOMPARE(readAll(path).mid(128, 8),
                 QByteArray(reinterpret_cast<const char *>(&newMatrix.values(0, 0)), 8));

        auto loaded = loadBpbMatrix(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().toString()));
        QCOMPARE(loaded->llms, newMatrix.llms);
        QCOMPARE(loaded->texts, newMatrix.texts);
        QVERIFY(loaded->values == newMatrix.values);
        // Finished: no temporaries or journals left.
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::System).size(), 3);
    }

    void setOfALiveWriterIsReported()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m.npy"));
        QVERIFY(writeBpbMatrix(path, matrixOf({ QStringLiteral("a") }, { QStringLiteral("t") }, 1))
                    .ok());
        int pipeFds[2];
        QCOMPARE(::pipe(pipeFds), 0);
        const pid_t child = ::fork();
        if (child == 0) {
            OutputSet::setAfterRenameHookForTesting([&](int renamed) {
                char byte = 0;
                if (renamed == 1) [[maybe_unused]]
                    const ssize_t got = ::read(pipeFds[0], &byte, 1);
            });
            ::_exit(
                writeBpbMatrix(path, matrixOf({ QStringLiteral("b") }, { QStringLiteral("u") }, 2))
                        .ok()
                    ? 0
                    : 3);
        }
        // Releases the child however this test ends, so a failure cannot leave it paused.
        struct Release {
            int fd;
            pid_t child;
            int status = -1;
            void operator()()
            {
                if (status != -1)
                    return;
                [[maybe_unused]] const ssize_t sent = ::write(fd, "g", 1);
                ::waitpid(child, &status, 0);
            }
            ~Release() { (*this)(); }
        } release { pipeFds[1], child };
        // Wait until the child has renamed the matrix and paused.
        const QByteArray newFirst = [] {
            const double value = 2;
            return QByteArray(reinterpret_cast<const char *>(&value), 8);
        }();
        for (int i = 0; i < 500 && readAll(path).mid(128, 8) != newFirst; ++i)
            QTest::qWait(10);
        QCOMPARE(readAll(path).mid(128, 8), newFirst);
        auto loaded = loadBpbMatrix(path);
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().reason.contains(
                     QStringLiteral("being written by process %1").arg(child)),
                 qPrintable(loaded.error().toString()));
        release();
        QVERIFY(WIFEXITED(release.status) && WEXITSTATUS(release.status) == 0);
        ::close(pipeFds[0]);
        ::close(pipeFds[1]);
        loaded = loadBpbMatrix(path);
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->llms, QStringList { QStringLiteral("b") });
        QCOMPARE(loaded->texts, QStringList { QStringLiteral("u") });
    }

    void fullDiskKeepsTheOldSet()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m.npy"));
        QVERIFY(writeBpbMatrix(path, matrixOf({ QStringLiteral("a") }, { QStringLiteral("t") }, 1))
                    .ok());
        const QByteArray before
            = readAll(path) + readAll(npyTextsFileFor(path)) + readAll(npyLlmsFileFor(path));
        QStringList texts;
        for (int j = 0; j < 1000; ++j)
            texts << QStringLiteral("t%1").arg(j);
        Status written = Done {};
        {
            const test::FileSizeLimit full(4096);
            written = writeBpbMatrix(path, matrixOf({ QStringLiteral("b") }, texts, 2));
        }
        QVERIFY(!written);
        QCOMPARE(written.error().kind, ErrorKind::Io);
        QCOMPARE(readAll(path) + readAll(npyTextsFileFor(path)) + readAll(npyLlmsFileFor(path)),
                 before);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::System).size(), 3);
    }
};

QTEST_GUILESS_MAIN(TestNpyWriter)
#include "tst_npywriter.moc"
