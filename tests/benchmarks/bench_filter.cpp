// The fastText filter against the fasttext command line on the same data and settings:
// training wall time (FastTextModel::train and the whole trainFilter vs `fasttext supervised`)
// and apply throughput (applyFilter with 1 and 2 threads vs `fasttext predict-prob`).
//   bench_filter [documents] [--dir DIR] [--repeat K]
// Needs /usr/bin/fasttext (Debian package fasttext). Run on a Release build.
#include "core/demo/democorpus.h"
#include "core/filter/cleaning.h"
#include "core/filter/fasttextmodel.h"
#include "core/filter/filterapply.h"
#include "core/filter/filtertrain.h"
#include "core/filter/trainingdata.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace pcs;

namespace {

double seconds(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) * 1e-9;
}

// Runs a command with stdout to `stdoutPath` (or discarded); returns wall seconds, or -1.
double timeCommand(const QString &program, const QStringList &arguments,
                   const QString &stdoutPath = {})
{
    QProcess process;
    if (stdoutPath.isEmpty())
        process.setStandardOutputFile(QProcess::nullDevice());
    else
        process.setStandardOutputFile(stdoutPath);
    process.setStandardErrorFile(QProcess::nullDevice());
    QElapsedTimer timer;
    timer.start();
    process.start(program, arguments);
    if (!process.waitForFinished(-1) || process.exitStatus() != QProcess::NormalExit
        || process.exitCode() != 0)
        return -1;
    return seconds(timer);
}

