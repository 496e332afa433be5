// bpb batch-export / batch-import: the BPB windows as Batch API files, and their results.
#include "core/bpb/bpbbatch.h"

#include "core/io/atomicwrite.h"
#include "core/io/linereader.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace pcs {

namespace {

constexpr int kMaxListedMissing = 5;

QByteArray requestLine(const BpbBatchSettings &settings, const QString &customId,
                       const QString &prompt)
{
    const QJsonObject line { { QStringLiteral("custom_id"), customId },
                             { QStringLiteral("method"), QStringLiteral("POST") },
                             { QStringLiteral("url"), bpbRequestUrl(settings.api) },
                             { QStringLiteral("body"),
                               bpbRequestBody(settings.api, settings.model, prompt) } };
    return QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
}

QString promptOf(const BpbText &text, const BpbWindow &window)
{
    return text.text.mid(window.contextStart, window.end - window.contextStart);
}

// "bpb-<text>-<window>-<check>" split into its numbers and check, or nothing.
struct ParsedId {
    qint64 text = -1;
    qint64 window = -1;
    QByteArray check;
};
std::optional<ParsedId> parseCustomId(const QString &id)
{
    const QStringList parts = id.split(QLatin1Char('-'));
    if (parts.size() != 4 || parts[0] != QLatin1String("bpb") || parts[3].size() != 16)
        return std::nullopt;
    ParsedId parsed;
    bool textOk = false, windowOk = false;
    parsed.text = parts[1].toLongLong(&textOk);
    parsed.window = parts[2].toLongLong(&windowOk);
    parsed.check = parts[3].toLatin1();
    if (!textOk || !windowOk || parsed.text < 0 || parsed.window < 0)
        return std::nullopt;
    return parsed;
}

// Where a result was read, to name both places of a duplicate.
struct Place {
    int file = -1;  // -1: not read yet
    qint64 line = 0;
};

}  // namespace

QString bpbBatchCustomId(const BpbBatchSettings &settings, qsizetype text, const QString &textId,
                         const BpbWindow &window, const QString &prompt, qsizetype windowIndex)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    const QByteArray header = settings.model.toUtf8() + '\0' + bpbApiName(settings.api).toUtf8()
        + '\0' + QByteArray::number(settings.windowChars) + ','
        + QByteArray::number(settings.overlapChars) + '\0' + textId.toUtf8() + '\0'
        + QByteArray::number(window.contextStart) + ',' + QByteArray::number(window.scoredStart)
        + ',' + QByteArray::number(window.end) + '\0';
    hash.addData(header);
    hash.addData(prompt.toUtf8());
    return QStringLiteral("bpb-%1-%2-%3")
        .arg(text)
        .arg(windowIndex)
        .arg(QString::fromLatin1(hash.result().toHex().left(16)));
}

Result<BpbBatchExportSummary> exportBpbBatch(const std::vector<BpbText> &texts,
                                             const BpbBatchSettings &settings, const QString &path,
                                             const BatchFileLimits &limits,
                                             BatchFileWriter::OutputCheck check)
{
    if (settings.model.trimmed().isEmpty())
        return Error::badInput(QStringLiteral("no model given"));
    auto writer = BatchFileWriter::create(path, limits, std::move(check));
    if (!writer)
        return writer.error();
    BpbBatchExportSummary summary;
    for (size_t t = 0; t < texts.size(); ++t) {
        const BpbText &text = texts[t];
        const auto windows = bpbWindows(text.text, settings.windowChars, settings.overlapChars);
        for (size_t w = 0; w < windows.size(); ++w) {
            const QString prompt = promptOf(text, windows[w]);
            const QByteArray line = requestLine(
                settings,
                bpbBatchCustomId(settings, qsizetype(t), text.id, windows[w], prompt, qsizetype(w)),
                prompt);
            if ((*writer)->tooLarge(line.size()))
                return Error::badInput(
                    QStringLiteral("text \"%1\" (number %2), window %3: its request alone is %4 "
                                   "bytes, more than the %5 bytes a batch file may hold "
                                   "(--max-bytes); use a smaller --window")
                        .arg(text.id)
                        .arg(t + 1)
                        .arg(w)
                        .arg(line.size())
                        .arg(limits.maxBytes));
            if (Status written = (*writer)->write(line); !written)
                return written.error();
        }
        ++summary.texts;
    }
    if (Status published = (*writer)->publish(); !published)
        return published.error();
    summary.requests = (*writer)->requests();
    summary.files = (*writer)->files();
    summary.staleFiles = (*writer)->staleFiles();
    return summary;
}

