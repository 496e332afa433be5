#include "ui/review/worddiff.h"

#include <QElapsedTimer>
#include <QTest>

#include <random>

using pcs::DiffHtml;
using pcs::DiffSegment;
using pcs::WordDiff;
using Kind = DiffSegment::Kind;

namespace {

QString describe(const std::vector<DiffSegment> &segments)
{
    QStringList parts;
    for (const DiffSegment &segment : segments) {
        const char *mark = segment.kind == Kind::Equal ? "="
            : segment.kind == Kind::Deleted            ? "-"
                                                       : "+";
        parts << QString::fromLatin1(mark) + QLatin1Char('[') + segment.text + QLatin1Char(']');
    }
    return parts.join(QLatin1Char(' '));
}

// Random texts from a small vocabulary, so that the two sides share many tokens.
QString randomText(std::mt19937 &rng, int maxTokens)
{
    static const char *const pieces[]
        = { "the", "cat", "sat", "on",   "mat", " ",    " ",   "  ", "\n",
            ",",   ".",   "é",   "日本", "x_1", "🙂", "<b>", "&" };
    std::uniform_int_distribution<int> count(0, maxTokens);
    std::uniform_int_distribution<int> piece(0, int(std::size(pieces)) - 1);
    QString text;
    for (int i = count(rng); i > 0; --i)
        text += QString::fromUtf8(pieces[piece(rng)]);
    return text;
}

// A copy of `text` with a few tokens dropped, replaced or added.
QString mutated(std::mt19937 &rng, const QString &text)
{
    QStringList tokens = WordDiff::tokenize(text);
    std::uniform_int_distribution<int> edits(0, 6);
    for (int i = edits(rng); i > 0; --i) {
        const int at = tokens.isEmpty() ? 0 : int(rng() % tokens.size());
        switch (rng() % 3) {
        case 0:
            if (!tokens.isEmpty())
                tokens.removeAt(at);
            break;
        case 1:
            if (!tokens.isEmpty())
                tokens[at] = QStringLiteral("dog");
            break;
        default:
            tokens.insert(at, QStringLiteral(" new"));
            break;
        }
    }
    return tokens.join(QString());
}

}  // namespace

