#include "ui/review/reviewdetailpane.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTextBrowser>
#include <QTextEdit>

#include <array>

using pcs::Decision;
using pcs::ItemState;
using pcs::QueueItem;
using pcs::ReviewDetailPane;

namespace {

QueueItem assessedItem()
{
    QueueItem item;
    item.id = 42;
    item.state = ItemState::Assessed;
    item.text
        = QStringLiteral("The quick brown fox jumps over the lazy dog.\nSecond <line> & more.");
    item.score = 63.24;
    item.llmScore = 70;
    item.ruleScore = 40;
    item.fastTextScore = 55.5;
    item.logprobCoverage = 0.92;
    item.llmReasoning = QStringLiteral("Mostly fine, but the second line is markup noise.");
    item.autoDecision = Decision::Revise;
    return item;
}

}  // namespace

class TestReviewDetailPane : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void showsAnItemWithoutRevision()
    {
        ReviewDetailPane pane;
        pane.show();
        const QueueItem item = assessedItem();
        pane.showItem(item);
        auto *text = pane.findChild<QTextBrowser *>(QStringLiteral("detailText"));
        auto *reasoning = pane.findChild<QTextBrowser *>(QStringLiteral("detailReasoning"));
        auto *scores = pane.findChild<QLabel *>(QStringLiteral("detailScores"));
        auto *original = pane.findChild<QTextBrowser *>(QStringLiteral("detailOriginal"));
        QVERIFY(text && reasoning && scores && original);
        QCOMPARE(text->toPlainText(), item.text);
        QVERIFY(text->isVisible());
        QVERIFY(!original->isVisible());
        QCOMPARE(reasoning->toPlainText(), item.llmReasoning);
        QVERIFY(reasoning->isReadOnly());
        QVERIFY(reasoning->lineWrapMode() != QTextEdit::NoWrap);
        const QString line = scores->text();
        for (const char *part : { "63.2", "LLM 70.0", "rules 40.0", "fastText 55.5", "92%" })
            QVERIFY2(line.contains(QLatin1String(part)), qPrintable(line));
        QCOMPARE(pane.currentItemId(), qint64(42));

        pane.clear();
        QVERIFY(!pane.hasItem());
        QVERIFY(text->toPlainText().isEmpty());
        QVERIFY(!pane.findChild<QPushButton *>(QStringLiteral("detailEditButton"))->isEnabled());
    }

    void showsTheRevisionDiff()
    {
        ReviewDetailPane pane;
        pane.show();
        QueueItem item = assessedItem();
        item.revisedText
            = QStringLiteral("The quick brown fox leaps over the lazy dog.\nSecond line.");
        item.revisedScore = 12;
        pane.showItem(item);
        auto *original = pane.findChild<QTextBrowser *>(QStringLiteral("detailOriginal"));
        auto *revision = pane.findChild<QTextEdit *>(QStringLiteral("detailRevision"));
        QVERIFY(original && revision);
        QVERIFY(original->isVisible() && revision->isVisible());
        QVERIFY(revision->isReadOnly());
        QCOMPARE(original->toPlainText(), item.text);
        QCOMPARE(revision->toPlainText(), item.revisedText);
        // Qt rewrites the HTML; the marking survives as the span's colours around the word.
        const QString revisionHtml = revision->toHtml();
        QVERIFY2(revisionHtml.contains(QStringLiteral("background-color:#c9efc9;\">leaps</span>")),
                 qPrintable(revisionHtml));
        const QString originalHtml = original->toHtml();
        QVERIFY2(originalHtml.contains(QStringLiteral("line-through")), qPrintable(originalHtml));
        QVERIFY(originalHtml.contains(QStringLiteral(">jumps</span>")));
        QVERIFY(!revisionHtml.contains(QStringLiteral("jumps")));
        QVERIFY(pane.findChild<QLabel *>(QStringLiteral("detailScores"))
                    ->text()
                    .contains(QStringLiteral("revision 12.0")));
    }

    // The revision's critique (why the LLM rewrote it) shows above the comparison; an item
    // without one, or without a revision, shows none.
    void showsTheRevisionCritique()
    {
        ReviewDetailPane pane;
        pane.show();
        QueueItem item = assessedItem();
        item.revisedText = QStringLiteral("The quick brown fox leaps over the lazy dog.");
        item.revisionCritique = QStringLiteral("Jumps is overused; leaps is livelier.");
        pane.showItem(item);
        auto *critique = pane.findChild<QLabel *>(QStringLiteral("detailCritique"));
        QVERIFY(critique);
        QVERIFY(critique->isVisible());
        QVERIFY2(critique->text().contains(item.revisionCritique), qPrintable(critique->text()));

        item.revisionCritique.clear();
        pane.showItem(item);
        QVERIFY(!critique->isVisible());

        item.revisionCritique = QStringLiteral("A critique left from an earlier revision.");
        item.revisedText.clear();
        pane.showItem(item);
        QVERIFY(!critique->isVisible());

        item.revisedText = QStringLiteral("Another revision.");
        pane.showItem(item);
        QVERIFY(critique->isVisible());
        pane.clear();
        QVERIFY(!critique->isVisible());
    }

    void editCommitEmitsTheText()
    {
        ReviewDetailPane pane;
        pane.show();
        QueueItem item = assessedItem();
        item.revisedText = QStringLiteral("A revision.");
        pane.showItem(item);
        auto *edit = pane.findChild<QPushButton *>(QStringLiteral("detailEditButton"));
        auto *save = pane.findChild<QPushButton *>(QStringLiteral("detailSaveButton"));
        auto *revision = pane.findChild<QTextEdit *>(QStringLiteral("detailRevision"));
        QVERIFY(edit && save && revision);
        QSignalSpy committed(&pane, &ReviewDetailPane::editedTextCommitted);

        QTest::mouseClick(edit, Qt::LeftButton);
        QVERIFY(pane.isEditing());
        QVERIFY(!revision->isReadOnly());
        QCOMPARE(revision->toPlainText(), item.revisedText);  // starts from the revision
        revision->setPlainText(QStringLiteral("My own text."));
        QTest::mouseClick(save, Qt::LeftButton);
        QCOMPARE(committed.size(), 1);
        QCOMPARE(committed[0][0].toLongLong(), qint64(42));
        QCOMPARE(committed[0][1].toString(), QStringLiteral("My own text."));
        QVERIFY(!pane.isEditing());
        QVERIFY(revision->isReadOnly());
        QCOMPARE(revision->toPlainText(), QStringLiteral("My own text."));

        // Ctrl+Enter commits; Escape discards.
        pane.startEditing();
        revision->selectAll();
        QTest::keyClicks(revision, QStringLiteral("Typed"));
        QTest::keyClick(revision, Qt::Key_Return, Qt::ControlModifier);
        QCOMPARE(committed.size(), 2);
        QCOMPARE(committed[1][1].toString(), QStringLiteral("Typed"));
        pane.startEditing();
        QTest::keyClicks(revision, QStringLiteral(" more"));
        QTest::keyClick(revision, Qt::Key_Escape);
        QVERIFY(!pane.isEditing());
        QCOMPARE(committed.size(), 2);
        QCOMPARE(revision->toPlainText(), QStringLiteral("Typed"));
    }

    void editsAnItemWithoutRevision()
    {
        ReviewDetailPane pane;
        pane.show();
        const QueueItem item = assessedItem();
        pane.showItem(item);
        QSignalSpy committed(&pane, &ReviewDetailPane::editedTextCommitted);
        pane.startEditing();
        auto *revision = pane.findChild<QTextEdit *>(QStringLiteral("detailRevision"));
        QVERIFY(revision->isVisible());
        QCOMPARE(revision->toPlainText(), item.text);  // starts from the original
        // Showing another item drops the edit in progress.
        pane.showItem(item);
        QVERIFY(!pane.isEditing());
        QVERIFY(pane.findChild<QTextBrowser *>(QStringLiteral("detailText"))->isVisible());
        QCOMPARE(committed.size(), 0);
    }

    void showsErrors()
    {
        ReviewDetailPane pane;
        QueueItem item;
        item.id = 7;
        item.state = ItemState::Error;
        item.errorCode = QStringLiteral("http_429");
        item.error = QStringLiteral("rate <limited>");
        item.text = QStringLiteral("text");
        pane.showItem(item);
        const QString line = pane.findChild<QLabel *>(QStringLiteral("detailState"))->text();
        QVERIFY2(line.contains(QStringLiteral("http_429")), qPrintable(line));
        QVERIFY(line.contains(QStringLiteral("rate &lt;limited&gt;")));
        QVERIFY(pane.findChild<QLabel *>(QStringLiteral("detailScores"))
                    ->text()
                    .contains(QStringLiteral("\u2014")));
    }

    // The server's request id (for a support request) and why a score has no log-probs.
    void showsRequestIdAndLogprobStatus()
    {
        ReviewDetailPane pane;
        QueueItem failed;
        failed.id = 8;
        failed.state = ItemState::Error;
        failed.errorCode = QStringLiteral("request_too_large");
        failed.error = QStringLiteral("too large");
        failed.requestId = QStringLiteral("req_<abc>");
        failed.text = QStringLiteral("text");
        pane.showItem(failed);
        const QString line = pane.findChild<QLabel *>(QStringLiteral("detailState"))->text();
        QVERIFY2(line.contains(QStringLiteral("request req_&lt;abc&gt;")), qPrintable(line));

        // {status, note, what the line says}: the request side, then the answer side.
        const QList<std::array<QString, 3>> cases {
            { QStringLiteral("not_allowed"), QString(),
              QStringLiteral("log-probs refused by the model") },
            { QStringLiteral("not_requested"), QString(),
              QStringLiteral("no log-probs asked for") },
            { QString(), QStringLiteral("not_returned: the answer came without log-probs"),
              QStringLiteral("no log-probs in the answer") },
            { QString(), QStringLiteral("unaligned: its tokens do not spell the content"),
              QStringLiteral("log-probs unusable: unaligned") },
        };
        for (const auto &[status, note, expected] : cases) {
            QueueItem item = assessedItem();
            item.logprobCoverage.reset();
            item.logprobStatus = status;
            item.logprobNote = note;
            pane.showItem(item);
            const QString scores = pane.findChild<QLabel *>(QStringLiteral("detailScores"))->text();
            QVERIFY2(scores.contains(expected), qPrintable(scores));
        }
        QueueItem used = assessedItem();
        pane.showItem(used);
        QVERIFY(!pane.findChild<QLabel *>(QStringLiteral("detailScores"))
                     ->text()
                     .contains(QStringLiteral("log-probs")));
    }
};

QTEST_MAIN(TestReviewDetailPane)
#include "tst_reviewdetailpane.moc"
