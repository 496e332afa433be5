#include "core/review/serverreply.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <cmath>

namespace pcs {

namespace {

// A JSON scalar as text: strings as they are, integral numbers without a fraction (vLLM's
// "code": 400), nothing for null, objects and arrays.
QString scalarText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble()) {
        const double number = value.toDouble();
        return std::floor(number) == number && std::abs(number) < 1e15
            ? QString::number(qint64(number))
            : QString::number(number);
    }
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return {};
}

void readFields(ServerError &parsed, const QJsonObject &from)
{
    const QJsonValue message = from.value(QLatin1String("message"));
    parsed.message = message.isString()
        ? message.toString()
        : QString::fromUtf8(QJsonDocument(QJsonArray { message }).toJson(QJsonDocument::Compact))
              .mid(1)
              .chopped(1);
    if (message.isUndefined() || message.isNull())
        parsed.message.clear();
    parsed.type = scalarText(from.value(QLatin1String("type")));
    parsed.code = scalarText(from.value(QLatin1String("code")));
    parsed.param = scalarText(from.value(QLatin1String("param")));
}

// FastAPI's own validation answer: {"detail": "..."} or {"detail": [{"loc": ["body", "x"],
// "msg": "...", "type": "extra_forbidden"}, ...]}.
void readDetail(ServerError &parsed, const QJsonValue &detail)
{
    if (detail.isString()) {
        parsed.message = detail.toString();
        return;
    }
    QStringList parts;
    for (const QJsonValue &entry : detail.toArray()) {
        const QJsonObject object = entry.toObject();
        QStringList location;
        for (const QJsonValue &step : object.value(QLatin1String("loc")).toArray())
            location << scalarText(step);
        if (location.size() >= 2 && location.first() == QLatin1String("body")
            && parsed.param.isEmpty())
            parsed.param = location.at(1);
        parts << QStringLiteral("%1: %2 (%3)")
                     .arg(location.join(QLatin1Char('.')),
                          object.value(QLatin1String("msg")).toString(),
                          object.value(QLatin1String("type")).toString());
    }
    parsed.message = parts.join(QStringLiteral("; "));
}

}  // namespace

ServerError parseServerError(const QByteArray &body)
{
    ServerError parsed;
    const QJsonDocument document = QJsonDocument::fromJson(body);
    if (!document.isObject()) {
        parsed.message = QString::fromUtf8(body.left(300)).simplified();
        return parsed;
    }
    const QJsonObject object = document.object();
    QJsonValue error = object.value(QLatin1String("error"));
    // Unwrap {"error": {"error": {...}}} (a vLLM error object put inside another one).
    for (int depth = 0; depth < 4 && error.isObject(); ++depth) {
        const QJsonObject inner = error.toObject();
        const QJsonValue nested = inner.value(QLatin1String("error"));
        if (inner.contains(QLatin1String("message")) || !(nested.isObject() || nested.isString()))
            break;
        error = nested;
    }
    if (error.isObject()) {
        readFields(parsed, error.toObject());
    } else if (error.isString()) {
        readFields(parsed, object);
        parsed.message = error.toString();
    } else if (object.contains(QLatin1String("message"))) {
        readFields(parsed, object);  // vLLM before 0.10.1: the error object is the body
    } else if (object.contains(QLatin1String("detail"))) {
        readDetail(parsed, object.value(QLatin1String("detail")));
    }
    if (parsed.message.isEmpty() && !object.isEmpty())
        parsed.message
            = QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact).left(300));
    return parsed;
}

