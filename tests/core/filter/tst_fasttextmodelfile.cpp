// checkFastTextModelFile and FastTextModel::load on hostile model files: the shared fuzzed and
// crafted files, models patched here one field at a time (at offsets this test computes from
// the layout itself), cut short or lengthened, random mutations, and the CLI end to end.

#include "core/filter/fasttextmodel.h"
#include "core/filter/fasttextmodelfile.h"
#include "tests/common/testdata.h"
#include "tests/core/filter/fasttextmodellayout.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

using pcs::ErrorKind;
using pcs::FastTextModel;
using pcs::FastTextParameters;
using namespace pcs::test;  // the layout of a model file

namespace {

const char *const kFastTextCli = "/usr/bin/fasttext";

// ---- Models to patch ----

const std::vector<std::string> kIncludeWords { "atom",    "electron", "quantum", "theory",
                                               "protein", "genome",   "galaxy",  "photon",
                                               "entropy", "isotope",  "plasma",  "neuron" };
const std::vector<std::string> kExcludeWords { "football", "goal",   "striker", "referee",
                                               "league",   "coach",  "penalty", "stadium",
                                               "tennis",   "racket", "medal",   "trophy" };
const std::vector<std::string> kSharedWords { "the", "a", "of", "team", "record", "new", "year" };

// "__label__include|exclude words…" lines; with `extraLabels`, each line also carries one of
// that many other labels (a quantized output matrix needs at least 256 rows).
QByteArray trainingText(unsigned seed, int lines, int extraLabels)
{
    std::mt19937 random(seed);
    QByteArray text;
    for (int line = 0; line < lines; ++line) {
        const bool include = line % 2 == 0;
        text += include ? FastTextModel::kIncludeLabel : FastTextModel::kExcludeLabel;
        if (extraLabels > 0)
            text += " __label__topic" + QByteArray::number(line % extraLabels);
        const auto &own = include ? kIncludeWords : kExcludeWords;
        for (int word = 0; word < 8; ++word) {
            const auto &vocabulary = random() % 4 == 0 ? kSharedWords : own;
            text += ' ' + QByteArray::fromStdString(vocabulary[random() % vocabulary.size()]);
        }
        text += '\n';
    }
    return text;
}

const std::vector<std::string> kTexts { "atom electron quantum theory", "goal striker referee",
                                        "the new team record", "unknownword zzz", "" };

bool runFastTextCli(const QStringList &arguments)
{
    QProcess cli;
    cli.start(QLatin1String(kFastTextCli), arguments);
    return cli.waitForFinished(120000) && cli.exitStatus() == QProcess::NormalExit
        && cli.exitCode() == 0;
}

struct CliRun {
    int exitCode = -1;
    QString standardError;
};

CliRun runApply(const QString &model, const QString &input, const QString &output)
{
    QProcess process;
    process.start(pcs::test::cliPath(),
                  { QStringLiteral("filter"), QStringLiteral("apply"), QStringLiteral("--model"),
                    model, QStringLiteral("--threshold"), QStringLiteral("0.5"),
                    QStringLiteral("--mode"), QStringLiteral("score"), QStringLiteral("--input"),
                    input, QStringLiteral("--output"), output });
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit)
        return {};
    return { process.exitCode(), QString::fromUtf8(process.readAllStandardError()) };
}

// ---- The crafted cases ----

using Patch = std::function<void(QByteArray &, const Layout &)>;

struct Craft {
    const char *name;
    const char *base;  // "dense", "quantized" or "pruned" (see initTestCase)
    Patch patch;
    QStringList expected;  // parts of the error; none: the file stays valid and must load
};

Patch setArg(Arg arg, qint32 value)
{
    return [=](QByteArray &bytes, const Layout &) { put<qint32>(bytes, argAt(arg), value); };
}

template<typename T> Patch setAt(std::function<qint64(const Layout &)> offset, T value)
{
    return [=](QByteArray &bytes, const Layout &layout) { put<T>(bytes, offset(layout), value); };
}

Patch cutAt(std::function<qint64(const Layout &)> length)
{
    return [=](QByteArray &bytes, const Layout &layout) { bytes.truncate(length(layout)); };
}

// A float of a dense matrix, or a centroid value of a quantizer.
qint64 weightAt(const Matrix &m, qint64 row, qint64 column)
{
    return m.weights + 4 * (row * m.columnCount + column);
}

