// The one name table of ResponseError (queueitem.h).
#include "core/review/queueitem.h"

namespace pcs {

QString responseErrorName(ResponseError error)
{
    switch (error) {
    case ResponseError::ApiError:
        return QStringLiteral("api_error");
    case ResponseError::NoChoices:
        return QStringLiteral("no_choices");
    case ResponseError::Refusal:
        return QStringLiteral("refusal");
    case ResponseError::Truncated:
        return QStringLiteral("truncated");
    case ResponseError::ContentFilter:
        return QStringLiteral("content_filter");
    case ResponseError::InvalidJson:
        return QStringLiteral("invalid_json");
    case ResponseError::MissingScore:
        return QStringLiteral("missing_score");
    case ResponseError::OutOfRange:
        return QStringLiteral("out_of_range");
    case ResponseError::EmptyReasoning:
        return QStringLiteral("empty_reasoning");
    case ResponseError::EmptyRevisedText:
        return QStringLiteral("empty_revised_text");
    case ResponseError::InvalidLogprobs:
        return QStringLiteral("invalid_logprobs");
    case ResponseError::NoScore:
        return QStringLiteral("no_score");
    case ResponseError::RequestFailed:
        return QStringLiteral("request_failed");
    case ResponseError::MalformedResult:
        return QStringLiteral("malformed_result");
    case ResponseError::InvalidScore:
        return QStringLiteral("invalid_score");
    }
    return {};
}

std::optional<ResponseError> responseErrorFromName(const QString &name)
{
    if (name.isEmpty())
        return std::nullopt;
    for (int value = 0; value < kResponseErrorCount; ++value)
        if (name == responseErrorName(ResponseError(value)))
            return ResponseError(value);
    return std::nullopt;
}

}  // namespace pcs
