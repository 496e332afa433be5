// FilterSession: training, export and apply in the background, with progress, cancel and the
// one-task-at-a-time rule.
#include "core/demo/democorpus.h"
#include "core/filter/fasttextmodel.h"
#include "core/workspace/filtersession.h"
#include "tests/common/testdata.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace pcs;

namespace {

constexpr int kDocuments = 1500;

QList<QByteArray> nonEmptyLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines = file.readAll().split('\n');
    lines.removeAll(QByteArray());
    return lines;
}

}  // namespace

class TestFilterSession : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_texts;
    QString m_distribution;

    FilterTrainOptions options(int epoch = 5, int dim = 100) const
    {
        FilterTrainOptions o;
        o.data.textFiles = { m_texts };
        o.data.distributionFile = m_distribution;
        o.data.testFraction = 0.2;
        o.fastText.epoch = epoch;
        o.fastText.dim = dim;
        o.fastText.seed = 1;
        // Fewer hash buckets than the 2M default: a small model saves and quantizes in moments.
        o.fastText.bucket = 50000;
        return o;
    }

    static bool trainAndWait(FilterSession &session, const FilterTrainOptions &o)
    {
        QSignalSpy finished(&session, &FilterSession::trainingFinished);
        QSignalSpy failed(&session, &FilterSession::trainingFailed);
        if (!session.train(o))
            return false;
        return finished.wait(60000) && failed.isEmpty();
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Two domains; the "good" ones (every fourth) are included with a positive weight.
        QStringList ids, domains;
        QByteArray distribution = "text,weight\n";
        for (int i = 0; i < kDocuments; ++i) {
            const bool good = i % 4 == 0;
            ids << QStringLiteral("doc-%1").arg(i);
            domains << (good ? QStringLiteral("good") : QStringLiteral("other"));
            distribution += ids.last().toUtf8() + (good ? ",0.002\n" : ",0\n");
        }
        m_texts
            = test::writeFile(m_dir, QStringLiteral("texts.jsonl"), demoCorpusJsonl(ids, domains));
        m_distribution = test::writeFile(m_dir, QStringLiteral("distribution.csv"), distribution);
    }

    void trainsInTheBackgroundWithProgress()
    {
        FilterSession session;
        QSignalSpy busy(&session, &FilterSession::busyChanged);
        QSignalSpy progress(&session, &FilterSession::progressChanged);
        bool prepared = false;
        QSignalSpy finished(&session, &FilterSession::trainingFinished);
        QVERIFY(session.train(options(), [&prepared] {
            prepared = true;
            return Status(Done {});
        }));
        QVERIFY(session.isBusy());
        QVERIFY(finished.wait(60000));
        QVERIFY(prepared);
        QVERIFY(!session.isBusy());
        QCOMPARE(busy.size(), 2);
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.first().at(1).toString(), QStringLiteral("Training"));

        const auto filter = session.filter();
        QVERIFY(filter);
        QVERIFY(filter->data.testDocuments > 200);
        QCOMPARE(qint64(filter->testScores.size()), filter->data.testDocuments);
        QCOMPARE(filter->testIsInclude.size(), filter->testScores.size());
        QCOMPARE(filter->data.include + filter->data.exclude, qint64(kDocuments));
        QVERIFY(evaluateFilter(filter->testScores, filter->testIsInclude).rocAuc > 0.95);
        QVERIFY(session.applyModel());
        QVERIFY(session.loadedModelPath().isEmpty());
    }

    void aFailingPrepareStepFailsTheTraining()
    {
        FilterSession session;
        QSignalSpy failed(&session, &FilterSession::trainingFailed);
        QVERIFY(session.train(options(), [] {
            return Status(Error::badInput(QStringLiteral("no selection"), QStringLiteral("x.csv")));
        }));
        QVERIFY(failed.wait(20000));
        QCOMPARE(failed.first().at(0).value<Error>().toString(),
                 QStringLiteral("x.csv: no selection"));
        QVERIFY(!session.filter());
    }

    void cancelStopsATrainingAndTheSessionStaysUsable()
    {
        FilterSession session;
        QSignalSpy canceled(&session, &FilterSession::trainingCanceled);
        QSignalSpy progress(&session, &FilterSession::progressChanged);
        QVERIFY(session.train(options(200)));
        // Once training proper has begun (past the data preparation's 15%).
        QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(0).toInt() > 160, 60000);
        QVERIFY(session.isBusy());
        // A second task is refused while one runs.
        const Status refused = session.train(options());
        QVERIFY(!refused.ok());
        QVERIFY(refused.error().reason.contains(QStringLiteral("busy")));
        session.cancel();
        QVERIFY(canceled.wait(30000));
        QVERIFY(!session.isBusy());
        QVERIFY(!session.filter());

        QVERIFY(trainAndWait(session, options()));
        QVERIFY(session.filter());
    }

    void exportsTheBundleAndKeepsTheFullModel()
    {
        FilterSession session;
        // Quantizing runs a k-means per pair of dimensions: 10 dimensions keep it to moments.
        QVERIFY(trainAndWait(session, options(5, 10)));
        const auto filter = session.filter();
        const ThresholdChoice choice
            = chooseThreshold(filter->testScores, filter->data, std::nullopt, std::nullopt);

        QSignalSpy exported(&session, &FilterSession::exportFinished);
        QSignalSpy failed(&session, &FilterSession::exportFailed);
        const QString model = m_dir.filePath(QStringLiteral("filter.bin"));
        QVERIFY(session.exportBundle(model, choice, true));
        QTRY_VERIFY_WITH_TIMEOUT(!exported.isEmpty() || !failed.isEmpty(), 240000);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).value<Error>().toString()));
        const auto result = exported.first().at(0).value<FilterExportResult>();
        QCOMPARE(result.modelPath, model);
        QCOMPARE(result.quantizedPath, m_dir.filePath(QStringLiteral("filter.ftz")));
        for (const QString &path :
             { model, model + QStringLiteral(".manifest.json"), result.quantizedPath,
               result.quantizedPath + QStringLiteral(".manifest.json") })
            QVERIFY2(QFileInfo::exists(path), qPrintable(path));
        QCOMPARE(result.manifest.value(QStringLiteral("threshold"))
                     .toObject()
                     .value(QStringLiteral("value"))
                     .toDouble(),
                 choice.threshold);

        // The session read the full model back: a second export is not quantized again.
        QVERIFY(!session.filter()->model.isQuantized());
        QSignalSpy exportedAgain(&session, &FilterSession::exportFinished);
        const QString second = m_dir.filePath(QStringLiteral("second.bin"));
        QVERIFY(session.exportBundle(second, choice, false));
        QVERIFY(exportedAgain.wait(120000));
        QCOMPARE(QFileInfo(second).size(), QFileInfo(model).size());
    }

    void appliesTheTrainedAndALoadedModel()
    {
        FilterSession session;
        QVERIFY(trainAndWait(session, options()));
        const double threshold = 0.5;
        FilterApplyOptions apply;
        apply.inputs = { m_texts };
        apply.output = m_dir.filePath(QStringLiteral("kept.jsonl"));
        apply.mode = ApplyMode::Keep;
        apply.threshold = threshold;

        QSignalSpy applied(&session, &FilterSession::applyFinished);
        QVERIFY(session.apply(apply));
        QVERIFY(applied.wait(60000));
        const auto result = applied.first().at(0).value<FilterApplyResult>();
        QCOMPARE(result.summary.lines, qint64(kDocuments));
        QCOMPARE(result.summary.malformed, 0);
        QVERIFY(result.problems.isEmpty());
        const qint64 kept = nonEmptyLines(apply.output).size();
        QCOMPARE(kept, result.summary.kept);
        // About a quarter are the included domain.
        QVERIFY2(kept > kDocuments / 6 && kept < kDocuments / 3, qPrintable(QString::number(kept)));

        // The same through a model file chosen by the user.
        const QString model = m_dir.filePath(QStringLiteral("applied.bin"));
        QVERIFY(session.filter()->model.save(model));
        QSignalSpy loaded(&session, &FilterSession::modelLoaded);
        QVERIFY(session.loadModel(model));
        QVERIFY(loaded.wait(30000));
        QCOMPARE(session.loadedModelPath(), model);
        QVERIFY(!session.loadedModelManifest());  // saved bare, without a bundle
        apply.output = m_dir.filePath(QStringLiteral("scores.txt"));
        apply.mode = ApplyMode::Score;
        QSignalSpy scored(&session, &FilterSession::applyFinished);
        QVERIFY(session.apply(apply));
        QVERIFY(scored.wait(60000));
        const QList<QByteArray> scores = nonEmptyLines(apply.output);
        QCOMPARE(scores.size(), kDocuments);
        qint64 above = 0;
        for (const QByteArray &score : scores)
            above += score.toDouble() >= threshold ? 1 : 0;
        QCOMPARE(above, kept);

        // Never over the model, nor over an input: refused at once, both files named.
        const QByteArray modelBytes = [&] {
            QFile file(model);
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        }();
        for (const QString &output : { model, m_texts }) {
            apply.output = output;
            const Status refused = session.apply(apply);
            QVERIFY(!refused);
            QCOMPARE(refused.error().kind, ErrorKind::BadInput);
            QVERIFY2(refused.error().reason.contains(output),
                     qPrintable(refused.error().toString()));
            QVERIFY(!session.isBusy());
        }
        QFile reread(model);
        QVERIFY(reread.open(QIODevice::ReadOnly));
        QCOMPARE(reread.readAll(), modelBytes);
        QCOMPARE(nonEmptyLines(m_texts).size(), kDocuments);

        // A bundle over a training input fails without touching it.
        QSignalSpy exportFailed(&session, &FilterSession::exportFailed);
        const ThresholdChoice choice = chooseThreshold(session.filter()->testScores,
                                                       session.filter()->data, 0.5, std::nullopt);
        QVERIFY(session.exportBundle(m_distribution, choice, false));
        QVERIFY(exportFailed.wait(60000));
        QVERIFY(exportFailed.first().at(0).value<Error>().reason.contains(m_distribution));
        QVERIFY(nonEmptyLines(m_distribution).first().startsWith("text,weight"));
        QCOMPARE(nonEmptyLines(m_distribution).size(), kDocuments + 1);
    }

    void malformedLinesAndErrorsAreReported()
    {
        FilterSession session;
        QVERIFY(!session.apply({}).ok());  // no model yet
        QVERIFY(trainAndWait(session, options()));
        const QString input = test::writeFile(
            m_dir, QStringLiteral("mixed.jsonl"),
            "{\"text\":\"fine\"}\nnot json\n{\"text\":7}\n{\"text\":\"also fine\"}\n");
        FilterApplyOptions apply;
        apply.inputs = { input };
        apply.output = m_dir.filePath(QStringLiteral("annotated.jsonl"));
        apply.mode = ApplyMode::Annotate;
        apply.threshold = 0.5;
        QSignalSpy applied(&session, &FilterSession::applyFinished);
        QVERIFY(session.apply(apply));
        QVERIFY(applied.wait(30000));
        const auto result = applied.first().at(0).value<FilterApplyResult>();
        QCOMPARE(result.summary.malformed, 2);
        QCOMPARE(result.problems.size(), 2);
        QVERIFY2(result.problems.first().startsWith(input + QStringLiteral(":2:")),
                 qPrintable(result.problems.first()));
        QCOMPARE(nonEmptyLines(apply.output).size(), 2);

        QSignalSpy failed(&session, &FilterSession::applyFailed);
        apply.inputs = { m_dir.filePath(QStringLiteral("missing.jsonl")) };
        QVERIFY(session.apply(apply));
        QVERIFY(failed.wait(30000));
        QVERIFY(failed.first().at(0).value<Error>().toString().contains(
            QStringLiteral("missing.jsonl")));

        QSignalSpy loadFailed(&session, &FilterSession::modelLoadFailed);
        QVERIFY(session.loadModel(input));
        QVERIFY(loadFailed.wait(30000));
        QVERIFY(session.loadedModelPath().isEmpty());  // still the trained model
    }
};

QTEST_GUILESS_MAIN(TestFilterSession)
#include "tst_filtersession.moc"