const std::vector<Craft> &crafts()
{
    constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
    constexpr float kInfinity = std::numeric_limits<float>::infinity();
    static const std::vector<Craft> cases = {
        // Unchanged, and changes that leave a valid model.
        { "dense as saved", "dense", [](QByteArray &, const Layout &) {}, {} },
        { "quantized as saved", "quantized", [](QByteArray &, const Layout &) {}, {} },
        { "pruned as saved", "pruned", [](QByteArray &, const Layout &) {}, {} },
        { "label counts ascending with softmax",
          "dense",
          [](QByteArray &b, const Layout &l) {
              put<qint64>(b, l.entryCount[std::size_t(l.nwords)], 1);
              put<qint64>(b, l.entryCount[std::size_t(l.nwords) + 1], 1000);
          },
          {} },
        { "a weight of 999999",
          "dense",
          setAt<float>([](const Layout &l) { return weightAt(l.input, 0, 0); }, 999999.0f),
          {} },
        { "epoch 100000", "dense", setArg(Epoch, 100000), {} },

        // Args.
        { "dim 0", "dense", setArg(Dim, 0), { "args: dim 0 is outside [1, 1048576]" } },
        { "dim 5 for 4-wide matrices",
          "dense",
          setArg(Dim, 5),
          { "input matrix: 4 columns, but args dim is 5" } },
        { "ws -1", "dense", setArg(Ws, -1), { "args: ws -1 is outside" } },
        { "epoch 0", "dense", setArg(Epoch, 0), { "args: epoch 0 is outside" } },
        { "neg 1e9", "dense", setArg(Neg, 1000000000), { "args: neg 1000000000 is outside" } },
        { "wordNgrams 1000000",
          "dense",
          setArg(WordNgrams, 1000000),
          { "args: wordNgrams 1000000 is outside [1, 100]" } },
        { "loss 9", "dense", setArg(Loss, 9), { "args: loss 9 is outside [1, 4]" } },
        { "model 0", "dense", setArg(Model, 0), { "args: model 0 is outside [1, 3]" } },
        { "bucket -5", "dense", setArg(Bucket, -5), { "args: bucket -5 is outside" } },
        { "bucket 0 with bigrams",
          "dense",
          setArg(Bucket, 0),
          { "args: bucket 0, but wordNgrams 2 and maxn 0" } },
        { "maxn 1000", "dense", setArg(Maxn, 1000), { "args: maxn 1000 is outside [0, 32]" } },
        { "minn above maxn",
          "dense",
          [](QByteArray &b, const Layout &) {
              put<qint32>(b, argAt(Minn), 5);
              put<qint32>(b, argAt(Maxn), 3);
          },
          { "args: minn 5 exceeds maxn 3" } },
        { "lrUpdateRate 0", "dense", setArg(LrRate, 0), { "args: lrUpdateRate 0 is outside" } },
        { "t NaN",
          "dense",
          setAt<double>([](const Layout &) { return kSamplingThreshold; }, std::nan("")),
          { "args: t (sampling threshold) nan is outside [0, 1]" } },

        // Dictionary.
        { "size one more",
          "dense",
          [](QByteArray &b, const Layout &) {
              put<qint32>(b, kDictionarySize, get<qint32>(b, kDictionarySize) + 1);
          },
          { "dictionary: size", "is not nwords" } },
        { "no labels",
          "dense",
          [](QByteArray &b, const Layout &l) {
              put<qint32>(b, kNwords, l.nwords + l.nlabels);
              put<qint32>(b, kNlabels, 0);
          },
          { "dictionary: nlabels 0, but a supervised model predicts labels" } },
        { "ntokens -1",
          "dense",
          setAt<qint64>([](const Layout &) { return kNtokens; }, -1),
          { "dictionary: ntokens -1 is outside" } },
        { "pruneidx_size -2",
          "dense",
          setAt<qint64>([](const Layout &) { return kPruneIndexSize; }, -2),
          { "dictionary: pruneidx_size -2 is outside [-1," } },
        { "pruned but dense",
          "dense",
          setAt<qint64>([](const Layout &) { return kPruneIndexSize; }, 0),
          { "input matrix: dense, but the dictionary is pruned (pruneidx_size 0)" } },
        { "the last word typed a label",
          "dense",
          [](QByteArray &b, const Layout &l) { b[l.entryType[std::size_t(l.nwords) - 1]] = 1; },
          { "type 1 (label) out of order" } },
        { "the first label typed a word",
          "dense",
          [](QByteArray &b, const Layout &l) { b[l.entryType[std::size_t(l.nwords)]] = 0; },
          { "type 0 (word) out of order" } },
        { "entry type 2",
          "dense",
          [](QByteArray &b, const Layout &l) { b[l.entryType[3]] = 2; },
          { "dictionary: entry 3 ", "type 2 is neither word (0) nor label (1)" } },
        { "word count -1",
          "dense",
          setAt<qint64>([](const Layout &l) { return l.entryCount[1]; }, -1),
          { "dictionary: entry 1 ", "count -1 is outside [0," } },
        { "label count 0",
          "dense",
          setAt<qint64>([](const Layout &l) { return l.entryCount[std::size_t(l.nwords)]; }, 0),
          { "count 0 is outside [1," } },
        { "label counts ascending with hierarchical softmax",
          "dense",
          [](QByteArray &b, const Layout &l) {
              put<qint32>(b, argAt(Loss), 1);
              put<qint64>(b, l.entryCount[std::size_t(l.nwords)], 1);
              put<qint64>(b, l.entryCount[std::size_t(l.nwords) + 1], 1000);
          },
          { "count 1000 after 1: hierarchical softmax needs the labels in descending order" } },
        { "pruneidx key = bucket",
          "pruned",
          setAt<qint32>([](const Layout &l) { return l.pruneIndex; }, 1000),
          { "dictionary: pruneidx pair 0: key 1000 is outside the buckets [0, 1000)" } },
        { "pruneidx key -1",
          "pruned",
          setAt<qint32>([](const Layout &l) { return l.pruneIndex; }, -1),
          { "dictionary: pruneidx pair 0: key -1 is outside" } },
        { "pruneidx value = pruneidx_size",
          "pruned",
          [](QByteArray &b, const Layout &l) {
              put<qint32>(b, l.pruneIndex + 4, qint32(l.pruneIndexSize));
          },
          { "dictionary: pruneidx pair 0: value", "is outside [0, pruneidx_size" } },
        { "pruneidx key twice",
          "pruned",
          [](QByteArray &b, const Layout &l) {
              put<qint32>(b, l.pruneIndex + 8, get<qint32>(b, l.pruneIndex));
          },
          { "dictionary: pruneidx pair 1: key", "appears twice" } },
        { "pruneidx value twice",
          "pruned",
          [](QByteArray &b, const Layout &l) {
              put<qint32>(b, l.pruneIndex + 12, get<qint32>(b, l.pruneIndex + 4));
          },
          { "dictionary: pruneidx pair 1: value", "appears twice" } },
        { "pruned, hierarchical softmax, label counts ascending",
          "pruned",
          [](QByteArray &b, const Layout &l) {
              put<qint64>(b, l.entryCount[std::size_t(l.nwords)], 1);
              put<qint64>(b, l.entryCount[std::size_t(l.nwords) + 1], 1000);
          },
          { "count 1000 after 1: hierarchical softmax" } },
        { "pruned, minn above maxn", "pruned", setArg(Minn, 5), { "args: minn 5 exceeds maxn 4" } },
        { "pruned, bucket 0",
          "pruned",
          setArg(Bucket, 0),
          { "args: bucket 0, but wordNgrams 2 and maxn 4" } },
        { "pruned, input marked dense",
          "pruned",
          [](QByteArray &b, const Layout &l) { b[l.input.flag] = 0; },
          { "input matrix: dense, but the dictionary is pruned" } },

        // Dense matrices.
        { "input NaN",
          "dense",
          setAt<float>([](const Layout &l) { return weightAt(l.input, 17, 3); }, kNaN),
          { "input matrix row 17 column 3 is NaN" } },
        { "output +infinity",
          "dense",
          setAt<float>([](const Layout &l) { return weightAt(l.output, 1, 2); }, kInfinity),
          { "output matrix row 1 column 2 is +infinity" } },
        { "input -infinity",
          "dense",
          setAt<float>([](const Layout &l) { return weightAt(l.input, 0, 1); }, -kInfinity),
          { "input matrix row 0 column 1 is -infinity" } },
        { "input 1e30",
          "dense",
          setAt<float>([](const Layout &l) { return weightAt(l.input, 0, 0); }, 1e30f),
          { "input matrix row 0 column 0 is 1e+30, beyond ±1e+06" } },
        { "input rows one more",
          "dense",
          [](QByteArray &b, const Layout &l) {
              put<qint64>(b, l.input.rows, l.input.rowCount + 1);
          },
          { "input matrix: ", "rows, expected", "+ bucket 300)" } },
        { "output columns 5",
          "dense",
          setAt<qint64>([](const Layout &l) { return l.output.columns; }, 5),
          { "output matrix: 5 columns, but args dim is 4" } },
        { "quantized flag 2",
          "dense",
          [](QByteArray &b, const Layout &l) { b[l.input.flag] = 2; },
          { "input matrix: quantized flag: byte 2 is neither 0 nor 1" } },
        { "qout flag 7",
          "dense",
          [](QByteArray &b, const Layout &l) { b[l.output.flag] = 7; },
          { "output matrix: qout flag: byte 7 is neither 0 nor 1" } },
        { "quantized output NaN (dense output)",
          "quantized",
          setAt<float>([](const Layout &l) { return weightAt(l.output, 0, 0); }, kNaN),
          { "output matrix row 0 column 0 is NaN" } },

        // Quantized matrices.
        { "dsub and lastdsub 64 (quant-dsub-64)",
          "quantized",
          [](QByteArray &b, const Layout &l) {
              put<qint32>(b, l.input.pq.dsub, 64);
              put<qint32>(b, l.input.pq.lastdsub, 64);
          },
          { "input matrix: product quantizer: (nsubq 2 − 1) × dsub 64 + lastdsub 64 = 128, not "
            "dim 4" } },
        { "lastdsub above dsub",
          "quantized",
          setAt<qint32>([](const Layout &l) { return l.input.pq.lastdsub; }, 3),
          { "input matrix: product quantizer: lastdsub 3 exceeds dsub 2" } },
        { "lastdsub 0",
          "quantized",
          setAt<qint32>([](const Layout &l) { return l.input.pq.lastdsub; }, 0),
          { "input matrix: product quantizer: lastdsub 0 is below 1" } },
        { "dsub 0",
          "quantized",
          setAt<qint32>([](const Layout &l) { return l.input.pq.dsub; }, 0),
          { "input matrix: product quantizer: dsub 0 is below 1" } },
        { "dsub -2",
          "quantized",
          setAt<qint32>([](const Layout &l) { return l.input.pq.dsub; }, -2),
          { "input matrix: product quantizer: dsub -2 is below 1" } },
        { "nsubq 4096 (quant-nsubq-4096)",
          "quantized",
          setAt<qint32>([](const Layout &l) { return l.input.pq.nsubq; }, 4096),
          { "input matrix: product quantizer: (nsubq 4096 − 1) × dsub 2 + lastdsub 2 = 8192" } },
        { "nsubq 0",
          "quantized",
          setAt<qint32>([](const Layout &l) { return l.input.pq.nsubq; }, 0),
          { "input matrix: product quantizer: nsubq 0 is below 1" } },
        { "one subquantizer for codes of two",
          "quantized",
          [](QByteArray &b, const Layout &l) {
              put<qint32>(b, l.input.pq.nsubq, 1);
              put<qint32>(b, l.input.pq.dsub, 4);
              put<qint32>(b, l.input.pq.lastdsub, 4);
          },
          { "input matrix: codesize", "is not rows", "× nsubq 1" } },
        { "quantizer dim 8",
          "quantized",
          setAt<qint32>([](const Layout &l) { return l.input.pq.dim; }, 8),
          { "input matrix: product quantizer: dim 8, expected 4" } },
        { "codesize one less",
          "quantized",
          [](QByteArray &b, const Layout &l) {
              put<qint32>(b, l.input.codesize, get<qint32>(b, l.input.codesize) - 1);
          },
          { "input matrix: codesize", "is not rows", "× a subquantizer count in [1, dim 4]" } },
        { "codesize 0",
          "quantized",
          setAt<qint32>([](const Layout &l) { return l.input.codesize; }, 0),
          { "input matrix: codesize 0 is not rows" } },
        { "codesize -1",
          "quantized",
          setAt<qint32>([](const Layout &l) { return l.input.codesize; }, -1),
          { "input matrix: codesize -1 is not rows" } },
        { "qnorm flag 3",
          "quantized",
          [](QByteArray &b, const Layout &l) { b[l.input.qnorm] = 3; },
          { "input matrix: qnorm flag: byte 3 is neither 0 nor 1" } },
        { "quantized rows one more",
          "quantized",
          [](QByteArray &b, const Layout &l) {
              put<qint64>(b, l.input.rows, l.input.rowCount + 1);
          },
          { "input matrix: ", "rows, expected" } },
        { "quantized columns 8",
          "quantized",
          setAt<qint64>([](const Layout &l) { return l.input.columns; }, 8),
          { "input matrix: 8 columns, but args dim is 4" } },
        { "centroid +infinity",
          "quantized",
          setAt<float>([](const Layout &l) { return l.input.pq.centroids + 4 * 5; }, kInfinity),
          { "input matrix: product quantizer: centroid value 5 is +infinity" } },
        { "norm centroid NaN",
          "quantized",
          setAt<float>([](const Layout &l) { return l.input.npq.centroids + 4 * 7; }, kNaN),
          { "input matrix: norm quantizer: centroid value 7 is NaN" } },
        { "norm quantizer dim 2",
          "quantized",
          setAt<qint32>([](const Layout &l) { return l.input.npq.dim; }, 2),
          { "input matrix: norm quantizer: dim 2, expected 1" } },
        { "norm quantizer dsub 2",
          "quantized",
          setAt<qint32>([](const Layout &l) { return l.input.npq.dsub; }, 2),
          { "input matrix: norm quantizer: dsub 2, expected 1" } },
        { "norm quantizer nsubq 2",
          "quantized",
          setAt<qint32>([](const Layout &l) { return l.input.npq.nsubq; }, 2),
          { "input matrix: norm quantizer: (nsubq 2 − 1)" } },
        { "quantized output lastdsub above dsub",
          "pruned",
          setAt<qint32>([](const Layout &l) { return l.output.pq.lastdsub; }, 3),
          { "output matrix: product quantizer: lastdsub 3 exceeds dsub 2" } },
        { "quantized output norm centroid +infinity",
          "pruned",
          setAt<float>([](const Layout &l) { return l.output.npq.centroids; }, kInfinity),
          { "output matrix: norm quantizer: centroid value 0 is +infinity" } },
        { "quantized output codesize",
          "pruned",
          [](QByteArray &b, const Layout &l) {
              put<qint32>(b, l.output.codesize, get<qint32>(b, l.output.codesize) + 1);
          },
          { "output matrix: codesize" } },

        // Length.
        { "one byte more",
          "dense",
          [](QByteArray &b, const Layout &) { b.append('\0'); },
          { "1 byte(s) after the output matrix" } },
        { "a block more",
          "quantized",
          [](QByteArray &b, const Layout &) { b.append(4096, 'x'); },
          { "4096 byte(s) after the output matrix" } },
        { "cut in the signature",
          "dense",
          cutAt([](const Layout &) { return 2; }),
          { "not a fastText model file" } },
        { "cut in args",
          "dense",
          cutAt([](const Layout &) { return argAt(Neg) + 2; }),
          { "args: neg: the file ends at byte 26 (truncated?)" } },
        { "cut in the dictionary header",
          "dense",
          cutAt([](const Layout &) { return kNtokens + 3; }),
          { "dictionary: ntokens: the file ends" } },
        { "cut in an entry's text",
          "dense",
          cutAt([](const Layout &l) { return l.entryText[0] + 1; }),
          { "dictionary: entry 0: the file ends" } },
        { "cut in an entry's count",
          "dense",
          cutAt([](const Layout &l) { return l.entryCount[2] + 3; }),
          { "dictionary: entry 2: the file ends" } },
        { "cut in the pruneidx",
          "pruned",
          cutAt([](const Layout &l) { return l.pruneIndex + 20; }),
          { "dictionary: pruneidx: the file ends" } },
        { "cut in the input weights",
          "dense",
          cutAt([](const Layout &l) { return l.input.weights + 6; }),
          { "input matrix: weights: the file ends" } },
        { "cut at the qout flag",
          "dense",
          cutAt([](const Layout &l) { return l.output.flag; }),
          { "output matrix: qout flag: the file ends" } },
        { "cut one byte short",
          "dense",
          cutAt([](const Layout &l) { return l.end - 1; }),
          { "output matrix: weights: the file ends" } },
        { "cut in the codes",
          "quantized",
          cutAt([](const Layout &l) { return l.input.codes + 5; }),
          { "input matrix: codes: the file ends" } },
        { "cut in the centroids",
          "quantized",
          cutAt([](const Layout &l) { return l.input.pq.centroids + 10; }),
          { "input matrix: product quantizer: centroids: the file ends" } },
        { "cut in the norm codes",
          "quantized",
          cutAt([](const Layout &l) { return l.input.normCodes + 1; }),
          { "input matrix: norm codes: the file ends" } },
    };
    return cases;
}