double best(const std::vector<double> &values)
{
    return values.empty() ? -1 : *std::min_element(values.begin(), values.end());
}

}  // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int documents = 200000;
    int repeat = 2;
    QString dirPath;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--dir") && i + 1 < args.size())
            dirPath = args[++i];
        else if (args[i] == QLatin1String("--repeat") && i + 1 < args.size())
            repeat = std::max(1, args[++i].toInt());
        else
            documents = args[i].toInt();
    }
    const QString fasttext = QStandardPaths::findExecutable(QStringLiteral("fasttext"));
    if (documents < 100 || fasttext.isEmpty()) {
        std::fprintf(stderr,
                     "usage: bench_filter [documents >= 100] [--dir DIR] [--repeat K]; needs the "
                     "fasttext command\n");
        return 2;
    }
    QTemporaryDir temporary;
    const QDir dir(dirPath.isEmpty() ? temporary.path() : dirPath);

    // Corpus: a quarter "science" (include), the rest "forums"; about 500 bytes per document.
    QStringList ids, domains;
    QByteArray distribution = "text,weight\n";
    for (int i = 0; i < documents; ++i) {
        ids << QStringLiteral("doc-%1").arg(i);
        domains << (i % 4 == 0 ? QStringLiteral("science") : QStringLiteral("forums"));
        distribution += ids.last().toUtf8() + (i % 4 == 0 ? ",0.001\n" : ",0\n");
    }
    const QString texts = dir.filePath(QStringLiteral("texts.jsonl"));
    const QString distributionPath = dir.filePath(QStringLiteral("distribution.csv"));
    if (!writeDemoCorpus(texts, ids, domains).ok())
        return 1;
    {
        QFile file(distributionPath);
        if (!file.open(QIODevice::WriteOnly) || file.write(distribution) != distribution.size())
            return 1;
    }
    const double megabytes = double(QFileInfo(texts).size()) / 1e6;
    std::printf("bench_filter: %d documents, %.1f MB of JSONL\n", documents, megabytes);

    // The training file both sides train on.
    TrainingDataOptions data;
    data.textFiles = { texts };
    data.distributionFile = distributionPath;
    const QString trainFile = dir.filePath(QStringLiteral("train.txt"));
    const QString testFile = dir.filePath(QStringLiteral("test.txt"));
    if (!writeTrainingData(data, trainFile, testFile).ok())
        return 1;
    FastTextParameters parameters;
    parameters.threads = 2;
    parameters.seed = 0;
    const QStringList supervised = { QStringLiteral("supervised"),
                                     QStringLiteral("-input"),
                                     trainFile,
                                     QStringLiteral("-output"),
                                     dir.filePath(QStringLiteral("cli-model")),
                                     QStringLiteral("-epoch"),
                                     QStringLiteral("5"),
                                     QStringLiteral("-lr"),
                                     QStringLiteral("0.1"),
                                     QStringLiteral("-dim"),
                                     QStringLiteral("100"),
                                     QStringLiteral("-wordNgrams"),
                                     QStringLiteral("2"),
                                     QStringLiteral("-minCount"),
                                     QStringLiteral("1"),
                                     QStringLiteral("-loss"),
                                     QStringLiteral("softmax"),
                                     QStringLiteral("-thread"),
                                     QStringLiteral("2"),
                                     QStringLiteral("-seed"),
                                     QStringLiteral("0"),
                                     QStringLiteral("-verbose"),
                                     QStringLiteral("0") };
    std::vector<double> cliTrain, ourTrain, ourPipeline;
    for (int r = 0; r < repeat; ++r) {
        cliTrain.push_back(timeCommand(fasttext, supervised));
        QElapsedTimer timer;
        timer.start();
        auto model = FastTextModel::train(trainFile, parameters);
        ourTrain.push_back(model.ok() ? seconds(timer) : -1);
        FilterTrainOptions options;
        options.data = data;
        options.fastText = parameters;
        timer.restart();
        auto trained = trainFilter(options);
        ourPipeline.push_back(trained.ok() ? seconds(timer) : -1);
        if (r == 0 && model.ok() && !model->save(dir.filePath(QStringLiteral("model.bin"))).ok())
            return 1;
    }
    std::printf("train (2 threads, best of %d):\n", repeat);
    std::printf("  fasttext supervised            %7.2f s\n", best(cliTrain));
    std::printf("  FastTextModel::train           %7.2f s  (%.3fx)\n", best(ourTrain),
                best(ourTrain) / best(cliTrain));
    std::printf("  trainFilter (JSONL in, split,  %7.2f s  (%.3fx; includes reading and labelling "
                "the JSONL and\n"
                "               held-out scoring)               scoring the held-out part)\n",
                best(ourPipeline), best(ourPipeline) / best(cliTrain));

    // Apply: fasttext predict-prob on the cleaned texts vs applyFilter on the JSONL.
    const QString model = dir.filePath(QStringLiteral("model.bin"));
    const QString cleaned = dir.filePath(QStringLiteral("cleaned.txt"));
    {
        QFile in(texts), out(cleaned);
        if (!in.open(QIODevice::ReadOnly) || !out.open(QIODevice::WriteOnly))
            return 1;
        while (!in.atEnd()) {
            const QJsonObject record = QJsonDocument::fromJson(in.readLine()).object();
            out.write(QByteArray::fromStdString(
                cleanForFastText(record.value(QStringLiteral("text")).toString().toStdString())));
            out.write("\n");
        }
    }
    auto loaded = FastTextModel::load(model);
    if (!loaded.ok())
        return 1;
    std::vector<double> cliApply, one, two;
    for (int r = 0; r < repeat; ++r) {
        cliApply.push_back(timeCommand(
            fasttext, { QStringLiteral("predict-prob"), model, cleaned, QStringLiteral("2") },
            dir.filePath(QStringLiteral("cli-scores.txt"))));
        for (const int threads : { 1, 2 }) {
            FilterApplyOptions options;
            options.inputs = { texts };
            options.output = dir.filePath(QStringLiteral("scores-%1.txt").arg(threads));
            options.mode = ApplyMode::Score;
            options.threshold = 0.5;
            options.threads = threads;
            QElapsedTimer timer;
            timer.start();
            auto summary = applyFilter(*loaded, options, [](const Error &) {});
            (threads == 1 ? one : two).push_back(summary.ok() ? seconds(timer) : -1);
        }
    }
    const double cleanedMb = double(QFileInfo(cleaned).size()) / 1e6;
    std::printf("apply, %d documents (best of %d):\n", documents, repeat);
    std::printf("  fasttext predict-prob (cleaned text, %.1f MB)  %6.2f s  %8.0f docs/s\n",
                cleanedMb, best(cliApply), documents / best(cliApply));
    std::printf("  applyFilter --mode score, 1 thread (JSONL)    %6.2f s  %8.0f docs/s  (%.2fx)\n",
                best(one), documents / best(one), best(cliApply) / best(one));
    std::printf("  applyFilter --mode score, 2 threads (JSONL)   %6.2f s  %8.0f docs/s  (%.2fx)\n",
                best(two), documents / best(two), best(cliApply) / best(two));
    return 0;
}