class TestWordDiff : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void darkPaletteColours()
    {
        const pcs::DiffHtml light
            = pcs::diffHtml(QStringLiteral("a quick fox"), QStringLiteral("a slow fox"));
        const pcs::DiffHtml dark
            = pcs::diffHtml(QStringLiteral("a quick fox"), QStringLiteral("a slow fox"), true);
        QVERIFY(light.revision.contains(QStringLiteral("#c9efc9")));
        QVERIFY(dark.revision.contains(QStringLiteral("#1f4d2a")));
        QVERIFY(dark.original.contains(QStringLiteral("#5c1f1f")));
        QVERIFY(!dark.revision.contains(QStringLiteral("#c9efc9")));
    }

    void tokenizeKeepsEverything()
    {
        const QString text
            = QStringLiteral("Hello,  world!\nIt's 2024 \u2014 caf\u00e9 x_1 🙂🙂");
        const QStringList tokens = WordDiff::tokenize(text);
        QCOMPARE(tokens.join(QString()), text);
        QCOMPARE(tokens.mid(0, 5), (QStringList { "Hello", ",", "  ", "world", "!" }));
        QVERIFY(tokens.contains(QStringLiteral("caf\u00e9")));
        QVERIFY(tokens.contains(QStringLiteral("x_1")));
        QVERIFY(tokens.contains(QStringLiteral("🙂")));  // a surrogate pair stays whole
        QVERIFY(WordDiff::tokenize(QString()).isEmpty());
    }

    void handWorkedCases_data()
    {
        QTest::addColumn<QString>("original");
        QTest::addColumn<QString>("revision");
        QTest::addColumn<QString>("expected");
        QTest::newRow("identical") << "a b c"
                                   << "a b c"
                                   << "=[a b c]";
        QTest::newRow("both empty") << ""
                                    << ""
                                    << "";
        QTest::newRow("all inserted") << ""
                                      << "new text"
                                      << "+[new text]";
        QTest::newRow("all deleted") << "old text"
                                     << ""
                                     << "-[old text]";
        QTest::newRow("one word replaced") << "the cat sat"
                                           << "the dog sat"
                                           << "=[the ] -[cat] +[dog] =[ sat]";
        QTest::newRow("word inserted") << "the cat sat"
                                       << "the black cat sat"
                                       << "=[the ] +[black ] =[cat sat]";
        QTest::newRow("word deleted") << "the black cat sat"
                                      << "the cat sat"
                                      << "=[the ] -[black ] =[cat sat]";
        QTest::newRow("punctuation") << "Hello world."
                                     << "Hello, world!"
                                     << "=[Hello] +[,] =[ world] -[.] +[!]";
        // Two neighbouring words replaced: one change, not two split by the shared space.
        QTest::newRow("phrase replaced") << "a quick brown fox"
                                         << "a slow red fox"
                                         << "=[a ] -[quick brown] +[slow red] =[ fox]";
        QTest::newRow("line break kept") << "one\ntwo"
                                         << "one\nthree"
                                         << "=[one\n] -[two] +[three]";
    }

    void handWorkedCases()
    {
        QFETCH(QString, original);
        QFETCH(QString, revision);
        QFETCH(QString, expected);
        const WordDiff diff = WordDiff::compute(original, revision);
        QCOMPARE(diff.granularity, WordDiff::Granularity::Words);
        QCOMPARE(describe(diff.segments), expected);
        QCOMPARE(diff.hasChanges(), original != revision);
    }

    void reassemblesRandomTexts()
    {
        std::mt19937 rng(7);
        for (int round = 0; round < 3000; ++round) {
            const QString original = randomText(rng, 40);
            const QString revision = round % 2 ? randomText(rng, 40) : mutated(rng, original);
            const WordDiff diff = WordDiff::compute(original, revision);
            QCOMPARE(diff.original(), original);
            QCOMPARE(diff.revision(), revision);
            // Merged: never two neighbours of the same kind, never an empty segment.
            for (std::size_t i = 0; i < diff.segments.size(); ++i) {
                QVERIFY(!diff.segments[i].text.isEmpty());
                if (i > 0)
                    QVERIFY(diff.segments[i].kind != diff.segments[i - 1].kind);
            }
        }
    }

    void minimalForSmallEdits()
    {
        // Myers finds the shortest script: one replaced token costs one deletion + insertion.
        std::mt19937 rng(3);
        QString original;
        for (int i = 0; i < 300; ++i)
            original += QStringLiteral("w%1 ").arg(rng() % 1000);
        QStringList tokens = WordDiff::tokenize(original);
        tokens[101] = QStringLiteral("CHANGED");
        const WordDiff diff = WordDiff::compute(original, tokens.join(QString()));
        int changed = 0;
        for (const DiffSegment &segment : diff.segments)
            if (segment.kind != Kind::Equal)
                ++changed;
        QCOMPARE(changed, 2);
    }

    void fallsBackToLinesThenGivesUp()
    {
        WordDiff::Limits limits;
        limits.maxEdits = 10;
        const QString original = QStringLiteral("a b c d e f g h i j k l\nsame line\n");
        const QString revision = QStringLiteral("m n o p q r s t u v w x\nsame line\n");
        const WordDiff lines = WordDiff::compute(original, revision, limits);
        QCOMPARE(lines.granularity, WordDiff::Granularity::Lines);
        QCOMPARE(describe(lines.segments),
                 QStringLiteral("-[a b c d e f g h i j k l\n] +[m n o p q r s t u v w x\n] "
                                "=[same line\n]"));

        limits.maxEdits = 1;
        const WordDiff none = WordDiff::compute(original, revision, limits);
        QCOMPARE(none.granularity, WordDiff::Granularity::None);
        QCOMPARE(none.original(), original);
        QCOMPARE(none.revision(), revision);
        QVERIFY(!pcs::diffHtml(none).note.isEmpty());
    }

    void longDifferentTextsReturnQuickly()
    {
        // Two unrelated 200,000-word texts: the word diff must give up early, not hang.
        std::mt19937 rng(11);
        QString original;
        QString revision;
        for (int i = 0; i < 200000; ++i) {
            original += QStringLiteral("a%1 ").arg(rng() % 50000);
            revision += QStringLiteral("b%1 ").arg(rng() % 50000);
            if (i % 15 == 14) {
                original += QLatin1Char('\n');
                revision += QLatin1Char('\n');
            }
        }
        QElapsedTimer timer;
        timer.start();
        const WordDiff diff = WordDiff::compute(original, revision);
        const qint64 elapsed = timer.elapsed();
        qInfo("200k unrelated words each: %lld ms, granularity %d", elapsed, int(diff.granularity));
        QVERIFY(elapsed < 5000);
        QCOMPARE(diff.original(), original);
        QCOMPARE(diff.revision(), revision);

        // A long text with a few edits still diffs by words (prefix/suffix are free).
        QString edited = original;
        edited.replace(500, 3, QStringLiteral("XYZ"));
        timer.restart();
        const WordDiff small = WordDiff::compute(original, edited);
        qInfo("200k words with one edit: %lld ms", timer.elapsed());
        QCOMPARE(small.granularity, WordDiff::Granularity::Words);
        QCOMPARE(small.revision(), edited);
    }

    void htmlMarksChangesAndEscapes()
    {
        const DiffHtml html = pcs::diffHtml(QStringLiteral("if a < b then <i>old</i>"),
                                            QStringLiteral("if a < b then <i>new</i> & more"));
        QVERIFY(html.note.isEmpty());
        QVERIFY(html.original.contains(QStringLiteral("a &lt; b")));
        QVERIFY(html.revision.contains(QStringLiteral("&lt;i&gt;")));
        QVERIFY(!html.original.contains(QStringLiteral("<i>")));
        QVERIFY(html.original.contains(QStringLiteral("line-through;\">old</span>")));
        QVERIFY(html.revision.contains(QStringLiteral("#0b5d1e;\">new</span>")));
        QVERIFY(html.revision.contains(QStringLiteral("&amp; more</span>")));
        QVERIFY(!html.original.contains(QStringLiteral("new")));
        QVERIFY(!html.revision.contains(QStringLiteral("old")));
        QVERIFY(html.original.contains(QStringLiteral("pre-wrap")));
    }
};

QTEST_GUILESS_MAIN(TestWordDiff)
#include "tst_worddiff.moc"
