#include "core/review/criteria.h"

#include "core/io/atomicwrite.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>

#include <cmath>

namespace pcs {

namespace {

// 1-based line and column of a byte offset, for locating JSON syntax errors.
std::pair<qint64, qint64> lineAndColumn(const QByteArray &data, qint64 offset)
{
    qint64 line = 1;
    qint64 column = 1;
    const qint64 end = std::min<qint64>(offset, data.size());
    for (qint64 i = 0; i < end; ++i) {
        if (data.at(i) == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return { line, column };
}

bool isIntegerInRange(const QJsonValue &value, int lowest, int highest)
{
    if (!value.isDouble())
        return false;
    const double number = value.toDouble();
    return std::isfinite(number) && std::floor(number) == number && number >= lowest
        && number <= highest;
}

// Field errors carry the JSON path in the reason; a line is not known after parsing.
Error fieldError(const QString &file, const QString &path, const QString &problem)
{
    return Error::badInput(path + QLatin1Char(' ') + problem, file);
}

Status rejectUnknownKeys(const QJsonObject &object, const QSet<QString> &known, const QString &file,
                         const QString &pathPrefix)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key())) {
            QStringList expected(known.begin(), known.end());
            expected.sort();  // a stable message, whatever the set's order
            return fieldError(file, pathPrefix + it.key(),
                              QStringLiteral("is not a known key (expected one of: %1)")
                                  .arg(expected.join(u", ")));
        }
    }
    return Done {};
}

Result<QString> requiredText(const QJsonObject &object, const QString &key, const QString &file,
                             const QString &path, bool mayBeEmpty)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined())
        return fieldError(file, path, QStringLiteral("is missing"));
    if (!value.isString())
        return fieldError(file, path, QStringLiteral("must be a string"));
    if (!mayBeEmpty && value.toString().trimmed().isEmpty())
        return fieldError(file, path, QStringLiteral("must not be empty"));
    return value.toString();
}

Result<FewShotExample> exampleFromJson(const QJsonValue &value, const QString &file,
                                       const QString &path)
{
    if (!value.isObject())
        return fieldError(file, path, QStringLiteral("must be an object"));
    const QJsonObject object = value.toObject();
    const QString prefix = path + QLatin1Char('.');
    if (Status known = rejectUnknownKeys(
            object,
            { QStringLiteral("text"), QStringLiteral("score"), QStringLiteral("reasoning") }, file,
            prefix);
        !known)
        return known.error();
    FewShotExample example;
    Result<QString> text = requiredText(object, QStringLiteral("text"), file,
                                        prefix + QStringLiteral("text"), false);
    if (!text)
        return text.error();
    example.text = *text;
    const QJsonValue score = object.value(QStringLiteral("score"));
    if (score.isUndefined())
        return fieldError(file, prefix + QStringLiteral("score"), QStringLiteral("is missing"));
    if (!isIntegerInRange(score, 0, 100))
        return fieldError(file, prefix + QStringLiteral("score"),
                          QStringLiteral("must be an integer 0–100"));
    example.score = score.toInt();
    Result<QString> reasoning = requiredText(object, QStringLiteral("reasoning"), file,
                                             prefix + QStringLiteral("reasoning"), false);
    if (!reasoning)
        return reasoning.error();
    example.reasoning = *reasoning;
    return example;
}

}  // namespace

Result<QJsonObject> parseJsonObject(const QByteArray &json, const QString &sourceName)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const auto [line, column] = lineAndColumn(json, parseError.offset);
        return Error::badInput(QStringLiteral("invalid JSON: %1").arg(parseError.errorString()),
                               sourceName, line, column);
    }
    if (!document.isObject())
        return Error::badInput(QStringLiteral("the top level must be a JSON object"), sourceName);
    return document.object();
}

Result<QJsonObject> readJsonObjectFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::badInput(QStringLiteral("cannot read: %1").arg(file.errorString()), path);
    return parseJsonObject(file.readAll(), path);
}

Result<Criteria> Criteria::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::badInput(QStringLiteral("cannot read: %1").arg(file.errorString()), path);
    return fromJson(file.readAll(), path);
}

Result<Criteria> Criteria::fromJson(const QByteArray &json, const QString &sourceName)
{
    Result<QJsonObject> parsed = parseJsonObject(json, sourceName);
    if (!parsed)
        return parsed.error();
    const QJsonObject &object = *parsed;
    if (Status known
        = rejectUnknownKeys(object,
                            { QStringLiteral("name"), QStringLiteral("principles"),
                              QStringLiteral("examples"), QStringLiteral("revision_guidance") },
                            sourceName, {});
        !known)
        return known.error();

    Criteria criteria;
    Result<QString> name
        = requiredText(object, QStringLiteral("name"), sourceName, QStringLiteral("name"), false);
    if (!name)
        return name.error();
    criteria.name = *name;
    Result<QString> principles = requiredText(object, QStringLiteral("principles"), sourceName,
                                              QStringLiteral("principles"), false);
    if (!principles)
        return principles.error();
    criteria.principles = *principles;

    const QJsonValue examples = object.value(QStringLiteral("examples"));
    if (!examples.isUndefined()) {
        if (!examples.isArray())
            return fieldError(sourceName, QStringLiteral("examples"),
                              QStringLiteral("must be an array"));
        const QJsonArray array = examples.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            Result<FewShotExample> example
                = exampleFromJson(array.at(i), sourceName, QStringLiteral("examples[%1]").arg(i));
            if (!example)
                return example.error();
            criteria.examples.append(*example);
        }
    }

    // Optional: the principles alone already say what conforming means.
    if (object.contains(QStringLiteral("revision_guidance"))) {
        Result<QString> guidance
            = requiredText(object, QStringLiteral("revision_guidance"), sourceName,
                           QStringLiteral("revision_guidance"), true);
        if (!guidance)
            return guidance.error();
        criteria.revisionGuidance = *guidance;
    }
    return criteria;
}

QJsonObject Criteria::toJson() const
{
    QJsonArray exampleArray;
    for (const FewShotExample &example : examples) {
        exampleArray.append(QJsonObject { { QStringLiteral("text"), example.text },
                                          { QStringLiteral("score"), example.score },
                                          { QStringLiteral("reasoning"), example.reasoning } });
    }
    QJsonObject object { { QStringLiteral("name"), name },
                         { QStringLiteral("principles"), principles },
                         { QStringLiteral("examples"), exampleArray } };
    if (!revisionGuidance.isEmpty())
        object.insert(QStringLiteral("revision_guidance"), revisionGuidance);
    return object;
}

Status Criteria::save(const QString &path) const
{
    return writeAtomically(path, QJsonDocument(toJson()).toJson(QJsonDocument::Indented));
}

}  // namespace pcs
