// FastTextModel on a synthetic two-domain corpus: accuracy, determinism, cancel, bad inputs,
// save/load, quantization, agreement with the `fasttext predict-prob` CLI, concurrent scoring.

#include "core/filter/fasttextmodel.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cmath>
#include <random>
#include <string>
#include <thread>
#include <vector>

using pcs::ErrorKind;
using pcs::FastTextModel;
using pcs::FastTextParameters;

namespace {

const char *const kFastTextCli = "/usr/bin/fasttext";

const std::vector<std::string> kScienceWords {
    "atom",       "molecule", "electron",  "quantum", "theory",    "experiment", "hypothesis",
    "laboratory", "protein",  "enzyme",    "genome",  "cell",      "neuron",     "galaxy",
    "photon",     "entropy",  "catalyst",  "isotope", "reaction",  "spectrum",   "particle",
    "equation",   "physics",  "chemistry", "biology", "evolution", "fossil",     "microscope",
    "telescope",  "orbit",    "plasma",    "vaccine"
};
const std::vector<std::string> kSportsWords {
    "football", "goal",    "striker",  "referee",  "league",   "season",  "coach",    "tournament",
    "penalty",  "stadium", "match",    "champion", "defender", "tennis",  "racket",   "basketball",
    "dunk",     "playoff", "marathon", "sprint",   "medal",    "olympic", "cricket",  "wicket",
    "innings",  "keeper",  "offside",  "dribble",  "trophy",   "fans",    "transfer", "midfield"
};
// Shared by both domains, so that single words do not decide everything.
const std::vector<std::string> kSharedWords { "the",    "a",      "of",    "and",   "team",
                                              "record", "result", "new",   "first", "year",
                                              "high",   "energy", "field", "test",  "data",
                                              "world",  "report", "best",  "fast",  "study" };

struct Document {
    bool science = false;
    std::string text;
};

// A short document: mostly its own domain's words, some shared ones, rarely the other domain's.
Document randomDocument(std::mt19937 &random)
{
    std::bernoulli_distribution scienceCoin(0.5);
    std::uniform_int_distribution<int> length(6, 20);
    std::uniform_real_distribution<double> draw(0.0, 1.0);
    Document document;
    document.science = scienceCoin(random);
    const auto &own = document.science ? kScienceWords : kSportsWords;
    const auto &other = document.science ? kSportsWords : kScienceWords;
    const int words = length(random);
    for (int i = 0; i < words; ++i) {
        const double u = draw(random);
        const auto &vocabulary = u < 0.55 ? own : u < 0.95 ? kSharedWords : other;
        std::uniform_int_distribution<std::size_t> pick(0, vocabulary.size() - 1);
        if (!document.text.empty())
            document.text += ' ';
        document.text += vocabulary[pick(random)];
    }
    return document;
}

std::vector<Document> randomDocuments(unsigned seed, int count)
{
    std::mt19937 random(seed);
    std::vector<Document> documents;
    for (int i = 0; i < count; ++i)
        documents.push_back(randomDocument(random));
    return documents;
}

// "__label__include science text" / "__label__exclude sports text", one per line.
QByteArray trainingFileContents(const std::vector<Document> &documents)
{
    QByteArray contents;
    for (const Document &document : documents) {
        contents += document.science ? FastTextModel::kIncludeLabel : FastTextModel::kExcludeLabel;
        contents += ' ';
        contents += QByteArray::fromStdString(document.text);
        contents += '\n';
    }
    return contents;
}

// Small and fast, deterministic with one thread.
FastTextParameters testParameters()
{
    FastTextParameters parameters;
    parameters.dim = 16;
    parameters.bucket = 20000;
    parameters.epoch = 5;
    parameters.threads = 1;
    parameters.seed = 42;
    return parameters;
}

double accuracy(const FastTextModel &model, const std::vector<Document> &documents)
{
    int correct = 0;
    for (const Document &document : documents)
        correct += (model.scoreInclude(document.text) >= 0.5) == document.science ? 1 : 0;
    return double(correct) / double(documents.size());
}

std::vector<double> scoresOf(const FastTextModel &model, const std::vector<std::string> &texts)
{
    std::vector<double> scores;
    for (const std::string &text : texts)
        scores.push_back(model.scoreInclude(text));
    return scores;
}

std::vector<std::string> textsOf(const std::vector<Document> &documents)
{
    std::vector<std::string> texts;
    for (const Document &document : documents)
        texts.push_back(document.text);
    return texts;
}

// Texts that exercise fastText's tokenisation: empty, unknown words only, odd whitespace
// (tabs, runs of spaces, '\r', '\v', '\f', leading and trailing blanks), a label-looking token.
std::vector<std::string> edgeCaseTexts()
{
    return { "",
             " ",
             "zzz qqq xxx",
             "unknownword",
             "atom",
             "goal",
             "  atom   electron\tphoton  ",
             "atom\relectron",
             "goal\vstriker\fpenalty",
             "quantum __label__exclude football",
             "__label__include",
             "the the the the",
             std::string("atom\0goal", 9) };
}

}  // namespace

class TestFastTextModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void trainsAccurateClassifier();
    void trainingWithOneThreadIsDeterministic();
    void cancelFromProgressThenTrainAgain();
    void missingLabelIsBadInput();
    void unreadableTrainingFileIsBadInput();
    void invalidParametersAreBadInput();
    void loadRejectsNonModels();
    void loadRejectsOtherLabels();
    void saveThenLoadScoresIdentically();
    void saveErrors();
    void quantizeSaveLoad();
    void scoresEqualFastTextCli();
    void loadsCliTrainedAndQuantizedModels();
    void lineWithoutFeaturesScoresZero();
    void concurrentScoringMatchesSequential();

private:
    QTemporaryDir m_dir;
    QString m_trainingFile;
    std::vector<Document> m_heldOut;
    FastTextModel m_model;
};

void TestFastTextModel::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_trainingFile = pcs::test::writeFile(m_dir, QStringLiteral("train.txt"),
                                          trainingFileContents(randomDocuments(1, 3000)));
    m_heldOut = randomDocuments(2, 1000);
    auto model = FastTextModel::train(m_trainingFile, testParameters());
    QVERIFY2(model.ok(), qPrintable(model.ok() ? QString() : model.error().toString()));
    m_model = std::move(model).value();
}

void TestFastTextModel::trainsAccurateClassifier()
{
    std::vector<qint64> reported;
    pcs::TaskControl control(
        [&](qint64 done, qint64 total) {
            QCOMPARE(total, 1000);
            reported.push_back(done);
        },
        nullptr);
    FastTextParameters parameters = testParameters();
    parameters.threads = 2;
    auto model = FastTextModel::train(m_trainingFile, parameters, control);
    QVERIFY2(model.ok(), qPrintable(model.ok() ? QString() : model.error().toString()));
    QVERIFY(!reported.empty());
    QVERIFY(std::is_sorted(reported.begin(), reported.end()));
    QCOMPARE(reported.back(), 1000);

    const double heldOutAccuracy = accuracy(*model, m_heldOut);
    QVERIFY2(heldOutAccuracy > 0.95, qPrintable(QString::number(heldOutAccuracy)));
    QVERIFY(accuracy(m_model, m_heldOut) > 0.95);

    QStringList labels = model->labels();
    labels.sort();
    QCOMPARE(
        labels,
        (QStringList { QStringLiteral("__label__exclude"), QStringLiteral("__label__include") }));
    // The words of the three vocabularies and the end-of-line token "</s>".
    QCOMPARE(model->vocabularySize(),
             qint64(kScienceWords.size() + kSportsWords.size() + kSharedWords.size() + 1));
    const FastTextParameters stored = model->parameters();
    QCOMPARE(stored.dim, parameters.dim);
    QCOMPARE(stored.bucket, parameters.bucket);
    QCOMPARE(stored.epoch, parameters.epoch);
    QCOMPARE(stored.wordNgrams, parameters.wordNgrams);
    QCOMPARE(stored.minCount, parameters.minCount);
    QCOMPARE(stored.lr, parameters.lr);
    QCOMPARE(stored.threads, 2);
    QCOMPARE(stored.seed, parameters.seed);
    QVERIFY(!model->isQuantized());

    // Probabilities are smoothed by 1e-5 inside fastText's log: the two sum to 1 + 2e-5.
    for (const std::string &text : edgeCaseTexts()) {
        const double score = model->scoreInclude(text);
        QVERIFY2(score >= 1e-5 * 0.999 && score <= 1 + 1e-5 * 1.001,
                 qPrintable(QString::number(score)));
    }
}

