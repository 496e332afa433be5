#include "common/testdata.h"
#include "workspace/workspacefile.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace pcs;

class TestWorkspaceFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir dir;
        Workspace w;
        w.inputs.bpb = test::writeFile(dir, "data/bpb.csv", "");
        w.inputs.errors = test::writeFile(dir, "data/errors.csv", "");
        w.parameters.estimator = Estimator::SignCdf;
        w.parameters.projection = Projection::L2;
        w.parameters.keepRatio = 0.3;
        w.parameters.benchmarks = {"arc_easy", "piqa"};
        w.viewState = QJsonObject{{"stage", "distribution"}};
        const QString path = dir.filePath("project.pcstudio");
        QVERIFY(saveWorkspace(w, path).ok());
        const auto loaded = loadWorkspace(path);
        QVERIFY(loaded.ok());
        QVERIFY(loaded->missingInputs.isEmpty());
        QCOMPARE(loaded->workspace.inputs.bpb, w.inputs.bpb);
        QCOMPARE(loaded->workspace.inputs.tokenCounts, QString());
        QCOMPARE(loaded->workspace.parameters, w.parameters);
        QCOMPARE(loaded->workspace.viewState["stage"].toString(), QString("distribution"));
    }

    // A workspace never replaces one of its inputs (here through a symbolic link).
    void savingOverAnInputIsRefused()
    {
        QTemporaryDir dir;
        Workspace w;
        w.inputs.bpb = test::writeFile(dir, "bpb.csv", "id,a\nt,1\n");
        w.inputs.errors = test::writeFile(dir, "errors.csv", "benchmark,a\n");
        const QString link = dir.filePath("errors.pcstudio");
        QVERIFY(QFile::link(w.inputs.errors, link));
        const Status saved = saveWorkspace(w, link);
        QVERIFY(!saved);
        QCOMPARE(saved.error().kind, ErrorKind::BadInput);
        QVERIFY2(saved.error().reason.contains(w.inputs.errors), qPrintable(saved.error().reason));
        QFile errors(w.inputs.errors);
        QVERIFY(errors.open(QIODevice::ReadOnly));
        QCOMPARE(errors.readAll(), QByteArray("benchmark,a\n"));
    }

    void movedWithItsDataStillOpens()
    {
        QTemporaryDir first, second;
        QVERIFY(QDir().mkpath(first.filePath("data")));
        Workspace w;
        w.inputs.bpb = test::writeFile(first, "data/bpb.csv", "x");
        w.inputs.errors = test::writeFile(first, "data/errors.csv", "x");
        QVERIFY(saveWorkspace(w, first.filePath("w.pcstudio")).ok());
        // Move everything to another folder and delete the original.
        QVERIFY(QDir().mkpath(second.filePath("data")));
        for (const QString name : {"w.pcstudio", "data/bpb.csv", "data/errors.csv"})
            QVERIFY(QFile::copy(first.filePath(name), second.filePath(name)));
        QVERIFY(QDir(first.path()).removeRecursively());
        const auto loaded = loadWorkspace(second.filePath("w.pcstudio"));
        QVERIFY(loaded.ok());
        QVERIFY2(loaded->missingInputs.isEmpty(), qPrintable(loaded->missingInputs.join(';')));
        QCOMPARE(loaded->workspace.inputs.bpb, second.filePath("data/bpb.csv"));
    }

    void missingInputIsReportedNotFatal()
    {
        QTemporaryDir dir;
        Workspace w;
        w.inputs.bpb = test::writeFile(dir, "bpb.csv", "x");
        w.inputs.errors = test::writeFile(dir, "errors.csv", "x");
        QVERIFY(saveWorkspace(w, dir.filePath("w.pcstudio")).ok());
        QVERIFY(QFile::remove(dir.filePath("errors.csv")));
        const auto loaded = loadWorkspace(dir.filePath("w.pcstudio"));
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->missingInputs.size(), 1);
        QVERIFY(loaded->missingInputs.first().startsWith("benchmark errors: "));
    }

    void badFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("phrase");
        QTest::addColumn<int>("line");
        QTest::newRow("not json") << QByteArray("{\n  \"format\": \"pcstudio-workspace\",\n  oops\n}") << "not valid JSON" << 3;
        QTest::newRow("other json") << QByteArray("{\"hello\": 1}") << "not a pcstudio workspace" << 0;
        QTest::newRow("newer") << QByteArray("{\"format\": \"pcstudio-workspace\", \"format_version\": 99}") << "newer pcstudio" << 0;
    }

    void badFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, phrase);
        QFETCH(int, line);
        QTemporaryDir dir;
        const QString path = test::writeFile(dir, "w.pcstudio", content);
        const auto loaded = loadWorkspace(path);
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().file, path);
        QCOMPARE(loaded.error().line, qint64(line));
        QVERIFY2(loaded.error().reason.contains(phrase), qPrintable(loaded.error().toString()));
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceFile)
#include "tst_workspacefile.moc"