// Scores stay probabilities, give or take fastText's smoothing: it adds 1e-5 to a probability,
// and hierarchical softmax to each factor along a tree path (of up to ~90 nodes), so a score may
// exceed 1 slightly.
bool scoresSoundly(const FastTextModel &model)
{
    for (const std::string &text : kTexts) {
        const double score = model.scoreInclude(text);
        if (!std::isfinite(score) || score < 0 || score > 1.001)
            return false;
    }
    return true;
}

}  // namespace

class TestFastTextModelFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void testLayoutMatchesModels();
    void craftedModels_data();
    void craftedModels();
    void hostileFilesAreRefused();
    void cliRefusesHostileModels();
    void randomMutationsAreRefusedOrScoreSoundly();

private:
    QByteArray crafted(const Craft &craft) const;

    QTemporaryDir m_dir;
    std::map<QString, QByteArray> m_bases;  // name → the bytes of a valid model file
    QString m_texts;  // a JSONL file to score
};

void TestFastTextModelFile::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString training
        = pcs::test::writeFile(m_dir, QStringLiteral("train.txt"), trainingText(1, 600, 0));
    m_texts = pcs::test::writeFile(m_dir, QStringLiteral("texts.jsonl"),
                                   "{\"text\":\"atom electron\"}\n{\"text\":\"goal striker\"}\n");

    // dense: ours, with bigrams (so hashed rows), small: 4 dimensions, 300 buckets.
    FastTextParameters parameters;
    parameters.dim = 4;
    parameters.bucket = 300;
    parameters.epoch = 5;
    parameters.threads = 1;
    auto trained = FastTextModel::train(training, parameters);
    QVERIFY2(trained.ok(), qPrintable(trained.ok() ? QString() : trained.error().toString()));
    const QString dense = m_dir.filePath(QStringLiteral("dense.bin"));
    QVERIFY(trained->save(dense).ok());
    // quantized: the same, product-quantized with normalised codes (dsub 2), dense output.
    QVERIFY(trained->quantize(training).ok());
    const QString quantized = m_dir.filePath(QStringLiteral("quantized.ftz"));
    QVERIFY(trained->save(quantized).ok());
    std::map<QString, QString> paths { { QStringLiteral("dense"), dense },
                                       { QStringLiteral("quantized"), quantized } };

    // pruned: the fasttext CLI's hierarchical softmax with char n-grams, quantized with a cutoff
    // (a pruned dictionary: 300 of some 1030 input rows kept), retraining, qnorm and a quantized
    // output (300 extra labels, since quantizing needs 256 rows).
    if (QFileInfo::exists(QLatin1String(kFastTextCli))) {
        const QString labelled = pcs::test::writeFile(m_dir, QStringLiteral("labelled.txt"),
                                                      trainingText(2, 900, 300));
        const QString output = m_dir.filePath(QStringLiteral("pruned"));
        const auto options
            = [](const char *list) { return QString::fromLatin1(list).split(QLatin1Char(' ')); };
        QVERIFY(runFastTextCli(
            QStringList { QStringLiteral("supervised"), QStringLiteral("-input"), labelled,
                          QStringLiteral("-output"), output }
            + options("-dim 4 -bucket 1000 -wordNgrams 2 -loss hs -minn 2 -maxn 4 -epoch 5 "
                      "-thread 1 -verbose 0")));
        QVERIFY(runFastTextCli(
            QStringList { QStringLiteral("quantize"), QStringLiteral("-input"), labelled,
                          QStringLiteral("-output"), output }
            + options("-qnorm -qout -cutoff 300 -retrain -epoch 1 -thread 1 -verbose 0")));
        paths[QStringLiteral("pruned")] = output + QStringLiteral(".ftz");
    }
    for (const auto &[name, path] : paths) {
        QFile file(path);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
        m_bases[name] = file.readAll();
    }
}