void TestFastTextModel::trainingWithOneThreadIsDeterministic()
{
    auto again = FastTextModel::train(m_trainingFile, testParameters());
    QVERIFY(again.ok());
    const std::vector<std::string> texts = textsOf(m_heldOut);
    QCOMPARE(scoresOf(*again, texts), scoresOf(m_model, texts));

    // wordNgrams 1 trains without hash buckets, as `fasttext supervised` does.
    FastTextParameters unigrams = testParameters();
    unigrams.wordNgrams = 1;
    auto unigramModel = FastTextModel::train(m_trainingFile, unigrams);
    QVERIFY(unigramModel.ok());
    QCOMPARE(unigramModel->parameters().bucket, 0);
    QVERIFY(accuracy(*unigramModel, m_heldOut) > 0.95);
}

void TestFastTextModel::cancelFromProgressThenTrainAgain()
{
    for (int threads : { 1, 2 }) {
        std::atomic<bool> cancel { false };
        std::atomic<int> progressCalls { 0 };
        pcs::TaskControl control(
            [&](qint64, qint64) {
                ++progressCalls;
                cancel = true;
            },
            [&] { return cancel.load(); });
        FastTextParameters parameters = testParameters();
        parameters.threads = threads;
        parameters.epoch = 50;  // long enough that it cannot finish between two callbacks
        auto canceled = FastTextModel::train(m_trainingFile, parameters, control);
        QVERIFY(!canceled.ok());
        QCOMPARE(canceled.error().kind, ErrorKind::Canceled);
        QCOMPARE(progressCalls.load(), 1);

        // A cancel requested before the start stops it during the label scan.
        pcs::TaskControl early;
        early.requestCancel();
        auto notStarted = FastTextModel::train(m_trainingFile, parameters, early);
        QVERIFY(!notStarted.ok());
        QCOMPARE(notStarted.error().kind, ErrorKind::Canceled);
    }
    auto trained = FastTextModel::train(m_trainingFile, testParameters());
    QVERIFY(trained.ok());
    QVERIFY(accuracy(*trained, m_heldOut) > 0.95);
}

void TestFastTextModel::missingLabelIsBadInput()
{
    struct Case {
        const char *name;
        QByteArray contents;
        const char *missing;
    };
    const std::vector<Case> cases {
        { "only include", "__label__include atom electron\n__label__include quantum\n",
          "__label__exclude" },
        { "only exclude", "__label__exclude goal\n", "__label__include" },
        // Prefixes of longer tokens are not labels to fastText either.
        { "longer token", "__label__include atom\n__label__excluded goal\n", "__label__exclude" },
        { "glued", "x__label__exclude goal\n__label__include atom\n", "__label__exclude" },
        { "no labels", "atom electron\ngoal striker\n", "__label__include" },
    };
    for (const Case &c : cases) {
        const QString path = pcs::test::writeFile(m_dir, QStringLiteral("missing.txt"), c.contents);
        auto model = FastTextModel::train(path, testParameters());
        QVERIFY2(!model.ok(), c.name);
        QCOMPARE(model.error().kind, ErrorKind::BadInput);
        QCOMPARE(model.error().file, path);
        QVERIFY2(model.error().reason.contains(QLatin1String(c.missing)),
                 qPrintable(model.error().reason));
    }

    // Labels anywhere in a line, at the very end of the file without '\n', and across the
    // scanner's 1 MiB chunk boundary all count.
    QByteArray padded(1 << 20, ' ');
    padded.replace((1 << 20) - 5, 5, "__lab");
    padded += "el__exclude goal\natom __label__include";
    const QString paddedPath = pcs::test::writeFile(m_dir, QStringLiteral("padded.txt"), padded);
    auto model = FastTextModel::train(paddedPath, testParameters());
    QVERIFY2(model.ok(), qPrintable(model.ok() ? QString() : model.error().toString()));
}

