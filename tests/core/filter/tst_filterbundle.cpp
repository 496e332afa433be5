// The filter bundle (model, manifest, quantized model and its manifest) is written through the
// checked writer and published as one set: a full disk is an Io error naming the file, and the
// previous bundle stays whole; a bundle never replaces a training input.
#include "core/demo/democorpus.h"
#include "core/filter/filtertrain.h"
#include "core/io/fileinfo.h"
#include "tests/common/faults.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QTest>

using namespace pcs;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<missing>");
}

QStringList folderEntries(const QString &folder)
{
    return QDir(folder).entryList(QDir::Files | QDir::Hidden | QDir::System);
}

}  // namespace

class TestFilterBundle : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_texts, m_distribution;
    std::optional<TrainedFilter> m_filter;

private Q_SLOTS:
    void initTestCase()
    {
        QStringList ids, domains;
        QByteArray distribution = "text,weight\n";
        for (int i = 0; i < 800; ++i) {
            ids << QStringLiteral("doc-%1").arg(i);
            domains << (i % 4 == 0 ? QStringLiteral("science") : QStringLiteral("forums"));
            distribution += ids.last().toUtf8() + (i % 4 == 0 ? ",0.01\n" : ",0\n");
        }
        m_texts
            = test::writeFile(m_dir, QStringLiteral("texts.jsonl"), demoCorpusJsonl(ids, domains));
        m_distribution = test::writeFile(m_dir, QStringLiteral("distribution.csv"), distribution);
        FilterTrainOptions options;
        options.data.textFiles = { m_texts };
        options.data.distributionFile = m_distribution;
        options.fastText.dim = 16;
        options.fastText.bucket = 10000;
        options.fastText.seed = 1;
        options.fastText.threads = 1;
        auto trained = trainFilter(options);
        QVERIFY2(trained.ok(), trained ? "" : qPrintable(trained.error().toString()));
        m_filter = std::move(trained).value();
    }

    void modelSaveOnAFullDiskIsAnIoError()
    {
        const QString folder = m_dir.filePath(QStringLiteral("save"));
        QVERIFY(QDir().mkpath(folder));
        const QString path = QDir(folder).filePath(QStringLiteral("model.bin"));
        test::writeFile(m_dir, QStringLiteral("save/model.bin"), "old model\n");
        Status saved = Done {};
        {
            const test::FileSizeLimit full(4096);
            saved = m_filter->model.save(path);
        }
        QVERIFY(!saved);
        QCOMPARE(saved.error().kind, ErrorKind::Io);
        QVERIFY2(saved.error().file.endsWith(QStringLiteral("model.bin")),
                 qPrintable(saved.error().toString()));
        QVERIFY2(saved.error().reason.contains(QStringLiteral("File too large")),
                 qPrintable(saved.error().toString()));
        QCOMPARE(readAll(path), QByteArray("old model\n"));
        QCOMPARE(folderEntries(folder), QStringList { QStringLiteral("model.bin") });
        // With room, the model is replaced and loads.
        QVERIFY(m_filter->model.save(path).ok());
        QVERIFY(FastTextModel::load(path).ok());
    }

    void bundleOnAFullDiskKeepsTheOldBundle_data()
    {
        QTest::addColumn<bool>("quantize");
        QTest::newRow("model and manifest") << false;
        QTest::newRow("with the quantized model") << true;
    }

    void bundleOnAFullDiskKeepsTheOldBundle()
    {
        QFETCH(bool, quantize);
        const QString folder
            = m_dir.filePath(QStringLiteral("full-") + QString::number(int(quantize)));
        QVERIFY(QDir().mkpath(folder));
        const QString model = QDir(folder).filePath(QStringLiteral("filter.bin"));
        QStringList files;
        for (const NamedPath &file : filterBundleFiles(model, quantize)) {
            files << file.path;
            QFile old(file.path);
            QVERIFY(old.open(QIODevice::WriteOnly));
            old.write("old " + QFileInfo(file.path).fileName().toUtf8());
        }
        const QStringList before = folderEntries(folder);
        const ThresholdChoice choice
            = chooseThreshold(m_filter->testScores, m_filter->data, std::nullopt, std::nullopt);
        Result<QJsonObject> saved = QJsonObject {};
        {
            const test::FileSizeLimit full(4096);
            saved = saveFilterBundle(*m_filter, model, choice, quantize);
        }
        QVERIFY(!saved);
        QCOMPARE(saved.error().kind, ErrorKind::Io);
        QVERIFY2(saved.error().reason.contains(QStringLiteral("File too large")),
                 qPrintable(saved.error().toString()));
        for (const QString &path : files)
            QCOMPARE(readAll(path), "old " + QFileInfo(path).fileName().toUtf8());
        QCOMPARE(folderEntries(folder), before);
        QVERIFY(!m_filter->model.isQuantized());
    }

    // All four files at once, each manifest describing the model beside it; the full model is
    // back in memory after quantizing.
    void bundleIsPublishedTogether()
    {
        const QString model = m_dir.filePath(QStringLiteral("together/filter.bin"));
        QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("together"))));
        const ThresholdChoice choice
            = chooseThreshold(m_filter->testScores, m_filter->data, std::nullopt, std::nullopt);
        auto saved = saveFilterBundle(*m_filter, model, choice, true);
        QVERIFY2(saved.ok(), saved ? "" : qPrintable(saved.error().toString()));
        QVERIFY(!m_filter->model.isQuantized());
        for (const QString &path : { model, quantizedModelPath(model) }) {
            auto manifest = loadFilterManifest(path);
            QVERIFY(manifest.ok());
            auto described = describeInputFile(QStringLiteral("model"), path);
            QVERIFY(described.ok());
            const QJsonObject recorded = manifest->value(QStringLiteral("model")).toObject();
            QCOMPARE(recorded.value(QStringLiteral("sha256")).toString(), described->sha256);
            QCOMPARE(recorded.value(QStringLiteral("path")).toString(), described->path);
        }
        QCOMPARE(folderEntries(m_dir.filePath(QStringLiteral("together"))),
                 (QStringList {
                     QStringLiteral("filter.bin"), QStringLiteral("filter.bin.manifest.json"),
                     QStringLiteral("filter.ftz"), QStringLiteral("filter.ftz.manifest.json") }));
    }

    void bundleOverATrainingInputIsRefused()
    {
        const QByteArray before = readAll(m_distribution);
        const ThresholdChoice choice
            = chooseThreshold(m_filter->testScores, m_filter->data, std::nullopt, std::nullopt);
        auto saved = saveFilterBundle(*m_filter, m_distribution, choice, false);
        QVERIFY(!saved);
        QCOMPARE(saved.error().kind, ErrorKind::BadInput);
        QVERIFY2(saved.error().reason.contains(m_distribution),
                 qPrintable(saved.error().toString()));
        QCOMPARE(readAll(m_distribution), before);
        QVERIFY(!QFile::exists(m_distribution + QStringLiteral(".manifest.json")));
    }
};

QTEST_GUILESS_MAIN(TestFilterBundle)
#include "tst_filterbundle.moc"