// The offsets the crafted cases patch are only as good as this test's reading of the layout.
void TestFastTextModelFile::testLayoutMatchesModels()
{
    for (const auto &[name, bytes] : m_bases) {
        const Layout layout = layoutOf(bytes);
        QCOMPARE(layout.end, bytes.size());
        QCOMPARE(get<qint32>(bytes, argAt(Dim)), 4);
        QCOMPARE(layout.input.quantized, name != QLatin1String("dense"));
        QCOMPARE(layout.output.quantized, name == QLatin1String("pruned"));
        QCOMPARE(layout.pruneIndexSize > 0, name == QLatin1String("pruned"));
        QCOMPARE(layout.input.rowCount,
                 layout.nwords + (layout.pruneIndexSize >= 0 ? layout.pruneIndexSize : 300));
        if (layout.pruneIndexSize >= 0)
            QCOMPARE(layout.input.rowCount, 300);  // the cutoff
        QCOMPARE(layout.output.rowCount, qint64(layout.nlabels));
        QCOMPARE(qint64(layout.entryType.size()), qint64(layout.nwords + layout.nlabels));
        for (std::size_t i = 0; i < layout.entryType.size(); ++i)
            QCOMPARE(int(bytes[layout.entryType[i]]), i < std::size_t(layout.nwords) ? 0 : 1);
        if (layout.input.quantized) {
            QCOMPARE(get<qint32>(bytes, layout.input.pq.nsubq), 2);
            QCOMPARE(get<qint32>(bytes, layout.input.pq.dsub), 2);
            QCOMPARE(get<qint32>(bytes, layout.input.npq.dim), 1);
        }
    }
}

