#include "ui/review/reviewexporttab.h"

#include "core/workspace/reviewsession.h"
#include "ui/common/filedialogs.h"

#include <QDir>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace pcs {

namespace {

QString fromField(const QLineEdit *edit)
{
    return QDir::fromNativeSeparators(edit->text().trimmed());
}

}  // namespace

ReviewExportTab::ReviewExportTab(ReviewSession *session, QWidget *parent)
    : QWidget(parent)
    , m_curated(new QLineEdit)
    , m_dropped(new QLineEdit)
    , m_log(new QLineEdit)
    , m_export(new QPushButton(tr("E&xport")))
    , m_exportBatch(new QPushButton(tr("Batch API requests…")))
    , m_status(new QLabel)
    , m_session(session)
{
    connect(m_session, &ReviewSession::exportFinished, this, [this](const QString &description) {
        showMessage(description);
        Q_EMIT succeeded();
        Q_EMIT statusChanged(tr("Exported"));
    });
    m_curated->setObjectName(QStringLiteral("reviewCuratedPath"));
    m_dropped->setObjectName(QStringLiteral("reviewDroppedPath"));
    m_dropped->setPlaceholderText(tr("optional"));
    m_log->setObjectName(QStringLiteral("reviewLogPath"));
    m_log->setPlaceholderText(tr("optional"));
    const auto pathRow = [this](QLineEdit *edit, const QString &title, const QString &suggested,
                                const QString &filter, const QString &suffix) {
        edit->setMinimumWidth(80);
        auto *browse = new QPushButton(tr("Browse…"));
        browse->setToolTip(title);
        connect(browse, &QPushButton::clicked, this, [=, this] {
            const QString path = filedialogs::saveFile(this, FileRole::ReviewExport, title,
                                                       suggested, filter, suffix);
            if (!path.isEmpty())
                edit->setText(QDir::toNativeSeparators(path));
        });
        auto *row = new QHBoxLayout;
        row->addWidget(edit, 1);
        row->addWidget(browse);
        return row;
    };
    const QString jsonl = tr("JSON Lines (*.jsonl)");
    const QString jsonlSuffix = QStringLiteral("jsonl");
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Curated"),
                 pathRow(m_curated, tr("Curated JSONL"), QStringLiteral("curated.jsonl"), jsonl,
                         jsonlSuffix));
    form->addRow(tr("Dropped"),
                 pathRow(m_dropped, tr("Dropped JSONL"), QStringLiteral("dropped.jsonl"), jsonl,
                         jsonlSuffix));
    form->addRow(tr("Log"),
                 pathRow(m_log, tr("Decision Log"), QStringLiteral("decisions.csv"),
                         filedialogs::csvFilter(), QStringLiteral("csv")));
    m_export->setObjectName(QStringLiteral("reviewExport"));
    m_export->setToolTip(tr("Curated: items kept or revised, with their final text; dropped: "
                            "items filtered; log: every decision. Pending and failed items are "
                            "not exported."));
    connect(m_export, &QPushButton::clicked, this, &ReviewExportTab::exportWithDialog);
    m_exportBatch->setObjectName(QStringLiteral("reviewExportBatch"));
    m_exportBatch->setToolTip(tr("Writes the pending items as an OpenAI Batch API input file"));
    connect(m_exportBatch, &QPushButton::clicked, this, &ReviewExportTab::batchExportWithDialog);
    m_status->setObjectName(QStringLiteral("reviewExportStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Wrapped: the tab's column sets the width, never a long summary.
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    auto *box = new QGroupBox(tr("Curated data"));
    auto *boxLayout = new QVBoxLayout(box);
    boxLayout->addLayout(form);
    boxLayout->addWidget(m_export, 0, Qt::AlignLeft);
    auto *batchBox = new QGroupBox(tr("Offline assessment"));
    auto *batchLayout = new QVBoxLayout(batchBox);
    auto *batchNote = new QLabel(tr("Assess a large queue at batch prices: export the pending "
                                    "items as Batch API requests and import the results with "
                                    "the command line tool."));
    batchNote->setWordWrap(true);
    batchLayout->addWidget(batchNote);
    batchLayout->addWidget(m_exportBatch, 0, Qt::AlignLeft);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(box);
    layout->addWidget(batchBox);
    layout->addWidget(m_status);
    layout->addStretch(1);
}

void ReviewExportTab::setPaths(const QString &curated, const QString &dropped, const QString &log)
{
    m_curated->setText(QDir::toNativeSeparators(curated));
    m_dropped->setText(QDir::toNativeSeparators(dropped));
    m_log->setText(QDir::toNativeSeparators(log));
}

QString ReviewExportTab::curatedPath() const
{
    return fromField(m_curated);
}

QString ReviewExportTab::droppedPath() const
{
    return fromField(m_dropped);
}

QString ReviewExportTab::logPath() const
{
    return fromField(m_log);
}

void ReviewExportTab::setExportEnabled(bool enabled)
{
    m_export->setEnabled(enabled);
    m_exportBatch->setEnabled(enabled);
}

void ReviewExportTab::showMessage(const QString &text)
{
    m_status->setText(text);
}

QString ReviewExportTab::message() const
{
    return m_status->text();
}

void ReviewExportTab::exportWithDialog()
{
    QString curated = curatedPath();
    if (curated.isEmpty()) {
        curated = filedialogs::saveFile(this, FileRole::ReviewExport, tr("Curated JSONL"),
                                        QStringLiteral("curated.jsonl"), tr("JSON Lines (*.jsonl)"),
                                        QStringLiteral("jsonl"));
        if (curated.isEmpty())
            return;
    }
    exportTo(curated, droppedPath(), logPath());
}

void ReviewExportTab::batchExportWithDialog()
{
    const QString path
        = filedialogs::saveFile(this, FileRole::ReviewExport, tr("Batch API Requests"),
                                QStringLiteral("batch-requests.jsonl"), tr("JSON Lines (*.jsonl)"),
                                QStringLiteral("jsonl"));
    if (!path.isEmpty())
        exportBatchTo(path);
}

Status ReviewExportTab::fail(const Error &error)
{
    Q_EMIT failed(error);
    return error;
}

Status ReviewExportTab::exportTo(const QString &curated, const QString &dropped, const QString &log)
{
    setPaths(curated, dropped, log);
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    if (curated.isEmpty())
        return fail(Error::badInput(tr("choose a file for the curated JSONL")));
    if (Status started = m_session->exportCurated(curated, dropped, log); !started)
        return fail(started.error());
    Q_EMIT succeeded();
    showMessage(tr("Exporting…"));
    return Done {};
}

Status ReviewExportTab::exportBatchTo(const QString &path)
{
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    if (m_prepare)
        if (Status prepared = m_prepare(); !prepared)
            return prepared;
    if (Status started = m_session->exportBatchRequests(path); !started)
        return fail(started.error());
    Q_EMIT succeeded();
    showMessage(tr("Exporting…"));
    return Done {};
}

}  // namespace pcs
