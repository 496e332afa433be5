// The filter pipeline in core: training data from JSONL + a distribution, training with a held-out
// evaluation, the saved bundle, and streaming apply (modes, malformed lines, threads, shards).
#include "core/demo/democorpus.h"
#include "core/filter/cleaning.h"
#include "core/filter/fasttextmodel.h"
#include "core/filter/filterapply.h"
#include "core/filter/filtertrain.h"
#include "core/filter/trainingdata.h"
#include "tests/common/testdata.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <zlib.h>

#include <atomic>

using namespace pcs;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QList<QByteArray> linesOf(const QByteArray &bytes)
{
    QList<QByteArray> lines = bytes.split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

// Two domains: "good" documents are include (weight > 0), "other" ones exclude.
struct Corpus {
    QString texts;
    QString distribution;
    QStringList ids;
    QStringList domains;
};

Corpus makeCorpus(const QTemporaryDir &dir, const QString &name, int count, quint64 seed)
{
    Corpus corpus;
    QByteArray distribution = "text,estimate,rank,tau,weight\n";
    for (int i = 0; i < count; ++i) {
        corpus.ids << QStringLiteral("%1-%2").arg(name).arg(i);
        corpus.domains << (i % 3 == 0 ? QStringLiteral("good") : QStringLiteral("other"));
        distribution
            += corpus.ids.last().toUtf8() + ",0.5,1,1," + (i % 3 == 0 ? "0.001" : "0") + "\n";
    }
    DemoCorpusOptions options;
    options.seed = seed;
    corpus.texts = test::writeFile(dir, name + QStringLiteral(".jsonl"),
                                   demoCorpusJsonl(corpus.ids, corpus.domains, options));
    corpus.distribution = test::writeFile(dir, name + QStringLiteral(".csv"), distribution);
    return corpus;
}

QByteArray gzipped(const QByteArray &data)
{
    z_stream stream {};
    deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(int(deflateBound(&stream, uLong(data.size()))), '\0');
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = uInt(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    deflate(&stream, Z_FINISH);
    out.resize(int(stream.total_out));
    deflateEnd(&stream);
    return out;
}

}  // namespace

class TestFilterPipeline : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    Corpus m_corpus;
    QString m_model;
    double m_threshold = 0.5;

private Q_SLOTS:
    void initTestCase() { m_corpus = makeCorpus(m_dir, QStringLiteral("corpus"), 3000, 5); }

    void cleaningRule()
    {
        QCOMPARE(cleanForFastText("a\nb\r\nc\vd\fe"), std::string("a b  c d e"));
        QCOMPARE(cleanForFastText("x __label__include y"), std::string("x include y"));
        QCOMPARE(cleanForFastText("__lab__label__el__z"),
                 std::string("z"));  // a removal that forms a new one
        QCOMPARE(cleanForFastText("p\xE2\x80\xA8q\xC2\x85r"), std::string("p q r"));
        QCOMPARE(cleanForFastText(std::string_view("n\0m", 3)), std::string("n m"));
        QCOMPARE(cleanForFastText("ünïcode stays"), std::string("ünïcode stays"));
    }

    void trainingDataLabelsSplitsAndReportsProblems()
    {
        const QString texts
            = test::writeFile(m_dir, QStringLiteral("mixed.jsonl"),
                              "{\"id\":\"a\",\"text\":\"first\\nline __label__exclude\"}\n"
                              "{\"id\":\"b\",\"text\":\"second\"}\n"
                              "\n"
                              "{\"id\":\"c\",\"text\":\"unknown key\"}\n"
                              "{\"id\":\"a\",\"text\":\"bad\" \n"
                              "{\"id\":\"b\",\"text\":\"\xC0\xAF\"}\n"
                              "{\"id\":\"b\"}\n"
                              "{\"id\":\"b\",\"text\":\"   \"}\n"
                              "{\"id\":\"b\",\"text\":7}\n"
                              "{\"text\":\"no key\"}\n"
                              "{\"id\":3,\"text\":\"numeric key\"}\n");
        const QString distribution = test::writeFile(m_dir, QStringLiteral("mixed.csv"),
                                                     "text,weight\na,0.5\nb,0\n3,0.25\nnever,0\n");
        TrainingDataOptions options;
        options.textFiles = { texts };
        options.distributionFile = distribution;
        options.testFraction = 0.0;
        const QString train = m_dir.filePath(QStringLiteral("mixed-train.txt"));
        const QString test = m_dir.filePath(QStringLiteral("mixed-test.txt"));
        auto summary = writeTrainingData(options, train, test);
        QVERIFY2(summary.ok(), summary.ok() ? "" : qPrintable(summary.error().toString()));
        QCOMPARE(summary->lines, 10);
        QCOMPARE(summary->include, 2);
        QCOMPARE(summary->exclude, 1);
        QCOMPARE(summary->unknownKey, 1);
        QCOMPARE(summary->unknownKeySample, QStringList { QStringLiteral("c") });
        QCOMPARE(summary->distributionKeysUnseen, 1);
        QCOMPARE(summary->problemCount, 6);
        // Each problem names the file and its line.
        const QStringList expectedLines
            = { QStringLiteral(":5:"), QStringLiteral(":6:"), QStringLiteral(":7:"),
                QStringLiteral(":8:"), QStringLiteral(":9:"), QStringLiteral(":10:") };
        for (int i = 0; i < expectedLines.size(); ++i) {
            QVERIFY2(summary->problems[i].startsWith(texts + expectedLines[i]),
                     qPrintable(summary->problems[i]));
        }
        QVERIFY(summary->problems[1].contains(QStringLiteral("UTF-8")));
        QVERIFY(summary->problems[2].contains(QStringLiteral("no \"text\" field")));
        QVERIFY(summary->problems[3].contains(QStringLiteral("empty text")));
        QVERIFY(summary->problems[5].contains(QStringLiteral("no \"id\" field")));
        QCOMPARE(readAll(train),
                 QByteArray("__label__include first line exclude\n"
                            "__label__exclude second\n"
                            "__label__include numeric key\n"));
        QCOMPARE(readAll(test), QByteArray());
    }

    void splitIsSeededByDocument()
    {
        TrainingDataOptions options;
        options.textFiles = { m_corpus.texts };
        options.distributionFile = m_corpus.distribution;
        options.testFraction = 0.2;
        options.seed = 42;
        const QString trainA = m_dir.filePath(QStringLiteral("a-train.txt")),
                      testA = m_dir.filePath(QStringLiteral("a-test.txt"));
        const QString trainB = m_dir.filePath(QStringLiteral("b-train.txt")),
                      testB = m_dir.filePath(QStringLiteral("b-test.txt"));
        auto a = writeTrainingData(options, trainA, testA);
        auto b = writeTrainingData(options, trainB, testB);
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(readAll(testA), readAll(testB));
        QCOMPARE(a->trainDocuments + a->testDocuments, 3000);
        QVERIFY2(a->testDocuments > 500 && a->testDocuments < 700,
                 qPrintable(QString::number(a->testDocuments)));
        options.seed = 43;
        auto c = writeTrainingData(options, trainB, testB);
        QVERIFY(c.ok());
        QVERIFY(readAll(testA) != readAll(testB));
    }

    void oneClassOnlyIsAnError()
    {
        const QString distribution = test::writeFile(m_dir, QStringLiteral("allzero.csv"),
                                                     "text,weight\ncorpus-0,0\ncorpus-1,0\n");
        FilterTrainOptions options;
        options.data.textFiles = { m_corpus.texts };
        options.data.distributionFile = distribution;
        auto trained = trainFilter(options);
        QVERIFY(!trained.ok());
        QVERIFY2(trained.error().reason.contains(QStringLiteral("all exclude")),
                 qPrintable(trained.error().toString()));
    }

    void trainsAnAccurateFilterAndSavesTheBundle()
    {
        FilterTrainOptions options;
        options.data.textFiles = { m_corpus.texts };
        options.data.distributionFile = m_corpus.distribution;
        options.fastText.threads = 1;
        options.fastText.seed = 3;
        options.fastText.bucket = 100000;  // small models keep the test quick; the rule is the same
        std::atomic<qint64> lastProgress { -1 };
        TaskControl control(
            [&](qint64 done, qint64 total) {
                lastProgress = done * 1000 / std::max<qint64>(1, total);
            },
            {});
        auto trained = trainFilter(options, control);
        QVERIFY2(trained.ok(), trained.ok() ? "" : qPrintable(trained.error().toString()));
        QCOMPARE(lastProgress.load(), 1000);
        QCOMPARE(qint64(trained->testScores.size()), trained->data.testDocuments);
        const FilterEvaluation evaluation
            = evaluateFilter(trained->testScores, trained->testIsInclude, 0.5);
        QVERIFY2(evaluation.f1 > 0.95, qPrintable(QString::number(evaluation.f1)));
        QVERIFY(evaluation.rocAuc > 0.98);

        const ThresholdChoice choice
            = chooseThreshold(trained->testScores, trained->data, std::nullopt, std::nullopt);
        QCOMPARE(choice.rule, ThresholdChoice::Rule::IncludeShare);
        QCOMPARE(choice.requestedFraction,
                 double(trained->data.testInclude) / double(trained->data.testDocuments));
        QVERIFY(std::abs(choice.keepFraction - choice.requestedFraction) < 0.02);

        m_model = m_dir.filePath(QStringLiteral("filter.bin"));
        auto manifest = saveFilterBundle(*trained, m_model, choice, false);
        QVERIFY2(manifest.ok(), manifest.ok() ? "" : qPrintable(manifest.error().toString()));
        m_threshold = choice.threshold;
        const QJsonObject saved = loadFilterManifest(m_model).value();
        QCOMPARE(saved.value(QStringLiteral("kind")).toString(),
                 QStringLiteral("pcstudio-fasttext-filter"));
        QCOMPARE(saved.value(QStringLiteral("threshold"))
                     .toObject()
                     .value(QStringLiteral("value"))
                     .toDouble(),
                 choice.threshold);
        QCOMPARE(saved.value(QStringLiteral("threshold"))
                     .toObject()
                     .value(QStringLiteral("rule"))
                     .toString(),
                 QStringLiteral("include_share"));
        QCOMPARE(saved.value(QStringLiteral("model"))
                     .toObject()
                     .value(QStringLiteral("sha256"))
                     .toString()
                     .size(),
                 64);
        QCOMPARE(saved.value(QStringLiteral("hyperparameters"))
                     .toObject()
                     .value(QStringLiteral("word_ngrams"))
                     .toInt(),
                 2);
        QCOMPARE(saved.value(QStringLiteral("training_data"))
                     .toObject()
                     .value(QStringLiteral("include"))
                     .toInt(),
                 1000);
        QVERIFY(saved.value(QStringLiteral("cleaning"))
                    .toString()
                    .contains(QStringLiteral("__label__")));
        QCOMPARE(saved.value(QStringLiteral("inputs")).toArray().size(), 2);
    }

    // Quantizing costs a k-means per sub-vector: a small model keeps this test quick.
    void quantizedBundleHasItsOwnManifest()
    {
        FilterTrainOptions options;
        options.data.textFiles = { m_corpus.texts };
        options.data.distributionFile = m_corpus.distribution;
        options.fastText.dim = 10;
        options.fastText.bucket = 20000;
        options.fastText.threads = 1;
        auto trained = trainFilter(options);
        QVERIFY(trained.ok());
        const QString model = m_dir.filePath(QStringLiteral("small.bin"));
        const ThresholdChoice choice
            = chooseThreshold(trained->testScores, trained->data, std::nullopt, 0.25);
        QCOMPARE(choice.rule, ThresholdChoice::Rule::KeepFraction);
        QVERIFY(saveFilterBundle(*trained, model, choice, true).ok());
        const QString ftz = quantizedModelPath(model);
        QVERIFY(ftz.endsWith(QStringLiteral("small.ftz")));
        const QJsonObject binManifest = loadFilterManifest(model).value();
        const QJsonObject ftzManifest = loadFilterManifest(ftz).value();
        QVERIFY(!binManifest.value(QStringLiteral("model"))
                     .toObject()
                     .value(QStringLiteral("quantized"))
                     .toBool());
        QVERIFY(ftzManifest.value(QStringLiteral("model"))
                    .toObject()
                    .value(QStringLiteral("quantized"))
                    .toBool());
        QCOMPARE(ftzManifest.value(QStringLiteral("threshold"))
                     .toObject()
                     .value(QStringLiteral("rule"))
                     .toString(),
                 QStringLiteral("keep_fraction"));
        QVERIFY(ftzManifest.value(QStringLiteral("evaluation"))
                    .toObject()
                    .value(QStringLiteral("roc_auc"))
                    .toDouble()
                > 0.95);
        QVERIFY(QFileInfo(ftz).size() < QFileInfo(model).size() / 4);
        auto loaded = FastTextModel::load(ftz);
        QVERIFY(loaded.ok() && loaded->isQuantized());
    }

    void cancelStopsTraining()
    {
        FilterTrainOptions options;
        options.data.textFiles = { m_corpus.texts };
        options.data.distributionFile = m_corpus.distribution;
        options.fastText.epoch = 200;  // long enough to be stopped
        options.fastText.bucket = 100000;
        TaskControl control;
        TaskControl watching(
            [&](qint64 done, qint64) {
                if (done > 200)
                    control.requestCancel();
            },
            [&] { return control.isCanceled(); });
        auto trained = trainFilter(options, watching);
        QVERIFY(!trained.ok());
        QCOMPARE(trained.error().kind, ErrorKind::Canceled);
    }

    void applyModesAndMalformedLines()
    {
        QVERIFY(!m_model.isEmpty());
        auto model = FastTextModel::load(m_model);
        QVERIFY(model.ok());
        // The corpus plus malformed lines in the middle.
        QByteArray input = readAll(m_corpus.texts);
        QList<QByteArray> lines = linesOf(input);
        lines.insert(10, "{\"id\":\"x\",\"text\":");
        lines.insert(20, "{\"id\":\"y\"}");
        lines.insert(30, "not json at all");
        const QString path
            = test::writeFile(m_dir, QStringLiteral("apply-in.jsonl"), lines.join('\n') + '\n');

        auto run = [&](ApplyMode mode, MalformedPolicy malformed, int threads,
                       QList<Error> *problems = nullptr) {
            FilterApplyOptions options;
            options.inputs = { path };
            options.output = m_dir.filePath(QStringLiteral("apply-out-%1.jsonl").arg(int(mode)));
            options.mode = mode;
            options.threshold = m_threshold;
            options.malformed = malformed;
            options.threads = threads;
            auto summary = applyFilter(*model, options, [problems](const Error &e) {
                if (problems)
                    problems->append(e);
            });
            if (!summary)
                qFatal("%s", qPrintable(summary.error().toString()));
            return std::pair { *summary, readAll(options.output) };
        };
        QList<Error> problems;
        const auto [keepSummary, kept] = run(ApplyMode::Keep, MalformedPolicy::Skip, 1, &problems);
        QCOMPARE(keepSummary.lines, 3003);
        QCOMPARE(keepSummary.malformed, 3);
        QCOMPARE(problems.size(), 3);
        QCOMPARE(problems[0].line, 11);
        QCOMPARE(problems[1].line, 21);
        QVERIFY(problems[1].reason.contains(QStringLiteral("no \"text\" field")));
        QCOMPARE(problems[2].line, 31);
        QCOMPARE(problems[0].file, path);
        const auto [dropSummary, dropped] = run(ApplyMode::Drop, MalformedPolicy::Skip, 2);
        QCOMPARE(qint64(linesOf(kept).size()), keepSummary.kept);
        QCOMPARE(qint64(linesOf(kept).size() + linesOf(dropped).size()), 3000);
        // Kept lines are the input lines, unchanged and in order; mostly the include domain.
        int good = 0;
        for (const QByteArray &line : linesOf(kept)) {
            QVERIFY(lines.contains(line));
            good += line.contains("\"domain\":\"good\"") ? 1 : 0;
        }
        // The threshold keeps about the include share: nearly every good document and few others.
        QVERIFY2(good >= 980 && good > 0.85 * linesOf(kept).size(),
                 qPrintable(QStringLiteral("%1 of %2").arg(good).arg(linesOf(kept).size())));

        // Score: one number per line; Pass keeps it line-aligned with null for malformed lines.
        const auto [scoreSummary, scores] = run(ApplyMode::Score, MalformedPolicy::Pass, 2);
        const QList<QByteArray> scoreLines = linesOf(scores);
        QCOMPARE(scoreLines.size(), 3003);
        QCOMPARE(scoreLines[10], QByteArray("null"));
        QCOMPARE(scoreLines[20], QByteArray("null"));
        int above = 0;
        for (int i = 0; i < scoreLines.size(); ++i) {
            if (scoreLines[i] == "null")
                continue;
            bool ok = false;
            const double score = scoreLines[i].toDouble(&ok);
            QVERIFY(ok && score >= 0.0 && score <= 1.0 + 1e-5);
            above += score >= m_threshold ? 1 : 0;
            // The score is the model's, on the cleaned text.
            if (i == 0) {
                const QJsonObject first = QJsonDocument::fromJson(lines[0]).object();
                QCOMPARE(score,
                         model->scoreInclude(cleanForFastText(
                             first.value(QStringLiteral("text")).toString().toStdString())));
            }
        }
        QCOMPARE(qint64(above), keepSummary.kept);

        // Annotate adds the score to every line, other members unchanged.
        const auto [annotateSummary, annotated]
            = run(ApplyMode::Annotate, MalformedPolicy::Pass, 2);
        const QList<QByteArray> annotatedLines = linesOf(annotated);
        QCOMPARE(annotatedLines.size(), 3003);
        QCOMPARE(annotatedLines[30], QByteArray("not json at all"));
        const QJsonObject annotatedFirst = QJsonDocument::fromJson(annotatedLines[0]).object();
        const QJsonObject originalFirst = QJsonDocument::fromJson(lines[0]).object();
        QCOMPARE(annotatedFirst.value(QStringLiteral("pcstudio_score")).toDouble(),
                 scoreLines[0].toDouble());
        QCOMPARE(annotatedFirst.value(QStringLiteral("text")),
                 originalFirst.value(QStringLiteral("text")));
        QVERIFY(annotatedLines[0].startsWith(lines[0].chopped(1)));
    }

    // A record with two "text" members is malformed for training and for apply alike, reported as
    // FILE:LINE:COLUMN with the column of the second key: readers disagree on which text counts.
    void duplicateKeysAreMalformed()
    {
        const QByteArray duplicate
            = R"({"id":"a","text":"harmless words","x":1,"t\u0065xt":"other words"})";
        const QByteArray nestedOnly = R"({"id":"b","meta":{"k":1,"k":2},"text":"second"})";
        const QString texts = test::writeFile(m_dir, QStringLiteral("duplicates.jsonl"),
                                              "{\"id\":\"a\",\"text\":\"first\"}\n" + duplicate
                                                  + "\n" + nestedOnly + "\n");
        const QString distribution
            = test::writeFile(m_dir, QStringLiteral("duplicates.csv"), "text,weight\na,0.5\nb,0\n");
        TrainingDataOptions options;
        options.textFiles = { texts };
        options.distributionFile = distribution;
        options.testFraction = 0.0;
        const QString train = m_dir.filePath(QStringLiteral("duplicates-train.txt"));
        const QString test = m_dir.filePath(QStringLiteral("duplicates-test.txt"));
        auto summary = writeTrainingData(options, train, test);
        QVERIFY2(summary.ok(), summary.ok() ? "" : qPrintable(summary.error().toString()));
        QCOMPARE(summary->lines, 3);
        QCOMPARE(summary->problemCount, 1);
        QCOMPARE(summary->problems,
                 QStringList {
                     texts + QStringLiteral(":2:41: duplicate key \"text\" (also at column 11)") });
        QCOMPARE(readAll(train), QByteArray("__label__include first\n__label__exclude second\n"));

        QVERIFY(!m_model.isEmpty());
        auto model = FastTextModel::load(m_model);
        QVERIFY(model.ok());
        for (const MalformedPolicy policy : { MalformedPolicy::Skip, MalformedPolicy::Pass }) {
            FilterApplyOptions apply;
            apply.inputs = { texts };
            apply.output = m_dir.filePath(QStringLiteral("duplicates-out.jsonl"));
            apply.mode = ApplyMode::Annotate;
            apply.threshold = 0;
            apply.malformed = policy;
            QList<Error> problems;
            auto applied
                = applyFilter(*model, apply, [&problems](const Error &e) { problems.append(e); });
            QVERIFY2(applied.ok(), applied.ok() ? "" : qPrintable(applied.error().toString()));
            QCOMPARE(applied->malformed, 1);
            QCOMPARE(problems.size(), 1);
            QCOMPARE(problems[0].toString(),
                     texts + QStringLiteral(":2:41: duplicate key \"text\" (also at column 11)"));
            const QList<QByteArray> out = linesOf(readAll(apply.output));
            if (policy == MalformedPolicy::Skip) {
                QCOMPARE(out.size(), 2);
                QVERIFY(!out.contains(duplicate));
            } else {
                // Passed through unchanged, without a score.
                QCOMPARE(out.size(), 3);
                QCOMPARE(out[1], duplicate);
            }
            QVERIFY(out.last().startsWith(nestedOnly.chopped(1) + ",\"pcstudio_score\":"));
        }
    }

    void threadsAndShardsGiveTheSameOutput()
    {
        auto model = FastTextModel::load(m_model);
        QVERIFY(model.ok());
        const QList<QByteArray> lines = linesOf(readAll(m_corpus.texts));
        auto apply = [&](const QStringList &inputs, int threads, const QString &output) {
            FilterApplyOptions options;
            options.inputs = inputs;
            options.output = output;
            options.threshold = m_threshold;
            options.threads = threads;
            auto summary = applyFilter(*model, options, [](const Error &) {});
            return summary.ok() ? readAll(output) : QByteArray("FAILED");
        };
        const QByteArray onePass
            = apply({ m_corpus.texts }, 1, m_dir.filePath(QStringLiteral("one.jsonl")));
        QVERIFY(!onePass.isEmpty());
        QCOMPARE(apply({ m_corpus.texts }, 2, m_dir.filePath(QStringLiteral("two.jsonl"))),
                 onePass);
        QCOMPARE(apply({ m_corpus.texts }, 4, m_dir.filePath(QStringLiteral("four.jsonl"))),
                 onePass);
        // Seven shards, one gzipped, applied one by one and concatenated.
        QByteArray sharded;
        for (int shard = 0; shard < 7; ++shard) {
            QByteArray part;
            for (qsizetype i = shard * 500;
                 i < std::min<qsizetype>(lines.size(), (shard + 1) * 500); ++i)
                part += lines[i] + '\n';
            const QString name = QStringLiteral("shard-%1.jsonl%2")
                                     .arg(shard)
                                     .arg(shard == 3 ? QStringLiteral(".gz") : QString());
            const QString shardPath
                = test::writeFile(m_dir, name, shard == 3 ? gzipped(part) : part);
            sharded
                += apply({ shardPath }, 2,
                         m_dir.filePath(QStringLiteral("out-") + name + QStringLiteral(".jsonl")));
        }
        QCOMPARE(sharded, onePass);
    }

    void keepFractionIsEstimatedFromASample()
    {
        auto model = FastTextModel::load(m_model);
        QVERIFY(model.ok());
        FilterApplyOptions options;
        options.inputs = { m_corpus.texts };
        options.output = m_dir.filePath(QStringLiteral("fraction.jsonl"));
        options.keepFraction = 0.2;
        options.sampleLines = 1000;
        auto summary = applyFilter(*model, options, [](const Error &) {});
        QVERIFY(summary.ok());
        QCOMPARE(summary->thresholdRule, QStringLiteral("keep_fraction"));
        QCOMPARE(summary->sampleLines, 1000);
        QVERIFY2(std::abs(double(summary->kept) / 3000.0 - 0.2) < 0.05,
                 qPrintable(QString::number(summary->kept)));
        QCOMPARE(qint64(linesOf(readAll(options.output)).size()), summary->kept);
    }

    void corruptInputLeavesNoOutput()
    {
        auto model = FastTextModel::load(m_model);
        QVERIFY(model.ok());
        const QByteArray gz = gzipped(readAll(m_corpus.texts));
        const QString truncated
            = test::writeFile(m_dir, QStringLiteral("truncated.jsonl.gz"), gz.left(gz.size() / 2));
        FilterApplyOptions options;
        options.inputs = { truncated };
        options.output = m_dir.filePath(QStringLiteral("never.jsonl"));
        options.threshold = 0.5;
        auto summary = applyFilter(*model, options, [](const Error &) {});
        QVERIFY(!summary.ok());
        QCOMPARE(summary.error().file, truncated);
        QVERIFY(summary.error().line > 0);
        QVERIFY(!QFile::exists(options.output));
        options.inputs = { m_dir.filePath(QStringLiteral("missing.jsonl")) };
        QVERIFY(!applyFilter(*model, options, [](const Error &) {}).ok());
    }
};

QTEST_GUILESS_MAIN(TestFilterPipeline)
#include "tst_filterpipeline.moc"