void TestFastTextModel::unreadableTrainingFileIsBadInput()
{
    const QString empty = pcs::test::writeFile(m_dir, QStringLiteral("empty.txt"), {});
    const QStringList paths { empty, m_dir.filePath(QStringLiteral("does-not-exist.txt")),
                              m_dir.path() };
    for (const QString &path : paths) {
        auto model = FastTextModel::train(path, testParameters());
        QVERIFY2(!model.ok(), qPrintable(path));
        QCOMPARE(model.error().kind, ErrorKind::BadInput);
        QCOMPARE(model.error().file, path);
    }
}

void TestFastTextModel::invalidParametersAreBadInput()
{
    const auto rejects = [&](FastTextParameters parameters) {
        auto model = FastTextModel::train(m_trainingFile, parameters);
        return !model.ok() && model.error().kind == ErrorKind::BadInput;
    };
    FastTextParameters p = testParameters();
    p.epoch = 0;
    QVERIFY(rejects(p));
    p = testParameters();
    p.lr = 0;
    QVERIFY(rejects(p));
    p = testParameters();
    p.dim = 0;
    QVERIFY(rejects(p));
    p = testParameters();
    p.bucket = 0;  // word bigrams need buckets (fastText would divide by zero)
    QVERIFY(rejects(p));
    // Every word (and the end-of-line token) below minCount: an empty vocabulary.
    p = testParameters();
    p.minCount = 1000000;
    auto emptyVocabulary = FastTextModel::train(m_trainingFile, p);
    QVERIFY(!emptyVocabulary.ok());
    QCOMPARE(emptyVocabulary.error().kind, ErrorKind::BadInput);
    QVERIFY2(emptyVocabulary.error().reason.contains(QLatin1String("vocabulary")),
             qPrintable(emptyVocabulary.error().reason));
    // Diverging training: fastText throws "Encountered NaN."
    p = testParameters();
    p.lr = 1e30;
    auto diverged = FastTextModel::train(m_trainingFile, p);
    QVERIFY(!diverged.ok());
    QCOMPARE(diverged.error().kind, ErrorKind::BadInput);
    QVERIFY2(diverged.error().reason.contains(QLatin1String("NaN")),
             qPrintable(diverged.error().reason));
}

void TestFastTextModel::loadRejectsNonModels()
{
    std::mt19937 random(5);
    QByteArray garbage;
    for (int i = 0; i < 4096; ++i)
        garbage += char(random());
    const QString garbagePath = pcs::test::writeFile(m_dir, QStringLiteral("garbage.bin"), garbage);
    const QString textPath
        = pcs::test::writeFile(m_dir, QStringLiteral("text.bin"), "hello world\n");
    const QString emptyPath = pcs::test::writeFile(m_dir, QStringLiteral("empty.bin"), {});
    const QStringList paths { garbagePath, textPath, emptyPath,
                              m_dir.filePath(QStringLiteral("none.bin")), m_dir.path() };
    for (const QString &path : paths) {
        auto model = FastTextModel::load(path);
        QVERIFY2(!model.ok(), qPrintable(path));
        QCOMPARE(model.error().kind, ErrorKind::BadInput);
        QCOMPARE(model.error().file, path);
    }

    // A real model cut anywhere (fastText itself would load a cut header as garbage and loop
    // forever on a cut dictionary), or with a byte too many.
    const QString full = m_dir.filePath(QStringLiteral("full.bin"));
    QVERIFY(m_model.save(full).ok());
    QFile fullFile(full);
    QVERIFY(fullFile.open(QIODevice::ReadOnly));
    const QByteArray bytes = fullFile.readAll();
    std::vector<qsizetype> lengths;
    for (qsizetype length = 0; length < 3000; length += 7)
        lengths.push_back(length);
    for (qsizetype length : { bytes.size() / 2, bytes.size() - 4, bytes.size() - 1 })
        lengths.push_back(length);
    for (qsizetype length : lengths) {
        const QString cut
            = pcs::test::writeFile(m_dir, QStringLiteral("cut.bin"), bytes.left(length));
        auto model = FastTextModel::load(cut);
        QVERIFY2(!model.ok(), qPrintable(QString::number(length)));
        QCOMPARE(model.error().kind, ErrorKind::BadInput);
    }
    const QString longer = pcs::test::writeFile(m_dir, QStringLiteral("longer.bin"), bytes + '\0');
    QVERIFY(!FastTextModel::load(longer).ok());
    QVERIFY(FastTextModel::load(full).ok());
}