QByteArray TestFastTextModelFile::crafted(const Craft &craft) const
{
    QByteArray bytes = m_bases.at(QLatin1String(craft.base));
    craft.patch(bytes, layoutOf(bytes));
    return bytes;
}

void TestFastTextModelFile::craftedModels_data()
{
    QTest::addColumn<int>("index");
    for (std::size_t i = 0; i < crafts().size(); ++i)
        QTest::newRow(crafts()[i].name) << int(i);
}

void TestFastTextModelFile::craftedModels()
{
    QFETCH(int, index);
    const Craft &craft = crafts()[std::size_t(index)];
    if (!m_bases.count(QLatin1String(craft.base)))
        QSKIP("the fasttext CLI is not installed");
    const QString path
        = pcs::test::writeFile(m_dir, QStringLiteral("crafted-%1.bin").arg(index), crafted(craft));

    const pcs::Status checked = pcs::checkFastTextModelFile(path);
    auto model = FastTextModel::load(path);
    if (craft.expected.isEmpty()) {
        QVERIFY2(checked.ok(), qPrintable(checked.ok() ? QString() : checked.error().toString()));
        QVERIFY2(model.ok(), qPrintable(model.ok() ? QString() : model.error().toString()));
        QVERIFY(scoresSoundly(*model));
        return;
    }
    QVERIFY(!checked.ok());
    QVERIFY(!model.ok());
    QCOMPARE(model.error().kind, ErrorKind::BadInput);
    QCOMPARE(model.error().file, path);
    QCOMPARE(model.error().reason, checked.error().reason);
    for (const QString &part : craft.expected)
        QVERIFY2(model.error().reason.contains(part),
                 qPrintable(QStringLiteral("\"%1\" lacks \"%2\"").arg(model.error().reason, part)));

    // The CLI reports it and exits 2, for a few (each run starts a process).
    if (index % 8 == 0) {
        const CliRun run = runApply(path, m_texts, m_dir.filePath(QStringLiteral("scores.jsonl")));
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.standardError.contains(path + QStringLiteral(": ") + model.error().reason),
                 qPrintable(run.standardError));
    }
}

