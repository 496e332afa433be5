#include "ui/review/worddiff.h"

#include <QCoreApplication>
#include <QHash>

#include <algorithm>
#include <optional>

namespace pcs {

namespace {

using Kind = DiffSegment::Kind;

enum class TokenClass { Word, Space, Other };

TokenClass classOf(char32_t codePoint)
{
    if (codePoint == U'_' || QChar::isLetterOrNumber(codePoint) || QChar::isMark(codePoint))
        return TokenClass::Word;
    if (QChar::isSpace(codePoint))
        return TokenClass::Space;
    return TokenClass::Other;
}

QStringList splitLines(const QString &text)
{
    QStringList lines;
    qsizetype start = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] == QLatin1Char('\n')) {
            lines.append(text.mid(start, i + 1 - start));
            start = i + 1;
        }
    }
    if (start < text.size())
        lines.append(text.mid(start));
    return lines;
}

// Myers' greedy O(ND) shortest edit script of a → b, as one Kind per step in order (Equal steps
// consume one token of each side). nullopt when more than maxEdits insertions and deletions
// would be needed.
std::optional<std::vector<Kind>> shortestEditScript(const std::vector<int> &a,
                                                    const std::vector<int> &b, int maxEdits)
{
    const int n = int(a.size());
    const int m = int(b.size());
    const int limit = std::min(maxEdits, n + m);
    const int offset = limit + 1;
    std::vector<int> v(std::size_t(2 * limit + 3), 0);
    std::vector<std::vector<int>> trace;  // trace[d][k + d]: furthest x on diagonal k after d edits
    int edits = -1;
    for (int d = 0; d <= limit && edits < 0; ++d) {
        for (int k = -d; k <= d; k += 2) {
            int x = (k == -d || (k != d && v[k - 1 + offset] < v[k + 1 + offset]))
                ? v[k + 1 + offset]
                : v[k - 1 + offset] + 1;
            int y = x - k;
            while (x < n && y < m && a[std::size_t(x)] == b[std::size_t(y)]) {
                ++x;
                ++y;
            }
            v[k + offset] = x;
            if (x >= n && y >= m) {
                edits = d;
                break;
            }
        }
        trace.emplace_back(v.begin() + (offset - d), v.begin() + (offset + d + 1));
    }
    if (edits < 0)
        return std::nullopt;

    std::vector<Kind> steps;
    steps.reserve(std::size_t(n + m));
    int x = n;
    int y = m;
    for (int d = edits; d > 0; --d) {
        const std::vector<int> &previous = trace[std::size_t(d - 1)];
        const auto at = [&](int k) { return previous[std::size_t(k + d - 1)]; };
        const int k = x - y;
        const int previousK = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1;
        const int previousX = at(previousK);
        const int previousY = previousX - previousK;
        while (x > previousX && y > previousY) {
            steps.push_back(Kind::Equal);
            --x;
            --y;
        }
        steps.push_back(x == previousX ? Kind::Inserted : Kind::Deleted);
        x = previousX;
        y = previousY;
    }
    for (; x > 0; --x)
        steps.push_back(Kind::Equal);
    std::reverse(steps.begin(), steps.end());
    return steps;
}

// Adds `text` to the segments, merging it into the last one when it is of the same kind.
void append(std::vector<DiffSegment> &segments, Kind kind, const QString &text)
{
    if (text.isEmpty())
        return;
    if (!segments.empty() && segments.back().kind == kind)
        segments.back().text += text;
    else
        segments.push_back({ kind, text });
}

// Diffs two token lists; nullopt when they differ by more than limits.maxEdits tokens.
std::optional<std::vector<DiffSegment>> diffTokens(const QStringList &a, const QStringList &b,
                                                   int maxTokens, int maxEdits)
{
    // The common prefix and suffix cost nothing to find and are most of a typical revision.
    qsizetype prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
        ++prefix;
    qsizetype suffix = 0;
    while (suffix < a.size() - prefix && suffix < b.size() - prefix
           && a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
        ++suffix;
    const qsizetype aMiddle = a.size() - prefix - suffix;
    const qsizetype bMiddle = b.size() - prefix - suffix;
    if (aMiddle + bMiddle > maxTokens)
        return std::nullopt;

    // Tokens compared as ints: the inner loop of Myers runs on them.
    QHash<QString, int> ids;
    const auto stableIds = [&](const QStringList &tokens, qsizetype count) {
        std::vector<int> result;
        result.reserve(std::size_t(count));
        for (qsizetype i = prefix; i < prefix + count; ++i) {
            auto found = ids.constFind(tokens[i]);
            if (found == ids.constEnd())
                found = ids.insert(tokens[i], int(ids.size()));
            result.push_back(found.value());
        }
        return result;
    };
    const std::vector<int> aIds = stableIds(a, aMiddle);
    const std::vector<int> bIds = stableIds(b, bMiddle);
    const auto steps = shortestEditScript(aIds, bIds, maxEdits);
    if (!steps)
        return std::nullopt;

    std::vector<DiffSegment> segments;
    for (qsizetype i = 0; i < prefix; ++i)
        append(segments, Kind::Equal, a[i]);
    qsizetype ai = prefix;
    qsizetype bi = prefix;
    for (const Kind step : *steps) {
        switch (step) {
        case Kind::Equal:
            append(segments, Kind::Equal, a[ai++]);
            ++bi;
            break;
        case Kind::Deleted:
            append(segments, Kind::Deleted, a[ai++]);
            break;
        case Kind::Inserted:
            append(segments, Kind::Inserted, b[bi++]);
            break;
        }
    }
    for (qsizetype i = a.size() - suffix; i < a.size(); ++i)
        append(segments, Kind::Equal, a[i]);
    return segments;
}

bool isBlank(const QString &text)
{
    return std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c.isSpace(); });
}

