// The Review page's walkthrough fixes, offscreen: undo returns to the undone item and says when
// it fails, a new project is offered the bundled criteria (no red error), long texts do not
// widen the window, banners do not move the controls, edit mode keeps both texts in sight, the
// Text column takes the free width, and a wrong address is said at once.
#include "core/workspace/reviewsession.h"
#include "ui/common/errorbanner.h"
#include "ui/review/criteriaeditor.h"
#include "ui/review/reviewactions.h"
#include "ui/review/reviewdetailpane.h"
#include "ui/review/reviewpage.h"
#include "ui/review/reviewqueuemodel.h"
#include "ui/review/reviewqueuepanel.h"

#include <QApplication>
#include <QFile>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSplitter>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTableView>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace pcs;

namespace {

// `count` records; record i's text is `text(i)`.
QString writeJsonl(const QString &path, int count, const std::function<QString(int)> &text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    for (int i = 0; i < count; ++i) {
        const QJsonObject record { { QStringLiteral("doc"), i },
                                   { QStringLiteral("text"), text(i) } };
        file.write(QJsonDocument(record).toJson(QJsonDocument::Compact) + '\n');
    }
    return path;
}

// Scores recorded straight into the store: item id scores (id * 7) % 100.
void assessAll(QueueStore &store, int count)
{
    for (qint64 id = 1; id <= count; ++id) {
        AssessmentRecord record;
        record.score = double((id * 7) % 100);
        record.llmScore = record.score;
        record.llmReasoning = QStringLiteral("reason %1").arg(id);
        QVERIFY(store.recordAssessment(id, record).ok());
    }
}

}  // namespace