void TestFastTextModelFile::hostileFilesAreRefused()
{
    const QString hostile = pcs::test::hostileDataDir();
    if (hostile.isEmpty())
        QSKIP("../shared/data/hostile is not beside this clone");
    const QFileInfoList files
        = QDir(hostile + QStringLiteral("/fasttext"))
              .entryInfoList({ QStringLiteral("*.bin"), QStringLiteral("*.ftz") }, QDir::Files,
                             QDir::Name);
    QVERIFY(!files.isEmpty());
    const QStringList parts { QStringLiteral("signature"), QStringLiteral("args: "),
                              QStringLiteral("dictionary: "), QStringLiteral("input matrix"),
                              QStringLiteral("output matrix") };
    for (const QFileInfo &file : files) {
        const QString path = file.filePath();
        auto model = FastTextModel::load(path);
        QVERIFY2(!model.ok(), qPrintable(path));
        QCOMPARE(model.error().kind, ErrorKind::BadInput);
        QCOMPARE(model.error().file, path);
        const QString &reason = model.error().reason;
        QVERIFY2(std::any_of(parts.begin(), parts.end(),
                             [&](const QString &part) { return reason.startsWith(part); }),
                 qPrintable(model.error().toString()));
        qInfo("%s", qPrintable(model.error().toString()));
    }
}