Result<BpbMatrix> importBpbBatch(const std::vector<BpbText> &texts,
                                 const std::vector<BpbBatchSettings> &models,
                                 const QStringList &resultFiles, BpbBatchImportSummary *summary)
{
    BpbBatchImportSummary localSummary;
    BpbBatchImportSummary &counts = summary ? *summary : localSummary;
    counts = {};
    if (models.empty())
        return Error::badInput(QStringLiteral("no model given"));
    if (resultFiles.isEmpty())
        return Error::badInput(QStringLiteral("no result files given"));
    BpbMatrix matrix;
    for (const BpbBatchSettings &model : models) {
        const QString name = model.name.isEmpty() ? model.model : model.name;
        if (matrix.llms.contains(name))
            return Error::badInput(QStringLiteral("the LLM name \"%1\" is given twice").arg(name));
        matrix.llms.append(name);
    }

    // Every window of every text, per model: its sum once read, and where it was read.
    std::vector<std::vector<BpbWindow>> windows;  // per model setting group: same settings
    std::vector<qsizetype> firstWindow;  // per text, its first window's index in the flat arrays
    qsizetype windowCount = 0;
    for (const BpbText &text : texts) {
        matrix.texts.append(text.id);
        firstWindow.push_back(windowCount);
        windows.push_back(
            bpbWindows(text.text, models.front().windowChars, models.front().overlapChars));
        windowCount += qsizetype(windows.back().size());
    }
    for (const BpbBatchSettings &model : models)
        if (model.windowChars != models.front().windowChars
            || model.overlapChars != models.front().overlapChars)
            return Error::badInput(
                QStringLiteral("every model of one import needs the same --window and --overlap"));
    std::vector<std::vector<double>> sums(models.size(),
                                          std::vector<double>(size_t(windowCount), 0.0));
    std::vector<std::vector<Place>> places(models.size(), std::vector<Place>(size_t(windowCount)));

    std::vector<std::unique_ptr<LineReader>> readers;
    for (const QString &path : resultFiles) {
        auto opened = LineReader::open(path);
        if (!opened)
            return opened.error();
        readers.push_back(std::move(opened).value());
    }
    for (size_t f = 0; f < readers.size(); ++f) {
        LineReader &reader = *readers[f];
        const QString &path = reader.path();
        std::string_view raw;
        while (reader.next(raw)) {
            const auto fail = [&](const QString &reason) {
                return Error::badInput(reason, path, reader.lineNumber());
            };
            if (raw.find_first_not_of(" \t\r") == std::string_view::npos)
                continue;
            ++counts.lines;
            QJsonParseError parseError {};
            const QJsonDocument document = QJsonDocument::fromJson(
                QByteArray::fromRawData(raw.data(), qsizetype(raw.size())), &parseError);
            if (parseError.error != QJsonParseError::NoError || !document.isObject())
                return parseError.error != QJsonParseError::NoError
                    ? Error::badInput(
                        QStringLiteral("not a result line: %1").arg(parseError.errorString()), path,
                        reader.lineNumber(), parseError.offset + 1)
                    : fail(QStringLiteral("not a result line: not a JSON object"));
            const QJsonObject result = document.object();
            const QString customId = result.value(QStringLiteral("custom_id")).toString();
            const auto parsed = parseCustomId(customId);
            if (!parsed)
                return fail(QStringLiteral("the custom_id \"%1\" is not one of bpb batch-export's "
                                           "(bpb-<text>-<window>-<check>): a result of another "
                                           "export?")
                                .arg(customId));
            if (parsed->text >= qint64(texts.size())
                || parsed->window >= qint64(windows[size_t(parsed->text)].size()))
                return fail(QStringLiteral("the custom_id \"%1\" names text %2, window %3, which "
                                           "these texts (%4 of them) do not have: results of "
                                           "other texts or --window/--overlap?")
                                .arg(customId)
                                .arg(parsed->text + 1)
                                .arg(parsed->window)
                                .arg(texts.size()));
            const size_t t = size_t(parsed->text);
            const size_t w = size_t(parsed->window);
            const BpbWindow &window = windows[t][w];
            const QString prompt = promptOf(texts[t], window);
            std::optional<size_t> model;
            for (size_t m = 0; m < models.size() && !model; ++m)
                if (bpbBatchCustomId(models[m], qsizetype(t), texts[t].id, window, prompt,
                                     qsizetype(w))
                    == customId)
                    model = m;
            if (!model)
                return fail(QStringLiteral("the custom_id \"%1\" does not belong to text \"%2\" "
                                           "window %3 of %4 with these settings (its check "
                                           "differs): a result of other texts, another model, "
                                           "--api, --window or --overlap?")
                                .arg(customId, texts[t].id)
                                .arg(w)
                                .arg(matrix.llms.join(QStringLiteral(", "))));
            const size_t k = size_t(firstWindow[t]) + w;
            Place &place = places[*model][k];
            if (place.file >= 0)
                return fail(QStringLiteral("the custom_id \"%1\" was read before, at %2:%3: the "
                                           "same result twice (a results file given twice?)")
                                .arg(customId, resultFiles[place.file])
                                .arg(place.line));
            if (const auto failure = batchResultFailure(result))
                return fail(QStringLiteral("the request of text \"%1\" window %2 failed (%3): %4")
                                .arg(texts[t].id)
                                .arg(w)
                                .arg(failure->code, failure->message));
            const QJsonObject body = result.value(QStringLiteral("response"))
                                         .toObject()
                                         .value(QStringLiteral("body"))
                                         .toObject();
            auto score
                = scoreCompletionsAnswer(body, prompt, window.scoredStart - window.contextStart);
            if (!score)
                return fail(QStringLiteral("text \"%1\" window %2: %3")
                                .arg(texts[t].id)
                                .arg(w)
                                .arg(score.error().reason));
            sums[*model][k] = score->logprobSum;
            place = Place { int(f), reader.lineNumber() };
        }
        if (reader.error())
            return *reader.error();
        ++counts.files;
        readers[f].reset();  // one open file at a time
    }

    // Every window must have its result: a cell from part of its windows is not its BPB.
    QStringList missing;
    qint64 missingCount = 0;
    for (size_t m = 0; m < models.size(); ++m)
        for (size_t t = 0; t < texts.size(); ++t)
            for (size_t w = 0; w < windows[t].size(); ++w)
                if (places[m][size_t(firstWindow[t]) + w].file < 0) {
                    if (++missingCount <= kMaxListedMissing)
                        missing << QStringLiteral("text \"%1\" window %2 (%3)")
                                       .arg(texts[t].id)
                                       .arg(w)
                                       .arg(matrix.llms[qsizetype(m)]);
                }
    if (missingCount > 0)
        return Error::badInput(QStringLiteral("%1 of %2 windows have no result, e.g. %3: are all "
                                              "result files given, and did every shard finish?")
                                   .arg(missingCount)
                                   .arg(qint64(windowCount) * qint64(models.size()))
                                   .arg(missing.join(QStringLiteral("; "))));
    counts.windows = qint64(windowCount) * qint64(models.size());

    matrix.values.resize(qsizetype(models.size()), qsizetype(texts.size()));
    for (size_t m = 0; m < models.size(); ++m)
        for (size_t t = 0; t < texts.size(); ++t) {
            const auto begin = sums[m].begin() + firstWindow[t];
            const std::vector<double> windowSums(begin, begin + qsizetype(windows[t].size()));
            matrix.values(qsizetype(m), qsizetype(t))
                = bpbFromWindowSums(windowSums, texts[t].text.toUtf8().size());
        }
    return matrix;
}

}  // namespace pcs
