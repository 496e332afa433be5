#pragma once

#include <QCoreApplication>
#include <QLocale>
#include <QString>

namespace pcs {

struct ImportSummary;
struct ReviewRunSummary;

// What the Review stage says about its work, formatted here (the UI), from the typed results
// the core hands back.
namespace reviewtext {

// "Imported 30 new items, 2 already in the queue, 1 malformed lines skipped (first: …)"
QString importSummary(const ImportSummary &summary);
// "Run finished: 30 assessed, 2 failed in 4.1 s" / "Run canceled after …"
QString runSummary(const ReviewRunSummary &summary);
// "12 of 30 done · 3.1 requests/s · 100 prompt + 20 completion tokens · 0 errors"
QString runProgress(qint64 done, qint64 total, double requestsPerSecond, qint64 promptTokens,
                    qint64 completionTokens, qint64 errors);

// "<b>Reviewed 3 of 30</b> · keep 10 · revise 5 · filter 4 · pending 11 · errors 0", from the
// session's counts (any struct with these members: the queue's counts by state and decision).
template<typename Counts> QString progressLine(const Counts &counts)
{
    const QLocale locale;
    return QCoreApplication::translate("pcs::reviewtext",
                                       "Reviewed %1 of %2 · keep %3 · revise "
                                       "%4 · filter %5 · pending %6 · errors %7")
        .arg(locale.toString(counts.humanDecided), locale.toString(counts.total),
             locale.toString(counts.keep), locale.toString(counts.revise),
             locale.toString(counts.filter), locale.toString(counts.pending),
             locale.toString(counts.errors));
}

}  // namespace reviewtext

}  // namespace pcs
