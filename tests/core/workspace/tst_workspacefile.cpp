#include "core/workspace/workspacefile.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <chrono>
#include <future>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace pcs;

namespace {

QByteArray workspaceNaming(const QByteArray &inputs)
{
    return "{\"format\": \"pcstudio-workspace\", \"format_version\": 1, \"inputs\": {" + inputs
        + "}}";
}

QByteArray input(const char *role, const QString &relative, const QString &absolute = {})
{
    return "\"" + QByteArray(role) + "\": {\"relative\": \"" + relative.toUtf8()
        + "\", \"absolute\": \"" + absolute.toUtf8() + "\"}";
}

// Loads with a time limit: a load that opened a FIFO blocks, and a writer that closes at once
// releases it (the test then fails instead of hanging).
Result<LoadedWorkspace> loadGuarded(const QString &path, const QString &fifo)
{
    auto load = std::async(std::launch::async, [&] { return loadWorkspace(path); });
    if (load.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
        const int writer = ::open(QFile::encodeName(fifo).constData(), O_WRONLY | O_NONBLOCK);
        if (writer >= 0)
            ::close(writer);
        load.wait();
        return Error::internal(QStringLiteral("the load opened the FIFO and blocked"));
    }
    return load.get();
}

}  // namespace

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
        w.parameters.benchmarks = { "arc_easy", "piqa" };
        w.viewState = QJsonObject { { "stage", "distribution" } };
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

    // Format 2 keeps the Filter and Review stages beside the selection, and a workspace moved
    // with all its data (into a folder at another depth) reopens every one of them.
    void everyStageRoundTripsAndMoves()
    {
        QTemporaryDir first, second;
        Workspace w;
        w.inputs.bpb = test::writeFile(first, "data/bpb.csv", "x");
        w.inputs.errors = test::writeFile(first, "data/errors.csv", "x");
        w.parameters.estimator = Estimator::SignSign;
        w.parameters.keepRatio = 0.25;
        w.filter.textFiles = { test::writeFile(first, "texts/a.jsonl", "{}"),
                               test::writeFile(first, "texts/b.jsonl.gz", "") };
        w.filter.distributionFile = test::writeFile(first, "out/distribution.csv", "x");
        w.filter.textField = QStringLiteral("content");
        w.filter.threshold = 0.4375;
        w.filter.modelPath = test::writeFile(first, "out/filter.bin", "x");
        w.filter.applyInputs = { test::writeFile(first, "corpus/part-0.jsonl", "{}") };
        w.filter.applyOutput = first.filePath("out/kept.jsonl");  // not written yet
        w.filter.applyMode = ApplyMode::Annotate;
        w.reviewProject = test::writeFile(first, "review/queue.pcsq", "x");
        w.viewState = QJsonObject { { "stage", 5 }, { "compare_with", "sign_cdf" } };
        QVERIFY(saveWorkspace(w, first.filePath("project.pcstudio")).ok());

        // Everything, workspace included, to a folder one level deeper, the original deleted.
        const QString moved = second.filePath("nested/copy");
        for (const QString &name :
             { "project.pcstudio", "data/bpb.csv", "data/errors.csv", "texts/a.jsonl",
               "texts/b.jsonl.gz", "out/distribution.csv", "out/filter.bin", "corpus/part-0.jsonl",
               "review/queue.pcsq" }) {
            QVERIFY(QDir().mkpath(QFileInfo(moved + '/' + name).absolutePath()));
            QVERIFY(QFile::copy(first.filePath(name), moved + '/' + name));
        }
        QVERIFY(QDir(first.path()).removeRecursively());
        const auto loaded = loadWorkspace(moved + "/project.pcstudio");
        QVERIFY2(loaded.ok(), qPrintable(loaded ? QString() : loaded.error().toString()));
        QCOMPARE(loaded->formatVersion, kWorkspaceFormatVersion);
        QVERIFY2(loaded->missingInputs.isEmpty(), qPrintable(loaded->missingInputs.join(';')));
        QVERIFY2(loaded->missingStageFiles.isEmpty(),
                 qPrintable(loaded->missingStageFiles.join(';')));
        const Workspace &r = loaded->workspace;
        QCOMPARE(r.inputs.bpb, moved + "/data/bpb.csv");
        QCOMPARE(r.parameters, w.parameters);
        FilterStageSettings expected = w.filter;
        const auto relocate
            = [&](const QString &path) { return moved + path.mid(first.path().size()); };
        for (QString &path : expected.textFiles)
            path = relocate(path);
        for (QString &path : expected.applyInputs)
            path = relocate(path);
        expected.distributionFile = relocate(expected.distributionFile);
        expected.modelPath = relocate(expected.modelPath);
        expected.applyOutput = relocate(expected.applyOutput);
        QCOMPARE(r.filter.textFiles, expected.textFiles);
        QCOMPARE(r.filter.applyOutput, expected.applyOutput);
        QVERIFY(r.filter == expected);
        QCOMPARE(r.reviewProject, moved + "/review/queue.pcsq");
        QCOMPARE(r.viewState.value("stage").toInt(), 5);
    }

    // Filter and review files that are gone are listed apart from the selection's inputs: the
    // selection still loads, the other stages open without them.
    void missingStageFilesAreListedApart()
    {
        QTemporaryDir dir;
        Workspace w;
        w.inputs.bpb = test::writeFile(dir, "bpb.csv", "x");
        w.inputs.errors = test::writeFile(dir, "errors.csv", "x");
        w.filter.modelPath = test::writeFile(dir, "filter.bin", "x");
        w.reviewProject = test::writeFile(dir, "queue.pcsq", "x");
        QVERIFY(saveWorkspace(w, dir.filePath("w.pcstudio")).ok());
        QVERIFY(QFile::remove(w.filter.modelPath));
        QVERIFY(QFile::remove(w.reviewProject));
        const auto loaded = loadWorkspace(dir.filePath("w.pcstudio"));
        QVERIFY(loaded.ok());
        QVERIFY(loaded->missingInputs.isEmpty());
        QCOMPARE(loaded->missingStageFiles.size(), 2);
        QVERIFY(loaded->missingStageFiles.join(';').contains("filter model: "));
        QVERIFY(loaded->missingStageFiles.join(';').contains("review project: "));
    }

    // A format 1 workspace (the selection only, as pcstudio 0.1 wrote it) opens with the Filter
    // and Review stages at their defaults, and is saved again as format 2.
    void formatOneIsMigrated()
    {
        QTemporaryDir dir;
        test::writeFile(dir, "bpb.csv", "x");
        test::writeFile(dir, "errors.csv", "x");
        const QString path = test::writeFile(
            dir, "old.pcstudio",
            "{\"format\": \"pcstudio-workspace\", \"format_version\": 1, \"app_version\": "
            "\"0.1.0\", \"inputs\": {\"bpb\": {\"relative\": \"bpb.csv\", \"absolute\": \"\"}, "
            "\"errors\": \"errors.csv\", \"layout\": \"auto\"}, \"parameters\": {\"estimator\": "
            "\"sign_cdf\", \"keep_ratio\": 0.3}, \"view\": {\"stage\": 2}}");
        const auto loaded = loadWorkspace(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded ? QString() : loaded.error().toString()));
        QCOMPARE(loaded->formatVersion, 1);
        QCOMPARE(loaded->workspace.inputs.errors, dir.filePath("errors.csv"));
        QCOMPARE(loaded->workspace.parameters.estimator, Estimator::SignCdf);
        QVERIFY(loaded->workspace.filter == FilterStageSettings {});
        QVERIFY(loaded->workspace.reviewProject.isEmpty());
        QVERIFY(saveWorkspace(loaded->workspace, path).ok());
        const auto again = loadWorkspace(path);
        QVERIFY(again.ok());
        QCOMPARE(again->formatVersion, kWorkspaceFormatVersion);
        QCOMPARE(again->workspace.parameters, loaded->workspace.parameters);
    }

    // A workspace is never saved over a file one of its stages names (here the review queue).
    void savingOverAStageFileIsRefused()
    {
        QTemporaryDir dir;
        Workspace w;
        w.reviewProject = test::writeFile(dir, "queue.pcstudio", "queue");
        const Status saved = saveWorkspace(w, w.reviewProject);
        QVERIFY(!saved);
        QVERIFY2(saved.error().reason.contains("review project"), qPrintable(saved.error().reason));
        QFile queue(w.reviewProject);
        QVERIFY(queue.open(QIODevice::ReadOnly));
        QCOMPARE(queue.readAll(), QByteArray("queue"));
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
        for (const QString name : { "w.pcstudio", "data/bpb.csv", "data/errors.csv" })
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

    // A workspace may name anything; what is not a regular file (or, for benchmark errors, a
    // folder of results) is refused from stat() alone, without opening it.
    void inputsThatAreNotFilesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("role");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("phrase");
        for (const char *role : { "bpb", "errors", "token_counts", "npy_texts", "npy_llms" }) {
            QTest::addRow("%s: FIFO", role) << QByteArray(role) << "fifo"
                                            << "not a regular file (a FIFO)";
            QTest::addRow("%s: /dev/null", role) << QByteArray(role) << "device"
                                                 << "not a regular file (a character device)";
            if (QByteArray(role) != "errors")
                QTest::addRow("%s: folder", role) << QByteArray(role) << "folder"
                                                  << "not a regular file (a directory)";
        }
    }

    void inputsThatAreNotFilesAreRefused()
    {
        QFETCH(QByteArray, role);
        QFETCH(QString, kind);
        QFETCH(QString, phrase);
        QTemporaryDir dir;
        QString target = dir.filePath("special");
        if (kind == "fifo")
            QCOMPARE(::mkfifo(QFile::encodeName(target).constData(), 0600), 0);
        else if (kind == "folder")
            QVERIFY(QDir().mkdir(target));
        else
            target = "/dev/null";
        const QString path = test::writeFile(dir, "w.pcstudio",
                                             workspaceNaming(input(role.constData(), {}, target)));
        const auto loaded = loadGuarded(path, target);
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().kind, ErrorKind::BadInput);
        QCOMPARE(loaded.error().file, path);
        QVERIFY2(loaded.error().reason.contains(phrase), qPrintable(loaded.error().toString()));
        QVERIFY2(loaded.error().reason.contains(target), qPrintable(loaded.error().toString()));
    }

    void errorsMayBeAFolderOfResults()
    {
        QTemporaryDir dir;
        QVERIFY(QDir().mkdir(dir.filePath("lm-eval")));
        const QString path
            = test::writeFile(dir, "w.pcstudio", workspaceNaming(input("errors", "lm-eval")));
        const auto loaded = loadWorkspace(path);
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : qPrintable(loaded.error().toString()));
        QCOMPARE(loaded->workspace.inputs.errors, dir.filePath("lm-eval"));
    }

    void workspaceThatIsNotAFileIsNotOpened()
    {
        QTemporaryDir dir;
        const QString fifo = dir.filePath("w.pcstudio");
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        const auto loaded = loadGuarded(fifo, fifo);
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().file, fifo);
        QVERIFY2(loaded.error().reason.contains("not a regular file (a FIFO)"),
                 qPrintable(loaded.error().toString()));

        const QString big = dir.filePath("big.pcstudio");
        QFile file(big);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.resize(qint64(64) << 20));  // sparse: no 64 MiB written
        file.close();
        const auto tooBig = loadWorkspace(big);
        QVERIFY(!tooBig.ok());
        QVERIFY2(tooBig.error().reason.contains("not a pcstudio workspace"),
                 qPrintable(tooBig.error().toString()));
    }

    // Relative paths are resolved against the workspace's folder, whatever the current one is
    // and however the workspace itself was named.
    void relativePathsAreResolvedAgainstTheWorkspaceFolder()
    {
        QTemporaryDir dir, elsewhere;
        const QString bpb = test::writeFile(dir, "data/bpb.csv", "x");
        const QString errors = test::writeFile(dir, "errors.csv", "x");
        // Decoys where the current folder would resolve the same relative paths.
        test::writeFile(elsewhere, "data/bpb.csv", "decoy");
        test::writeFile(elsewhere, "errors.csv", "decoy");
        test::writeFile(dir, "project/w.pcstudio",
                        workspaceNaming(input("bpb", "../data/bpb.csv") + ", "
                                        + input("errors", "../errors.csv")));
        const QString previous = QDir::currentPath();
        QVERIFY(QDir::setCurrent(elsewhere.path()));
        const auto absolute = loadWorkspace(dir.filePath("project/w.pcstudio"));
        QVERIFY(QDir::setCurrent(dir.filePath("project")));
        const auto relative = loadWorkspace("w.pcstudio");
        QVERIFY(QDir::setCurrent(previous));
        for (const auto *loaded : { &absolute, &relative }) {
            QVERIFY(loaded->ok());
            QVERIFY((*loaded)->missingInputs.isEmpty());
            QCOMPARE((*loaded)->workspace.inputs.bpb, bpb);
            QCOMPARE((*loaded)->workspace.inputs.errors, errors);
        }
    }

    // A workspace written by hand names its inputs as plain strings.
    void plainPathStringsAreInputsToo()
    {
        QTemporaryDir dir;
        const QString bpb = test::writeFile(dir, "data/bpb.csv", "x");
        const QString errors = test::writeFile(dir, "errors.csv", "x");
        test::writeFile(dir, "project/w.pcstudio",
                        workspaceNaming("\"bpb\": \"../data/bpb.csv\", \"errors\": \""
                                        + errors.toUtf8() + "\""));
        const auto loaded = loadWorkspace(dir.filePath("project/w.pcstudio"));
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : qPrintable(loaded.error().toString()));
        QVERIFY(loaded->missingInputs.isEmpty());
        QCOMPARE(loaded->workspace.inputs.bpb, bpb);
        QCOMPARE(loaded->workspace.inputs.errors, errors);
    }

    void badFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("phrase");
        QTest::addColumn<int>("line");
        QTest::newRow("not json") << QByteArray(
            "{\n  \"format\": \"pcstudio-workspace\",\n  oops\n}")
                                  << "not valid JSON" << 3;
        QTest::newRow("other json")
            << QByteArray("{\"hello\": 1}") << "not a pcstudio workspace" << 0;
        QTest::newRow("newer") << QByteArray(
            "{\"format\": \"pcstudio-workspace\", \"format_version\": 99}")
                               << "newer pcstudio" << 0;
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
