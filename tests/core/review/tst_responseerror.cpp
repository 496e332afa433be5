// ResponseError: one name table, the names the queue has always stored, unknown names handled,
// and a queue's stored codes read back as the enum (or as no ResponseError for the client's own).
#include "core/review/assessment.h"
#include "core/review/queueitem.h"
#include "core/review/queuestore.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using namespace pcs;

class TestResponseError : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyValueRoundTrips()
    {
        std::set<QString> names;
        for (int value = 0; value < kResponseErrorCount; ++value) {
            const auto error = ResponseError(value);
            const QString name = responseErrorName(error);
            QVERIFY2(!name.isEmpty(), qPrintable(QString::number(value)));
            QCOMPARE(responseErrorFromName(name), std::optional(error));
            QCOMPARE(responseErrorText(error), name);
            names.insert(name);
        }
        QCOMPARE(int(names.size()), kResponseErrorCount);  // no two values share a name
        QCOMPARE(responseErrorText(std::nullopt), QString());
    }

    // The stored text is what earlier versions wrote: existing queues read unchanged.
    void theStoredNamesStay()
    {
        const std::pair<ResponseError, const char *> stored[] {
            { ResponseError::ApiError, "api_error" },
            { ResponseError::NoChoices, "no_choices" },
            { ResponseError::Refusal, "refusal" },
            { ResponseError::Truncated, "truncated" },
            { ResponseError::ContentFilter, "content_filter" },
            { ResponseError::InvalidJson, "invalid_json" },
            { ResponseError::MissingScore, "missing_score" },
            { ResponseError::OutOfRange, "out_of_range" },
            { ResponseError::EmptyReasoning, "empty_reasoning" },
            { ResponseError::EmptyRevisedText, "empty_revised_text" },
            { ResponseError::InvalidLogprobs, "invalid_logprobs" },
            { ResponseError::NoScore, "no_score" },
            { ResponseError::RequestFailed, "request_failed" },
            { ResponseError::MalformedResult, "malformed_result" },
            { ResponseError::InvalidScore, "invalid_score" },
        };
        QCOMPARE(int(std::size(stored)), kResponseErrorCount);
        for (const auto &[error, name] : stored)
            QCOMPARE(responseErrorName(error), QLatin1String(name));
    }

    void unknownNamesAreNone()
    {
        for (const char *name : { "", "Refusal", " refusal", "refusal ", "http_503", "timeout",
                                  "length", "a_code_from_a_newer_version" })
            QCOMPARE(responseErrorFromName(QLatin1String(name)), std::optional<ResponseError>());
    }

    // Codes as a queue stores them: a ResponseError's name reads back as it, the client's own
    // code and an unknown one as none, their text untouched.
    void storedCodesReadBack()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString jsonl = dir.filePath(QStringLiteral("in.jsonl"));
        QFile file(jsonl);
        QVERIFY(file.open(QIODevice::WriteOnly));
        for (int i = 0; i < 3; ++i)
            file.write(QByteArray("{\"text\":\"t") + QByteArray::number(i) + "\"}\n");
        file.close();
        auto store = QueueStore::open(dir.filePath(QStringLiteral("q.sqlite")));
        QVERIFY(store);
        QVERIFY((*store)->importJsonl(jsonl, QStringLiteral("text")));
        const std::pair<qint64, QString> codes[] {
            { 1, responseErrorName(ResponseError::Refusal) },
            { 2, QStringLiteral("http_503") },
            { 3, QStringLiteral("some_future_code") },
        };
        for (const auto &[id, code] : codes)
            QVERIFY((*store)->recordError(id, code, QStringLiteral("why"), 1));
        const auto refused = (*store)->item(1);
        QVERIFY(refused);
        QCOMPARE(refused->errorCode, QStringLiteral("refusal"));
        QCOMPARE(refused->responseError(), std::optional(ResponseError::Refusal));
        for (qint64 id : { 2, 3 }) {
            const auto item = (*store)->item(id);
            QVERIFY(item);
            QCOMPARE(item->state, ItemState::Error);
            QCOMPARE(item->responseError(), std::optional<ResponseError>());
            QCOMPARE(item->errorCode, codes[id - 1].second);
        }
    }

    // The parser's enum becomes the stored name only at the boundary: a refusal stays "refusal".
    void aParsedErrorHasItsStoredName()
    {
        const QJsonObject refusal {
            { QStringLiteral("choices"),
              QJsonArray { QJsonObject {
                  { QStringLiteral("finish_reason"), QStringLiteral("stop") },
                  { QStringLiteral("message"),
                    QJsonObject { { QStringLiteral("refusal"), QStringLiteral("No.") } } } } } }
        };
        const Assessment assessment = parseAssessmentResponse(refusal);
        QCOMPARE(assessment.errorCode, std::optional(ResponseError::Refusal));
        QCOMPARE(responseErrorText(assessment.errorCode), QStringLiteral("refusal"));
    }
};

QTEST_MAIN(TestResponseError)
#include "tst_responseerror.moc"
