#include "core/filter/trainingdata.h"

#include "core/filter/cleaning.h"
#include "core/io/atomicwrite.h"
#include "core/io/jsonline.h"
#include "core/io/linereader.h"
#include "core/io/namedvalues.h"

#include <QFileInfo>
#include <QJsonArray>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>
#include <unordered_map>

namespace pcs {

namespace {

// Heterogeneous lookup: a key seen as a string_view in a JSON line needs no allocation.
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view> {}(s); }
};

struct KeyState {
    bool include = false;
    bool seen = false;
};

// A document's place in the split: a hash of the seed and its ordinal, so the split depends
// only on the seed and the order of the documents, not on the thread count or the platform.
double splitValue(quint64 seed, quint64 ordinal)
{
    quint64 z = seed + 0x9E3779B97F4A7C15ull * (ordinal + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return double(z >> 11) * 0x1.0p-53;
}

bool isBlank(std::string_view text)
{
    for (const char c : text)
        if (c != ' ' && c != '\t')
            return false;
    return true;
}

struct OutputFile {
    std::FILE *file = nullptr;
    ~OutputFile()
    {
        if (file)
            std::fclose(file);
    }
};

}  // namespace

QJsonObject TrainingDataSummary::toJson() const
{
    return QJsonObject {
        { QStringLiteral("lines"), double(lines) },
        { QStringLiteral("include"), double(include) },
        { QStringLiteral("exclude"), double(exclude) },
        { QStringLiteral("train_documents"), double(trainDocuments) },
        { QStringLiteral("test_documents"), double(testDocuments) },
        { QStringLiteral("test_include"), double(testInclude) },
        { QStringLiteral("unknown_key"), double(unknownKey) },
        { QStringLiteral("unknown_key_sample"), QJsonArray::fromStringList(unknownKeySample) },
        { QStringLiteral("distribution_keys_unseen"), double(distributionKeysUnseen) },
        { QStringLiteral("problem_count"), double(problemCount) },
        { QStringLiteral("problems"), QJsonArray::fromStringList(problems) }
    };
}