std::optional<qint64> parseDurationMs(const QByteArray &raw)
{
    const QByteArray text = raw.trimmed();
    if (text.isEmpty())
        return std::nullopt;
    bool plain = false;
    const double seconds = text.toDouble(&plain);
    if (plain)
        return seconds >= 0 && std::isfinite(seconds)
            ? std::optional(qint64(std::ceil(seconds * 1000)))
            : std::nullopt;
    double totalMs = 0;
    qsizetype i = 0;
    while (i < text.size()) {
        const qsizetype numberStart = i;
        while (i < text.size() && (std::isdigit(uchar(text[i])) || text[i] == '.'))
            ++i;
        if (i == numberStart)
            return std::nullopt;
        bool ok = false;
        const double value = text.mid(numberStart, i - numberStart).toDouble(&ok);
        if (!ok)
            return std::nullopt;
        const qsizetype unitStart = i;
        while (i < text.size() && !std::isdigit(uchar(text[i])) && text[i] != '.')
            ++i;
        const QByteArray unit = text.mid(unitStart, i - unitStart);
        if (unit == "h")
            totalMs += value * 3600000;
        else if (unit == "m")
            totalMs += value * 60000;
        else if (unit == "s")
            totalMs += value * 1000;
        else if (unit == "ms")
            totalMs += value;
        else if (unit == "us" || unit == "\xc2\xb5s")
            totalMs += value / 1000;
        else if (unit == "ns")
            totalMs += value / 1e6;
        else
            return std::nullopt;
    }
    if (!std::isfinite(totalMs))
        return std::nullopt;
    return qint64(std::ceil(totalMs));
}

std::optional<qint64> retryAfterHintMs(const HeaderLookup &header)
{
    bool ok = false;
    const QByteArray milliseconds = header("retry-after-ms").trimmed();
    if (!milliseconds.isEmpty()) {
        const double value = milliseconds.toDouble(&ok);
        if (ok && value >= 0 && std::isfinite(value))
            return qint64(std::ceil(value));
    }
    const QByteArray retryAfter = header("retry-after").trimmed();
    if (retryAfter.isEmpty())
        return std::nullopt;
    const double seconds = retryAfter.toDouble(&ok);
    if (ok && seconds >= 0 && std::isfinite(seconds))
        return qint64(std::ceil(seconds * 1000));
    // An HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT"); Qt 6.4's RFC 2822 parser wants "+0000".
    QString date = QString::fromLatin1(retryAfter);
    if (date.endsWith(QLatin1String(" GMT")) || date.endsWith(QLatin1String(" UTC")))
        date = date.chopped(4) + QStringLiteral(" +0000");
    const QDateTime when = QDateTime::fromString(date, Qt::RFC2822Date);
    if (when.isValid())
        return std::max<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(when));
    return std::nullopt;
}

std::optional<qint64> RateLimitHeaders::waitForExhaustedMs() const
{
    std::optional<qint64> wait;
    if (remainingRequests && *remainingRequests <= 0 && resetRequestsMs)
        wait = *resetRequestsMs;
    if (remainingTokens && *remainingTokens <= 0 && resetTokensMs)
        wait = std::max(wait.value_or(0), *resetTokensMs);
    return wait;
}

RateLimitHeaders readRateLimitHeaders(const HeaderLookup &header)
{
    const auto count = [&header](const QByteArray &name) -> std::optional<qint64> {
        bool ok = false;
        const qint64 value = header(name).trimmed().toLongLong(&ok);
        return ok ? std::optional(value) : std::nullopt;
    };
    RateLimitHeaders limits;
    limits.remainingRequests = count("x-ratelimit-remaining-requests");
    limits.remainingTokens = count("x-ratelimit-remaining-tokens");
    limits.resetRequestsMs = parseDurationMs(header("x-ratelimit-reset-requests"));
    limits.resetTokensMs = parseDurationMs(header("x-ratelimit-reset-tokens"));
    return limits;
}

std::optional<qint64> messageRetryHintMs(const QString &message)
{
    static const QRegularExpression tryAgain(
        QStringLiteral(R"(try again in\s+((?:\d+(?:\.\d+)?(?:ms|h|m|s))+))"),
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch match = tryAgain.match(message);
    return match.hasMatch() ? parseDurationMs(match.captured(1).toLatin1()) : std::nullopt;
}

bool isRequestTooLarge(const QString &message)
{
    if (message.contains(QLatin1String("request too large"), Qt::CaseInsensitive))
        return true;
    static const QRegularExpression limitRequested(
        QStringLiteral(R"(limit\s+([\d,]+)\s*,\s*requested\s+([\d,]+))"),
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch match = limitRequested.match(message);
    if (!match.hasMatch())
        return false;
    const qint64 limit = match.captured(1).remove(QLatin1Char(',')).toLongLong();
    const qint64 requested = match.captured(2).remove(QLatin1Char(',')).toLongLong();
    return requested > limit;
}

}  // namespace pcs
