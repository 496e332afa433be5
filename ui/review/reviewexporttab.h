#pragma once

#include "core/common/result.h"

#include <QWidget>

#include <functional>

class QLabel;
class QLineEdit;
class QPushButton;

namespace pcs {

class ReviewSession;

// The Export tab of the Review stage: where the curated and dropped JSONL and the decision log
// go (typed or browsed), Export, and the Batch API request file. Asks the page through
// exportRequested/batchExportRequested and shows what the export said (showMessage).
class ReviewExportTab : public QWidget {
    Q_OBJECT
public:
    explicit ReviewExportTab(ReviewSession *session, QWidget *parent = nullptr);

    // The buttons without their dialogs.
    Status exportTo(const QString &curated, const QString &dropped, const QString &log);
    Status exportBatchTo(const QString &path);
    void setPrepare(std::function<Status()> prepare) { m_prepare = std::move(prepare); }

    // Paths as typed (native separators), or as the page was asked to export to.
    void setPaths(const QString &curated, const QString &dropped, const QString &log);
    QString curatedPath() const;
    QString droppedPath() const;
    QString logPath() const;

    void setExportEnabled(bool enabled);
    void showMessage(const QString &text);
    QString message() const;

Q_SIGNALS:
    void failed(const pcs::Error &error);
    void succeeded();
    void statusChanged(const QString &text);

private:
    Status fail(const Error &error);
    void exportWithDialog();
    void batchExportWithDialog();

    QLineEdit *m_curated;
    QLineEdit *m_dropped;
    QLineEdit *m_log;
    QPushButton *m_export;
    QPushButton *m_exportBatch;
    QLabel *m_status;
    ReviewSession *m_session;
    std::function<Status()> m_prepare;
};

}  // namespace pcs