void TestFastTextModel::loadRejectsOtherLabels()
{
    if (!QFileInfo::exists(QLatin1String(kFastTextCli)))
        QSKIP("the fasttext CLI is not installed");
    const QString input = pcs::test::writeFile(
        m_dir, QStringLiteral("ab.txt"), "__label__a atom electron\n__label__b goal striker\n");
    const QString output = m_dir.filePath(QStringLiteral("ab"));
    QProcess cli;
    cli.start(QLatin1String(kFastTextCli),
              { QStringLiteral("supervised"), QStringLiteral("-input"), input,
                QStringLiteral("-output"), output, QStringLiteral("-dim"), QStringLiteral("4"),
                QStringLiteral("-epoch"), QStringLiteral("1"), QStringLiteral("-bucket"),
                QStringLiteral("100"), QStringLiteral("-thread"), QStringLiteral("1"),
                QStringLiteral("-verbose"), QStringLiteral("0") });
    QVERIFY(cli.waitForFinished(30000));
    QCOMPARE(cli.exitCode(), 0);
    auto model = FastTextModel::load(output + QStringLiteral(".bin"));
    QVERIFY(!model.ok());
    QCOMPARE(model.error().kind, ErrorKind::BadInput);
    QVERIFY2(model.error().reason.contains(QLatin1String("__label__include")),
             qPrintable(model.error().reason));
}

void TestFastTextModel::saveThenLoadScoresIdentically()
{
    const QString path = m_dir.filePath(QStringLiteral("saved/model.bin"));
    QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
    pcs::test::writeFile(m_dir, QStringLiteral("saved/model.bin"), "an older file to replace");
    const pcs::Status saved = m_model.save(path);
    QVERIFY2(saved.ok(), qPrintable(saved.ok() ? QString() : saved.error().toString()));
    // Only the model is left: the temporary file was renamed over it.
    QCOMPARE(QDir(QFileInfo(path).absolutePath()).entryList(QDir::Files | QDir::Hidden),
             QStringList { QStringLiteral("model.bin") });

    auto loaded = FastTextModel::load(path);
    QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().toString()));
    std::vector<std::string> texts = textsOf(m_heldOut);
    for (const std::string &text : edgeCaseTexts())
        texts.push_back(text);
    QCOMPARE(scoresOf(*loaded, texts), scoresOf(m_model, texts));
    QCOMPARE(loaded->labels(), m_model.labels());
    QCOMPARE(loaded->vocabularySize(), m_model.vocabularySize());
    const FastTextParameters stored = loaded->parameters();
    QCOMPARE(stored.dim, 16);
    QCOMPARE(stored.bucket, 20000);
    QCOMPARE(stored.epoch, 5);
    QCOMPARE(stored.wordNgrams, 2);
    QCOMPARE(stored.lr, 0.0);  // not in the file

    // Moving keeps the model; the moved-from one is empty.
    FastTextModel moved = std::move(loaded).value();
    QCOMPARE(moved.scoreInclude(texts.front()), m_model.scoreInclude(texts.front()));
}

void TestFastTextModel::saveErrors()
{
    const pcs::Status noFolder
        = m_model.save(m_dir.filePath(QStringLiteral("no/such/folder/model.bin")));
    QVERIFY(!noFolder.ok());
    QCOMPARE(noFolder.error().kind, ErrorKind::BadInput);

    const FastTextModel empty;
    QVERIFY(!empty.save(m_dir.filePath(QStringLiteral("empty-model.bin"))).ok());
    QCOMPARE(empty.scoreInclude("atom"), 0.0);
    QVERIFY(empty.labels().isEmpty());
}