// "old1 old2" → "new1 new2" diffs as -old1 +new1 = -old2 +new2: the shared space splits one
// change into many. A blank Equal run between two changes is folded into them, and each change
// is shown as all its deletions then all its insertions.
std::vector<DiffSegment> foldBlankRuns(const std::vector<DiffSegment> &segments)
{
    std::vector<DiffSegment> folded;
    QString deleted;
    QString inserted;
    bool inChange = false;
    const auto flush = [&] {
        append(folded, Kind::Deleted, deleted);
        append(folded, Kind::Inserted, inserted);
        deleted.clear();
        inserted.clear();
        inChange = false;
    };
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const DiffSegment &segment = segments[i];
        if (segment.kind == Kind::Deleted) {
            deleted += segment.text;
            inChange = true;
        } else if (segment.kind == Kind::Inserted) {
            inserted += segment.text;
            inChange = true;
        } else if (inChange && i + 1 < segments.size() && isBlank(segment.text)) {
            deleted += segment.text;
            inserted += segment.text;
        } else {
            flush();
            append(folded, Kind::Equal, segment.text);
        }
    }
    flush();
    return folded;
}

QString spanned(const QString &text, const char *style)
{
    return QStringLiteral("<span style=\"%1\">%2</span>")
        .arg(QLatin1String(style), text.toHtmlEscaped());
}

QString preWrapped(const QString &body)
{
    return QStringLiteral("<div style=\"white-space: pre-wrap;\">%1</div>").arg(body);
}

}  // namespace

QStringList WordDiff::tokenize(const QString &text)
{
    QStringList tokens;
    qsizetype start = 0;
    std::optional<TokenClass> current;
    qsizetype i = 0;
    while (i < text.size()) {
        char32_t codePoint = text[i].unicode();
        qsizetype width = 1;
        if (text[i].isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
            codePoint = QChar::surrogateToUcs4(text[i], text[i + 1]);
            width = 2;
        }
        const TokenClass tokenClass = classOf(codePoint);
        const bool continues = current && *current == tokenClass && tokenClass != TokenClass::Other;
        if (!continues && i > start) {
            tokens.append(text.mid(start, i - start));
            start = i;
        }
        current = tokenClass;
        i += width;
    }
    if (start < text.size())
        tokens.append(text.mid(start));
    return tokens;
}

WordDiff WordDiff::compute(const QString &original, const QString &revision)
{
    return compute(original, revision, Limits {});
}

WordDiff WordDiff::compute(const QString &original, const QString &revision, const Limits &limits)
{
    WordDiff diff;
    if (auto words = diffTokens(tokenize(original), tokenize(revision), limits.maxWordTokens,
                                limits.maxEdits)) {
        diff.segments = foldBlankRuns(*words);
        diff.granularity = Granularity::Words;
        return diff;
    }
    if (auto lines = diffTokens(splitLines(original), splitLines(revision), limits.maxLines,
                                limits.maxEdits)) {
        diff.segments = *lines;
        diff.granularity = Granularity::Lines;
        return diff;
    }
    append(diff.segments, Kind::Deleted, original);
    append(diff.segments, Kind::Inserted, revision);
    diff.granularity = Granularity::None;
    return diff;
}

QString WordDiff::original() const
{
    QString text;
    for (const DiffSegment &segment : segments)
        if (segment.kind != Kind::Inserted)
            text += segment.text;
    return text;
}

QString WordDiff::revision() const
{
    QString text;
    for (const DiffSegment &segment : segments)
        if (segment.kind != Kind::Deleted)
            text += segment.text;
    return text;
}

bool WordDiff::hasChanges() const
{
    return std::any_of(segments.cbegin(), segments.cend(),
                       [](const DiffSegment &segment) { return segment.kind != Kind::Equal; });
}

DiffHtml diffHtml(const WordDiff &diff, bool dark)
{
    const char *const deletedStyle = dark
        ? "background-color:#5c1f1f; color:#ffd6d6; text-decoration:line-through;"
        : "background-color:#f9d0d0; color:#8b0000; text-decoration:line-through;";
    const char *const insertedStyle = dark ? "background-color:#1f4d2a; color:#d4f7dc;"
                                           : "background-color:#c9efc9; color:#0b5d1e;";
    DiffHtml html;
    if (diff.granularity == WordDiff::Granularity::None) {
        // Marking everything as changed would say nothing: show both texts plainly.
        html.original = preWrapped(diff.original().toHtmlEscaped());
        html.revision = preWrapped(diff.revision().toHtmlEscaped());
        html.note = QCoreApplication::translate("pcs::WordDiff",
                                                "The texts are too long or too different to "
                                                "compare word by word.");
        return html;
    }
    QString original;
    QString revision;
    for (const DiffSegment &segment : diff.segments) {
        switch (segment.kind) {
        case Kind::Equal:
            original += segment.text.toHtmlEscaped();
            revision += segment.text.toHtmlEscaped();
            break;
        case Kind::Deleted:
            original += spanned(segment.text, deletedStyle);
            break;
        case Kind::Inserted:
            revision += spanned(segment.text, insertedStyle);
            break;
        }
    }
    html.original = preWrapped(original);
    html.revision = preWrapped(revision);
    if (diff.granularity == WordDiff::Granularity::Lines)
        html.note = QCoreApplication::translate("pcs::WordDiff",
                                                "Too many changes to compare word by word: "
                                                "compared line by line.");
    return html;
}

DiffHtml diffHtml(const QString &original, const QString &revision, bool dark)
{
    return diffHtml(WordDiff::compute(original, revision), dark);
}

}  // namespace pcs
