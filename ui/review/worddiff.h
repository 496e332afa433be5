#pragma once

#include <QString>
#include <QStringList>

#include <vector>

namespace pcs {

// One run of a diff: text both sides share, text only the original has, or text only the
// revision has. Concatenating the Equal and Deleted runs gives the original back exactly, the
// Equal and Inserted runs the revision.
struct DiffSegment {
    enum class Kind { Equal, Deleted, Inserted };
    Kind kind = Kind::Equal;
    QString text;
    bool operator==(const DiffSegment &other) const
    {
        return kind == other.kind && text == other.text;
    }
};

// A word-level diff of two texts (Myers' O(ND) algorithm over tokens). Bounded so that it never
// hangs the GUI: when the texts differ in too many tokens it diffs whole lines instead, and when
// even that is too much it gives up (Granularity::None: the whole original deleted, the whole
// revision inserted).
struct WordDiff {
    enum class Granularity { Words, Lines, None };

    struct Limits {
        // Tokens on both sides (after the common prefix and suffix) for a word diff; more goes
        // straight to the line diff.
        int maxWordTokens = 100000;
        // Edit distance in tokens before a diff is abandoned. The trace costs ~D² ints (25 MB
        // at 2,500) and the time O((N+M)·D).
        int maxEdits = 2500;
        int maxLines = 100000;
    };

    std::vector<DiffSegment> segments;
    Granularity granularity = Granularity::Words;

    static WordDiff compute(const QString &original, const QString &revision);
    static WordDiff compute(const QString &original, const QString &revision, const Limits &limits);

    // Runs of word characters (letters, digits, marks, '_'), runs of whitespace, and every other
    // character on its own (a surrogate pair stays whole). Joined, the tokens are the text.
    static QStringList tokenize(const QString &text);

    QString original() const;  // Equal + Deleted
    QString revision() const;  // Equal + Inserted
    bool hasChanges() const;
};

// The two sides of a diff as HTML fragments for a QTextBrowser: the original with its deletions
// struck through in red, the revision with its insertions in green. Every text is HTML-escaped
// and whitespace is kept (pre-wrap). When the texts were too long to diff, both sides are
// plain and `note` says so.
struct DiffHtml {
    QString original;
    QString revision;
    QString note;  // empty unless the diff was coarse or abandoned
};

// `dark`: colours for a dark palette (deep red/green backgrounds with light text).
DiffHtml diffHtml(const WordDiff &diff, bool dark = false);
DiffHtml diffHtml(const QString &original, const QString &revision, bool dark = false);

}  // namespace pcs