void TestFastTextModelFile::cliRefusesHostileModels()
{
    const QString hostile = pcs::test::hostileDataDir();
    if (hostile.isEmpty())
        QSKIP("../shared/data/hostile is not beside this clone");
    const QDir folder(hostile + QStringLiteral("/fasttext"));
    const QString texts = folder.filePath(QStringLiteral("texts.jsonl"));
    QVERIFY(QFileInfo::exists(texts));
    const QString output = m_dir.filePath(QStringLiteral("hostile-scores.jsonl"));
    for (const QFileInfo &file : folder.entryInfoList(
             { QStringLiteral("*.bin"), QStringLiteral("*.ftz") }, QDir::Files, QDir::Name)) {
        const CliRun run = runApply(file.filePath(), texts, output);
        QVERIFY2(run.exitCode == 2,
                 qPrintable(QStringLiteral("%1: exit %2: %3")
                                .arg(file.fileName())
                                .arg(run.exitCode)
                                .arg(run.standardError)));
        QVERIFY2(run.standardError.contains(file.filePath() + QStringLiteral(": ")),
                 qPrintable(run.standardError));
    }
}

namespace {

// Where a mutation may strike in one valid model.
struct MutationTargets {
    std::vector<qint64> fields;  // int32 and int64 fields (a mutation sets their low 4 bytes)
    std::vector<qint64> bytes;  // flags and entry types
    qint64 firstWeight = 0;  // the first float of the input matrix
};

MutationTargets mutationTargets(const Layout &layout)
{
    MutationTargets targets;
    for (int arg = Dim; arg <= LrRate; ++arg)
        targets.fields.push_back(argAt(Arg(arg)));
    for (qint64 at : { kDictionarySize, kNwords, kNlabels, kNtokens, kPruneIndexSize })
        targets.fields.push_back(at);
    targets.fields.insert(targets.fields.end(), layout.entryCount.begin(), layout.entryCount.end());
    for (qint64 i = 0; i < std::min<qint64>(layout.pruneIndexSize, 8); ++i)
        targets.fields.push_back(layout.pruneIndex + 4 * i);
    targets.bytes = layout.entryType;
    for (const Matrix *m : { &layout.input, &layout.output }) {
        for (qint64 at :
             { m->rows, m->columns, m->codesize, m->pq.dim, m->pq.nsubq, m->pq.dsub, m->pq.lastdsub,
               m->npq.dim, m->npq.nsubq, m->npq.dsub, m->npq.lastdsub }) {
            if (at >= 0)
                targets.fields.push_back(at);
        }
        for (qint64 at : { m->flag, m->qnorm }) {
            if (at >= 0)
                targets.bytes.push_back(at);
        }
    }
    targets.firstWeight = layout.input.quantized ? layout.input.pq.centroids : layout.input.weights;
    return targets;
}

constexpr qint32 kEdgeValues[] = { 0,
                                   1,
                                   -1,
                                   2,
                                   3,
                                   4,
                                   5,
                                   64,
                                   255,
                                   256,
                                   4096,
                                   65536,
                                   std::numeric_limits<qint32>::max(),
                                   std::numeric_limits<qint32>::min() };
constexpr float kOddWeights[] = { std::numeric_limits<float>::quiet_NaN(),
                                  std::numeric_limits<float>::infinity(), 1e30f, -3e38f };

// One random change: bytes, a structural field set to an edge value, a flag or entry type set
// to 0–3, a weight made non-finite or huge, a cut or extra bytes.
void mutate(QByteArray &bytes, const MutationTargets &targets, std::mt19937 &random)
{
    const auto pick = [&](qint64 count) { return qint64(random() % quint64(count)); };
    const auto fits = [&](qint64 at, qint64 width) { return at + width <= bytes.size(); };
    switch (random() % 5) {
    case 0:
        for (int n = 1 + int(random() % 3); n > 0 && !bytes.isEmpty(); --n)
            bytes[pick(bytes.size())] = char(random());
        break;
    case 1:
        if (const qint64 at = targets.fields[std::size_t(pick(qint64(targets.fields.size())))];
            fits(at, 4))
            put<qint32>(bytes, at, kEdgeValues[pick(std::size(kEdgeValues))]);
        break;
    case 2:
        if (const qint64 at = targets.bytes[std::size_t(pick(qint64(targets.bytes.size())))];
            fits(at, 1))
            bytes[at] = char(random() % 4);
        break;
    case 3:
        if (const qint64 at = targets.firstWeight + 4 * pick(1024); fits(at, 4))
            put<float>(bytes, at, kOddWeights[pick(std::size(kOddWeights))]);
        break;
    default:
        if (random() % 2)
            bytes.truncate(pick(bytes.size() + 1));
        else
            bytes.append(QByteArray(1 + int(random() % 16), char(random())));
        break;
    }
}

}  // namespace