class TestReviewPageFixes : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    // A page on a new project of `count` imported items (all assessed when `assess`).
    bool prepare(ReviewPage &page, const QString &name, int count,
                 const std::function<QString(int)> &text, bool assess = true)
    {
        if (!page.newProject(m_dir.filePath(name + QStringLiteral(".sqlite"))))
            return false;
        QSignalSpy imported(page.session(), &ReviewSession::importFinished);
        const QString jsonl
            = writeJsonl(m_dir.filePath(name + QStringLiteral(".jsonl")), count, text);
        if (!page.importFiles({ jsonl }) || !(imported.wait(20000) || imported.count() == 1))
            return false;
        if (assess) {
            assessAll(*page.session()->store(), count);
            Q_EMIT page.session()->itemsChanged();
        }
        return page.model()->rowCount() == count;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QApplication::setOrganizationName(QStringLiteral("pcstudio-tests-reviewfixes"));
        QSettings().clear();
        QVERIFY(m_dir.isValid());
    }

    void init()
    {
        QSettings().remove(QStringLiteral("review/project"));  // no project restored
    }

    void undoSelectsTheUndoneItem()
    {
        ReviewPage page(new ReviewSession);
        page.resize(1280, 720);
        page.show();
        QVERIFY(prepare(page, QStringLiteral("undo"), 10,
                        [](int i) { return QStringLiteral("text %1").arg(i); }));
        QVERIFY(page.selectRow(0));
        const qint64 first = page.currentItemId();
        QVERIFY(page.actions()->acceptCurrent());
        QCOMPARE(page.queuePanel()->currentRow(), 1);
        QVERIFY(page.selectRow(5));
        page.undoStack()->undo();
        QCOMPARE(page.currentItemId(), first);
        QCOMPARE(page.session()->store()->item(first)->humanDecision, std::optional<Decision>());
        QVERIFY(page.errorText().isEmpty());
    }

    // An undo that cannot be done (the item is gone from the queue) is said, not passed over.
    void undoFailureIsShown()
    {
        ReviewPage page(new ReviewSession);
        page.show();
        QVERIFY(prepare(page, QStringLiteral("undofail"), 5,
                        [](int i) { return QStringLiteral("text %1").arg(i); }));
        QVERIFY(page.selectRow(0));
        const qint64 first = page.currentItemId();
        QVERIFY(page.actions()->filterCurrent());
        {
            QSqlDatabase db
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("undofail"));
            db.setDatabaseName(page.session()->queuePath());
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("DELETE FROM items WHERE id = %1").arg(first)));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("undofail"));
        page.undoStack()->undo();
        QVERIFY2(page.errorText().startsWith(QStringLiteral("undo failed: ")),
                 qPrintable(page.errorText()));
        QCOMPARE(page.banner()->kind(), ErrorBanner::Kind::Error);
    }

    // A new project has no criteria: a neutral prompt offers the bundled ones, which one click
    // puts into the editor and the project.
    void newProjectIsOfferedTheBundledCriteria()
    {
        ReviewPage page(new ReviewSession);
        page.show();
        QVERIFY(page.newProject(m_dir.filePath(QStringLiteral("fresh.sqlite"))));
        QVERIFY(page.errorText().isEmpty());
        QCOMPARE(page.banner()->kind(), ErrorBanner::Kind::Info);
        QVERIFY2(page.bannerText().contains(QStringLiteral("no criteria yet")),
                 qPrintable(page.bannerText()));
        QVERIFY(page.banner()->actionButton()->isVisible());
        QVERIFY(!page.session()->hasCriteria());
        QTest::mouseClick(page.banner()->actionButton(), Qt::LeftButton);
        QVERIFY(page.session()->hasCriteria());
        QCOMPARE(page.criteriaEditor()->criteria().name, QStringLiteral("Deceptive content"));
        QCOMPARE(page.session()->criteria()->name, QStringLiteral("Deceptive content"));
        QCOMPARE(page.banner()->kind(), ErrorBanner::Kind::None);
        // Opened again, it has criteria: no prompt.
        QVERIFY(page.openProject(m_dir.filePath(QStringLiteral("fresh.sqlite"))));
        QCOMPARE(page.banner()->kind(), ErrorBanner::Kind::None);
    }

    // Long texts, ids, errors and statuses must not widen the window, and a banner coming or
    // going must not move the controls below it.
    void longTextsDoNotWidenTheWindowNorBannersMoveControls()
    {
        ReviewPage page(new ReviewSession);
        page.resize(1280, 720);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        const int width = page.width();
        const QString word = QStringLiteral("Unbreakable").repeated(400);
        QVERIFY(prepare(page, QStringLiteral("long"), 20, [&](int i) {
            return i % 2 ? word : QStringLiteral("short %1 ").arg(i).repeated(300);
        }));
        QTableView *table = page.queueView();
        const QPoint tableAt = table->mapTo(&page, QPoint(0, 0));
        for (int row = 0; row < 6; ++row) {
            QVERIFY(page.selectRow(row));
            QCoreApplication::processEvents();
        }
        page.session()->store()->recordError(2, QStringLiteral("network"), word, 6);
        Q_EMIT page.session()->itemUpdated(2);
        page.selectItem(2);
        page.importFiles({ m_dir.filePath(QStringLiteral("no such file ") + word) });
        QTRY_VERIFY(!page.errorText().isEmpty());
        QTest::qWait(50);
        QCOMPARE(page.width(), width);
        QVERIFY2(page.minimumSizeHint().width() <= 1280,
                 qPrintable(QString::number(page.minimumSizeHint().width())));
        QCOMPARE(table->mapTo(&page, QPoint(0, 0)), tableAt);
        QVERIFY(page.actions()->acceptCurrent());  // succeeds: the error goes
        QVERIFY(page.errorText().isEmpty());
        QCOMPARE(table->mapTo(&page, QPoint(0, 0)), tableAt);
        QCOMPARE(page.width(), width);
        // The Text column takes the width the other columns leave.
        const QHeaderView *header = table->horizontalHeader();
        int others = 0;
        for (int column = 0; column < ReviewQueueModel::SnippetColumn; ++column)
            if (!header->isSectionHidden(column))
                others += header->sectionSize(column);
        QVERIFY2(header->sectionSize(ReviewQueueModel::SnippetColumn)
                     >= table->viewport()->width() - others - 2,
                 qPrintable(QString::number(header->sectionSize(ReviewQueueModel::SnippetColumn))));
        QVERIFY(header->sectionSize(ReviewQueueModel::SnippetColumn) > 150);
    }

    void editModeKeepsBothTexts()
    {
        ReviewPage page(new ReviewSession);
        page.resize(1280, 720);
        page.show();
        QVERIFY(prepare(page, QStringLiteral("edit"), 3,
                        [](int i) { return QStringLiteral("original text %1").arg(i); }));
        QVERIFY(
            page.session()->store()->recordRevision(1, QStringLiteral("a revision"), std::nullopt));
        Q_EMIT page.session()->itemUpdated(1);
        QVERIFY(page.selectItem(1));
        QVERIFY(page.actions()->editCurrent());
        ReviewDetailPane *pane = page.detailPane();
        QVERIFY(pane->isEditing());
        QCoreApplication::processEvents();
        const QList<int> sizes = pane->comparisonSplitter()->sizes();
        QCOMPARE(sizes.size(), 2);
        const int total = sizes[0] + sizes[1];
        QVERIFY2(sizes[0] >= total * 2 / 5 && sizes[1] >= total * 2 / 5,
                 qPrintable(QStringLiteral("%1 | %2").arg(sizes[0]).arg(sizes[1])));
    }

    // A wrong address: the run stops at once and the banner says where it could not connect.
    void wrongAddressIsSaidAtOnce()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            port = probe.serverPort();
        }
        ReviewPage page(new ReviewSession);
        page.show();
        QVERIFY(prepare(
            page, QStringLiteral("wrongurl"), 5,
            [](int i) { return QStringLiteral("text %1").arg(i); }, false));
        page.findChild<QLineEdit *>(QStringLiteral("reviewEndpoint"))
            ->setText(QStringLiteral("http://127.0.0.1:%1/v1").arg(port));
        page.findChild<QLineEdit *>(QStringLiteral("reviewModel"))->setText(QStringLiteral("m"));
        QVERIFY(page.useBundledCriteria());
        QSignalSpy paused(page.session(), &ReviewSession::runPaused);
        QVERIFY(page.run());
        QVERIFY2(
            page.runStatsText().contains(QStringLiteral("Connecting to 127.0.0.1:%1").arg(port)),
            qPrintable(page.runStatsText()));
        QVERIFY(paused.wait(8000) || paused.count() == 1);
        QTRY_VERIFY(page.bannerText().contains(
            QStringLiteral("Could not connect to 127.0.0.1:%1").arg(port)));
        QCOMPARE(page.session()->counts()->pending, 5);
    }
};

QTEST_MAIN(TestReviewPageFixes)
#include "tst_reviewpagefixes.moc"