void TestFastTextModel::quantizeSaveLoad()
{
    auto trained = FastTextModel::train(m_trainingFile, testParameters());
    QVERIFY(trained.ok());
    FastTextModel model = std::move(trained).value();
    const std::vector<std::string> texts = textsOf(m_heldOut);
    const std::vector<double> before = scoresOf(model, texts);
    const QString densePath = m_dir.filePath(QStringLiteral("dense.bin"));
    QVERIFY(model.save(densePath).ok());

    const pcs::Status quantized = model.quantize(m_trainingFile);
    QVERIFY2(quantized.ok(), qPrintable(quantized.ok() ? QString() : quantized.error().toString()));
    QVERIFY(model.isQuantized());
    const pcs::Status twice = model.quantize(m_trainingFile);
    QVERIFY(!twice.ok());
    QCOMPARE(twice.error().kind, ErrorKind::BadInput);

    const QString path = m_dir.filePath(QStringLiteral("model.ftz"));
    QVERIFY(model.save(path).ok());
    QVERIFY(QFileInfo(path).size() * 4 < QFileInfo(densePath).size());
    auto loaded = FastTextModel::load(path);
    QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().toString()));
    QVERIFY(loaded->isQuantized());
    const std::vector<double> after = scoresOf(*loaded, texts);
    QCOMPARE(after, scoresOf(model, texts));
    double totalDifference = 0;
    for (std::size_t i = 0; i < texts.size(); ++i)
        totalDifference += std::abs(after[i] - before[i]);
    QVERIFY2(totalDifference / double(texts.size()) < 0.02,
             qPrintable(QString::number(totalDifference / double(texts.size()))));
    QVERIFY(accuracy(*loaded, m_heldOut) > 0.95);

    // Quantization needs at least 256 input rows (k-means centroids); refused, model unchanged.
    FastTextParameters tiny = testParameters();
    tiny.wordNgrams = 1;  // no buckets: only the vocabulary's rows
    auto small = FastTextModel::train(m_trainingFile, tiny);
    QVERIFY(small.ok());
    const double smallScore = small->scoreInclude("atom goal");
    const pcs::Status refused = small->quantize(m_trainingFile);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().kind, ErrorKind::BadInput);
    QVERIFY(!small->isQuantized());
    QCOMPARE(small->scoreInclude("atom goal"), smallScore);

    pcs::TaskControl canceled;
    canceled.requestCancel();
    auto another = FastTextModel::train(m_trainingFile, testParameters());
    QVERIFY(another.ok());
    const pcs::Status notQuantized = another->quantize(m_trainingFile, canceled);
    QCOMPARE(notQuantized.error().kind, ErrorKind::Canceled);
    QVERIFY(!another->isQuantized());
}