Result<TrainingDataSummary> writeTrainingData(const TrainingDataOptions &options,
                                              const QString &trainPath, const QString &testPath,
                                              const TaskControl &control)
{
    if (options.textFiles.isEmpty())
        return Error::badInput(QStringLiteral("no texts given"));
    if (!(options.testFraction >= 0.0 && options.testFraction < 1.0))
        return Error::badInput(QStringLiteral("the test fraction must be in [0, 1), not %1")
                                   .arg(options.testFraction));
    std::unordered_map<std::string, KeyState, StringHash, std::equal_to<>> keys;
    const QStringList distributionFiles
        = QStringList { options.distributionFile } + options.moreDistributionFiles;
    for (const QString &path : distributionFiles) {
        // One file must hold rows; a shard of several may be empty (more shards than texts).
        auto distribution = loadNamedValues(path, QStringLiteral("text"), QStringLiteral("weight"),
                                            distributionFiles.size() > 1);
        if (!distribution)
            return distribution.error();
        keys.reserve(keys.size() + std::size_t(distribution->names.size()));
        for (qsizetype i = 0; i < distribution->names.size(); ++i) {
            const bool added
                = keys.emplace(distribution->names[i].toStdString(),
                               KeyState { distribution->values[std::size_t(i)] > 0.0, false })
                      .second;
            if (!added)
                return Error::badInput(QStringLiteral("text '%1' is also in an earlier "
                                                      "distribution file: each text may be in "
                                                      "one file only")
                                           .arg(distribution->names[i]),
                                       path);
        }
    }

    OutputFile train, test;
    train.file = std::fopen(QFile::encodeName(trainPath).constData(), "wb");
    test.file = std::fopen(QFile::encodeName(testPath).constData(), "wb");
    if (!train.file || !test.file)
        return ioError(QStringLiteral("cannot create the training file"), errno,
                       train.file ? testPath : trainPath);

    // Progress by compressed bytes over all inputs.
    qint64 totalBytes = 0;
    for (const QString &path : options.textFiles)
        totalBytes += std::max<qint64>(0, QFileInfo(path).size());

    TrainingDataSummary summary;
    JsonLineScanner scanner({ options.textField.toStdString(), options.keyField.toStdString() });
    const std::string textField = options.textField.toStdString();
    const std::string keyField = options.keyField.toStdString();
    auto problem
        = [&summary](const QString &file, qint64 line, qint64 column, const QString &reason) {
              ++summary.problemCount;
              if (summary.problems.size() < TrainingDataSummary::kMaxListedProblems)
                  summary.problems << Error::badInput(reason, file, line, column).toString();
          };

    qint64 bytesBefore = 0;
    quint64 ordinal = 0;
    std::string record;
    for (const QString &path : options.textFiles) {
        auto opened = LineReader::open(path);
        if (!opened)
            return opened.error();
        LineReader &reader = **opened;
        std::string_view line;
        while (reader.next(line)) {
            if (isBlank(line))
                continue;
            ++summary.lines;
            if ((summary.lines & 0x3FF) == 0) {
                if (control.isCanceled())
                    return Error::canceled();
                control.reportProgress(bytesBefore + reader.compressedBytesRead(),
                                       std::max<qint64>(1, totalBytes));
            }
            if (const auto bad = scanner.scan(line)) {
                problem(path, reader.lineNumber(), bad->column, bad->reason);
                continue;
            }
            const JsonLineScanner::Field &text = scanner.field(0);
            const JsonLineScanner::Field &key = scanner.field(1);
            if (text.kind == JsonLineScanner::Kind::Missing) {
                problem(path, reader.lineNumber(), 0,
                        QStringLiteral("no \"%1\" field").arg(options.textField));
                continue;
            }
            if (text.kind != JsonLineScanner::Kind::String) {
                problem(path, reader.lineNumber(), 0,
                        QStringLiteral("\"%1\" is not a string").arg(options.textField));
                continue;
            }
            if (key.kind != JsonLineScanner::Kind::String
                && key.kind != JsonLineScanner::Kind::Number) {
                problem(path, reader.lineNumber(), 0,
                        key.kind == JsonLineScanner::Kind::Missing
                            ? QStringLiteral("no \"%1\" field").arg(options.keyField)
                            : QStringLiteral("\"%1\" is neither a string nor a number")
                                  .arg(options.keyField));
                continue;
            }
            const std::string cleaned = cleanForFastText(text.value);
            if (isBlank(cleaned)) {
                problem(path, reader.lineNumber(), 0, QStringLiteral("empty text"));
                continue;
            }
            const auto found = keys.find(key.value);
            if (found == keys.end()) {
                ++summary.unknownKey;
                if (summary.unknownKeySample.size() < 10)
                    summary.unknownKeySample
                        << QString::fromUtf8(key.value.data(), qsizetype(key.value.size()));
                continue;
            }
            found->second.seen = true;
            const bool include = found->second.include;
            ++(include ? summary.include : summary.exclude);
            const bool held = splitValue(options.seed, ordinal++) < options.testFraction;
            record.assign(include ? "__label__include " : "__label__exclude ");
            record.append(cleaned);
            record.push_back('\n');
            std::FILE *out = held ? test.file : train.file;
            if (std::fwrite(record.data(), 1, record.size(), out) != record.size())
                return ioError(QStringLiteral("cannot write the training file"), errno,
                               held ? testPath : trainPath);
            if (held) {
                ++summary.testDocuments;
                summary.testInclude += include ? 1 : 0;
            } else {
                ++summary.trainDocuments;
            }
        }
        if (reader.error())
            return *reader.error();
        bytesBefore += std::max<qint64>(0, reader.fileSize());
    }
    for (const auto &[name, state] : keys)
        summary.distributionKeysUnseen += state.seen ? 0 : 1;
    if (std::fflush(train.file) != 0)
        return ioError(QStringLiteral("cannot write the training file"), errno, trainPath);
    if (std::fflush(test.file) != 0)
        return ioError(QStringLiteral("cannot write the training file"), errno, testPath);

    if (summary.include + summary.exclude == 0) {
        QString why = QStringLiteral(
                          "no usable document: %1 lines, %2 with problems, %3 with a key not in %4")
                          .arg(summary.lines)
                          .arg(summary.problemCount)
                          .arg(summary.unknownKey)
                          .arg(QFileInfo(options.distributionFile).fileName());
        if (!summary.problems.isEmpty())
            why += QStringLiteral(" (first problem: %1)").arg(summary.problems.first());
        return Error::badInput(why, options.textFiles.first());
    }
    const qint64 trainInclude = summary.include - summary.testInclude;
    const qint64 trainExclude = summary.trainDocuments - trainInclude;
    if (trainInclude == 0 || trainExclude == 0)
        return Error::badInput(
            QStringLiteral(
                "the training documents are all %1: a filter needs both include (weight > 0) "
                "and exclude (weight 0) examples")
                .arg(trainInclude == 0 ? QStringLiteral("exclude") : QStringLiteral("include")),
            options.distributionFile);
    control.reportProgress(totalBytes, std::max<qint64>(1, totalBytes));
    return summary;
}

}  // namespace pcs
