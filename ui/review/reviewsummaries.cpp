#include "ui/review/reviewsummaries.h"

#include "core/review/queuestore.h"
#include "core/review/reviewrunner.h"

namespace pcs::reviewtext {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("pcs::reviewtext", text);
}

}  // namespace

QString importSummary(const ImportSummary &summary)
{
    const QLocale locale;
    QString text = tr("Imported %1 new items").arg(locale.toString(summary.imported));
    if (summary.duplicates)
        text += tr(", %1 already in the queue").arg(locale.toString(summary.duplicates));
    if (summary.malformed)
        text += tr(", %1 malformed lines skipped (first: %2)")
                    .arg(locale.toString(summary.malformed), summary.problems.value(0));
    return text;
}

QString runSummary(const ReviewRunSummary &summary)
{
    const QLocale locale;
    QString text = summary.canceled ? tr("Run canceled after %1 assessed; the rest stays "
                                         "pending for the next run")
                                    : tr("Run finished: %1 assessed");
    text = text.arg(locale.toString(summary.assessed));
    if (summary.errors)
        text += tr(", %1 failed").arg(locale.toString(summary.errors));
    return text + tr(" in %1 s").arg(locale.toString(summary.seconds, 'f', 1));
}

QString runProgress(qint64 done, qint64 total, double requestsPerSecond, qint64 promptTokens,
                    qint64 completionTokens, qint64 errors)
{
    const QLocale locale;
    return tr("%1 of %2 done · %3 requests/s · %4 prompt + %5 completion tokens · %6 errors")
        .arg(locale.toString(done), locale.toString(total),
             locale.toString(requestsPerSecond, 'f', 1), locale.toString(promptTokens),
             locale.toString(completionTokens), locale.toString(errors));
}

}  // namespace pcs::reviewtext