void TestFastTextModel::scoresEqualFastTextCli()
{
    if (!QFileInfo::exists(QLatin1String(kFastTextCli)))
        QSKIP("the fasttext CLI is not installed");
    const QString modelPath = m_dir.filePath(QStringLiteral("cli-model.bin"));
    QVERIFY(m_model.save(modelPath).ok());

    std::vector<std::string> texts = textsOf(randomDocuments(3, 500));
    for (const std::string &text : edgeCaseTexts()) {
        if (text.find('\0')
            == std::string::npos)  // the CLI's line would be the same, but keep it plain
            texts.push_back(text);
    }
    // A long document (fastText caps lines at 1024 tokens only when training word vectors).
    std::string longText;
    for (const Document &document : randomDocuments(5, 300))
        longText += document.text + ' ';
    texts.push_back(longText);
    QByteArray input;
    for (const std::string &text : texts)
        input += QByteArray::fromStdString(text) + '\n';
    const QString inputPath = pcs::test::writeFile(m_dir, QStringLiteral("cli-input.txt"), input);

    QProcess cli;
    cli.start(QLatin1String(kFastTextCli),
              { QStringLiteral("predict-prob"), modelPath, inputPath, QStringLiteral("2") });
    QVERIFY(cli.waitForFinished(60000));
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    QCOMPARE(cli.exitCode(), 0);
    const QList<QByteArray> lines = cli.readAllStandardOutput().split('\n');
    QCOMPARE(lines.size(), qsizetype(texts.size()) + 1);  // one per line, then after the last '\n'

    double maxDifference = 0;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        // "__label__x p __label__y q"; a label fastText did not predict is absent (an empty line
        // when nothing is predicted), which scoreInclude reports as 0.
        const QList<QByteArray> fields = lines[qsizetype(i)].split(' ');
        double cliInclude = 0;
        for (qsizetype f = 0; f + 1 < fields.size(); f += 2) {
            if (fields[f] == FastTextModel::kIncludeLabel)
                cliInclude = fields[f + 1].toDouble();
        }
        QVERIFY2(lines[qsizetype(i)].contains(FastTextModel::kIncludeLabel),
                 qPrintable(lines[qsizetype(i)]));
        const double difference = std::abs(m_model.scoreInclude(texts[i]) - cliInclude);
        maxDifference = std::max(maxDifference, difference);
        QVERIFY2(difference <= 1e-5,
                 qPrintable(QStringLiteral("line %1 \"%2\": %3 vs CLI %4")
                                .arg(i + 1)
                                .arg(QString::fromStdString(texts[i]))
                                .arg(m_model.scoreInclude(texts[i]), 0, 'g', 9)
                                .arg(cliInclude, 0, 'g', 9)));
    }
    qInfo("max |scoreInclude - CLI| over %zu lines: %g", texts.size(), maxDifference);
}

void TestFastTextModel::loadsCliTrainedAndQuantizedModels()
{
    if (!QFileInfo::exists(QLatin1String(kFastTextCli)))
        QSKIP("the fasttext CLI is not installed");
    const auto run = [](const QStringList &arguments) {
        QProcess cli;
        cli.start(QLatin1String(kFastTextCli), arguments);
        return cli.waitForFinished(60000) && cli.exitStatus() == QProcess::NormalExit
            && cli.exitCode() == 0;
    };
    const auto options
        = [](const char *list) { return QString::fromLatin1(list).split(QLatin1Char(' ')); };
    const std::vector<std::string> texts = textsOf(randomDocuments(7, 300));
    QByteArray lines;
    for (const std::string &text : texts)
        lines += QByteArray::fromStdString(text) + '\n';
    const QString textsPath = pcs::test::writeFile(m_dir, QStringLiteral("cli-texts.txt"), lines);

    // CLI models on our training file, bigrams with softmax (as ours) and hierarchical softmax
    // with char n-grams, each then quantized with the options that change the file layout: a
    // pruned dictionary (cutoff, retrained) and normalised codes (qnorm). Each loads and scores
    // as `fasttext predict-prob` does.
    const char *const variants[] = { "-loss softmax", "-loss hs -minn 2 -maxn 4" };
    for (const char *variant : variants) {
        const QString output = m_dir.filePath(QStringLiteral("cli-trained"));
        QVERIFY(run(QStringList { QStringLiteral("supervised"), QStringLiteral("-input"),
                                  m_trainingFile, QStringLiteral("-output"), output }
                    + options("-dim 16 -bucket 20000 -wordNgrams 2 -thread 1 -verbose 0")
                    + options(variant)));
        QVERIFY(run(QStringList { QStringLiteral("quantize"), QStringLiteral("-input"),
                                  m_trainingFile, QStringLiteral("-output"), output }
                    + options("-qnorm -cutoff 400 -retrain -epoch 1 -thread 1 -verbose 0")));
        for (const QString &suffix : { QStringLiteral(".bin"), QStringLiteral(".ftz") }) {
            const QString path = output + suffix;
            auto model = FastTextModel::load(path);
            QVERIFY2(model.ok(), qPrintable(model.ok() ? QString() : model.error().toString()));
            QCOMPARE(model->isQuantized(), suffix == QLatin1String(".ftz"));
            QVERIFY(accuracy(*model, m_heldOut) > 0.9);

            QProcess cli;
            cli.start(QLatin1String(kFastTextCli),
                      { QStringLiteral("predict-prob"), path, textsPath, QStringLiteral("2") });
            QVERIFY(cli.waitForFinished(60000));
            QCOMPARE(cli.exitCode(), 0);
            const QList<QByteArray> predicted = cli.readAllStandardOutput().split('\n');
            QCOMPARE(predicted.size(), qsizetype(texts.size()) + 1);
            for (std::size_t i = 0; i < texts.size(); ++i) {
                const QList<QByteArray> fields = predicted[qsizetype(i)].split(' ');
                double cliInclude = 0;
                for (qsizetype f = 0; f + 1 < fields.size(); f += 2) {
                    if (fields[f] == FastTextModel::kIncludeLabel)
                        cliInclude = fields[f + 1].toDouble();
                }
                QVERIFY2(std::abs(model->scoreInclude(texts[i]) - cliInclude) <= 1e-5,
                         qPrintable(QStringLiteral("%1%2 line %3: %4 vs CLI %5")
                                        .arg(QLatin1String(variant), suffix)
                                        .arg(i + 1)
                                        .arg(model->scoreInclude(texts[i]))
                                        .arg(cliInclude)));
            }
        }
    }
}

