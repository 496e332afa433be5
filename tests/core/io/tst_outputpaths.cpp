// Outputs never replace inputs: the same path, a symbolic or hard link to an input, a file in an
// input folder, two outputs naming one file, and SQLite's companion files.

#include "core/io/outputpaths.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace pcs;

class TestOutputPaths : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void refusesOutputsOverInputs_data();
    void refusesOutputsOverInputs();
    void acceptsDistinctFiles();
};

void TestOutputPaths::refusesOutputsOverInputs_data()
{
    QTest::addColumn<QString>("output");  // relative to the temporary folder
    QTest::addColumn<QString>("clash");  // a phrase the error must contain

    QTest::newRow("same path") << "bpb.csv"
                               << "is the input";
    QTest::newRow("same file by another spelling") << "sub/../bpb.csv"
                                                   << "is the input";
    QTest::newRow("symbolic link to an input") << "link.csv"
                                               << "is the input";
    QTest::newRow("hard link to an input") << "hard.csv"
                                           << "is the input";
    QTest::newRow("inside an input folder") << "results/new.json"
                                            << "lies inside the input";
    QTest::newRow("the queue's WAL file") << "queue.sqlite-wal"
                                          << "is the input";
    QTest::newRow("two outputs, one file") << "out.csv"
                                           << "is also the output";
}

void TestOutputPaths::refusesOutputsOverInputs()
{
    QFETCH(QString, output);
    QFETCH(QString, clash);
    QTemporaryDir dir;
    const QString bpb = test::writeFile(dir, QStringLiteral("bpb.csv"), "id,a\n");
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("sub")));
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("results")));
    QVERIFY(QFile::link(bpb, dir.filePath(QStringLiteral("link.csv"))));
    QCOMPARE(::link(QFile::encodeName(bpb).constData(),
                    QFile::encodeName(dir.filePath(QStringLiteral("hard.csv"))).constData()),
             0);
    QList<NamedPath> inputs { { bpb, QStringLiteral("the BPB matrix") },
                              { dir.filePath(QStringLiteral("results")),
                                QStringLiteral("--errors") } };
    inputs << sqliteFiles(dir.filePath(QStringLiteral("queue.sqlite")),
                          QStringLiteral("the queue"));
    const QList<NamedPath> outputs { { dir.filePath(QStringLiteral("out.csv")),
                                       QStringLiteral("--output") },
                                     { dir.filePath(output), QStringLiteral("--report") } };
    const Status checked = checkOutputsAgainstInputs(outputs, inputs);
    QVERIFY(!checked);
    QCOMPARE(checked.error().kind, ErrorKind::BadInput);
    QVERIFY2(checked.error().reason.contains(clash), qPrintable(checked.error().reason));
    QVERIFY2(checked.error().reason.contains(dir.filePath(output)),
             qPrintable(checked.error().reason));
    QVERIFY(checked.error().reason.contains(QStringLiteral("--report")));
}

void TestOutputPaths::acceptsDistinctFiles()
{
    QTemporaryDir dir;
    const QString bpb = test::writeFile(dir, QStringLiteral("bpb.csv"), "id,a\n");
    const Status checked = checkOutputsAgainstInputs(
        { { dir.filePath(QStringLiteral("out.csv")), QStringLiteral("--output") },
          { QStringLiteral("-"), QStringLiteral("stdout") },
          { dir.filePath(QStringLiteral("bpb.csv.report.json")), QStringLiteral("--report") } },
        { { bpb, QStringLiteral("the BPB matrix") }, { QString(), QStringLiteral("none") } });
    QVERIFY2(checked.ok(), checked.ok() ? "" : qPrintable(checked.error().toString()));
}

QTEST_GUILESS_MAIN(TestOutputPaths)
#include "tst_outputpaths.moc"