// A libFuzzer-style loop, seeded: one to three random changes to a valid model at a time. Each
// mutant must be refused, or load and score probabilities; a crash, a hang or a sanitizer report
// fails the test. PCS_FASTTEXT_FUZZ_ITERATIONS and PCS_FASTTEXT_FUZZ_SEED run it longer or
// differently (as under ASan/UBSan: 90,000 mutants on three seeds found nothing).
void TestFastTextModelFile::randomMutationsAreRefusedOrScoreSoundly()
{
    const int iterations = qEnvironmentVariableIsSet("PCS_FASTTEXT_FUZZ_ITERATIONS")
        ? qEnvironmentVariableIntValue("PCS_FASTTEXT_FUZZ_ITERATIONS")
        : 3000;
    std::mt19937 random(qEnvironmentVariableIsSet("PCS_FASTTEXT_FUZZ_SEED")
                            ? unsigned(qEnvironmentVariableIntValue("PCS_FASTTEXT_FUZZ_SEED"))
                            : 20240611u);
    std::vector<std::pair<QByteArray, MutationTargets>> bases;
    for (const auto &[name, bytes] : m_bases)
        bases.emplace_back(bytes, mutationTargets(layoutOf(bytes)));
    const QString path = m_dir.filePath(QStringLiteral("mutant.bin"));
    int refused = 0, loaded = 0;
    for (int iteration = 0; iteration < iterations; ++iteration) {
        const auto &[base, targets] = bases[std::size_t(iteration) % bases.size()];
        QByteArray mutant = base;
        for (int n = 1 + int(random() % 3); n > 0; --n)
            mutate(mutant, targets, random);
        pcs::test::writeFile(m_dir, QStringLiteral("mutant.bin"), mutant);
        auto model = FastTextModel::load(path);
        if (!model.ok()) {
            QCOMPARE(model.error().kind, ErrorKind::BadInput);
            QCOMPARE(model.error().file, path);
            ++refused;
            continue;
        }
        ++loaded;
        QVERIFY2(scoresSoundly(*model), qPrintable(QStringLiteral("mutant %1").arg(iteration)));
    }
    qInfo("%d mutants refused, %d loaded and scored", refused, loaded);
    QVERIFY(refused > 0);
    QVERIFY(loaded > 0);
}

QTEST_GUILESS_MAIN(TestFastTextModelFile)
#include "tst_fasttextmodelfile.moc"