void TestFastTextModel::lineWithoutFeaturesScoresZero()
{
    // One line without '\n' never shows fastText the end-of-line token "</s>", and without word
    // bigrams an unknown word adds nothing: such a line has no features, fastText predicts no
    // label at all (the CLI prints an empty line), and scoreInclude says 0.
    const QString path = pcs::test::writeFile(m_dir, QStringLiteral("no-eol.txt"),
                                              "__label__include atom __label__exclude goal");
    FastTextParameters parameters = testParameters();
    parameters.wordNgrams = 1;
    auto model = FastTextModel::train(path, parameters);
    QVERIFY2(model.ok(), qPrintable(model.ok() ? QString() : model.error().toString()));
    QCOMPARE(model->scoreInclude(""), 0.0);
    QCOMPARE(model->scoreInclude("unknown words"), 0.0);
    QVERIFY(model->scoreInclude("atom") > 0);

    if (!QFileInfo::exists(QLatin1String(kFastTextCli)))
        return;
    const QString modelPath = m_dir.filePath(QStringLiteral("no-eol.bin"));
    QVERIFY(model->save(modelPath).ok());
    const QString input = pcs::test::writeFile(m_dir, QStringLiteral("no-eol-input.txt"),
                                               "\nunknown words\natom\n");
    QProcess cli;
    cli.start(QLatin1String(kFastTextCli),
              { QStringLiteral("predict-prob"), modelPath, input, QStringLiteral("2") });
    QVERIFY(cli.waitForFinished(30000));
    const QList<QByteArray> lines = cli.readAllStandardOutput().split('\n');
    QVERIFY(lines.size() >= 3);
    QCOMPARE(lines[0], QByteArray());
    QCOMPARE(lines[1], QByteArray());
    QVERIFY(lines[2].contains(FastTextModel::kIncludeLabel));
}

void TestFastTextModel::concurrentScoringMatchesSequential()
{
    std::vector<std::string> texts = textsOf(randomDocuments(4, 4000));
    for (const std::string &text : edgeCaseTexts())
        texts.push_back(text);
    const std::vector<double> sequential = scoresOf(m_model, texts);

    constexpr int kThreads = 4;
    std::vector<std::vector<double>> results(kThreads, std::vector<double>(texts.size()));
    std::vector<std::thread> threads;
    const FastTextModel &model = m_model;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            // Each thread goes through all texts, starting at a different place.
            for (std::size_t k = 0; k < texts.size(); ++k) {
                const std::size_t i = (k + std::size_t(t) * texts.size() / kThreads) % texts.size();
                results[std::size_t(t)][i] = model.scoreInclude(texts[i]);
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    for (int t = 0; t < kThreads; ++t)
        QCOMPARE(results[std::size_t(t)], sequential);
}

QTEST_GUILESS_MAIN(TestFastTextModel)
#include "tst_fasttextmodel.moc"
