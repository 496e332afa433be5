#include "ui/review/reviewprojecttab.h"

#include "core/workspace/reviewsession.h"
#include "ui/common/elidedlabel.h"
#include "ui/common/filedialogs.h"
#include "ui/review/endpointkeypanel.h"

#include <QCheckBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace pcs {

namespace {

QString textFieldOrDefault(const QString &field)
{
    const QString trimmed = field.trimmed();
    return trimmed.isEmpty() ? QStringLiteral("text") : trimmed;
}

}  // namespace

ReviewProjectTab::ReviewProjectTab(ReviewSession *session, QWidget *parent)
    : QWidget(parent)
    , m_projectPath(new ElidedLabel(tr("No project open")))
    , m_addFiles(new QPushButton(tr("Add &JSONL Files…")))
    , m_endpoint(new QLineEdit)
    , m_model(new QLineEdit)
    , m_concurrency(new QSpinBox)
    , m_revise(new QCheckBox(tr("Ask for rewrites of the texts to revise")))
    , m_textField(new QLineEdit(QStringLiteral("text")))
    , m_keyPanel(new EndpointKeyPanel(session))
{
    auto *newButton = new QPushButton(tr("&New Project…"));
    newButton->setObjectName(QStringLiteral("reviewNewProject"));
    newButton->setToolTip(tr("Creates a review queue (.sqlite) for a set of JSONL files"));
    auto *openButton = new QPushButton(tr("&Open Project…"));
    openButton->setObjectName(QStringLiteral("reviewOpenProject"));
    m_addFiles->setObjectName(QStringLiteral("reviewAddFiles"));
    m_addFiles->setToolTip(tr("Imports every line as a pending item; importing the same file "
                              "again adds nothing"));
    m_projectPath->setObjectName(QStringLiteral("reviewProjectPath"));
    m_projectPath->setElideMode(Qt::ElideMiddle);  // the file name matters most

    m_endpoint->setObjectName(QStringLiteral("reviewEndpoint"));
    m_endpoint->setPlaceholderText(QStringLiteral("https://api.openai.com/v1"));
    m_endpoint->setToolTip(tr("Base URL of an OpenAI-compatible server (Chat Completions)"));
    m_model->setObjectName(QStringLiteral("reviewModel"));
    m_model->setPlaceholderText(QStringLiteral("gpt-4o-mini"));
    m_concurrency->setObjectName(QStringLiteral("reviewConcurrency"));
    m_concurrency->setRange(1, 256);
    m_concurrency->setValue(8);
    m_concurrency->setToolTip(tr("Requests in flight at once"));
    m_revise->setObjectName(QStringLiteral("reviewReviseDuringRun"));
    m_textField->setObjectName(QStringLiteral("reviewTextField"));
    m_textField->setToolTip(tr("The JSON field holding the text, for imports and exports"));
    m_keyPanel->setObjectName(QStringLiteral("reviewEndpointKeyPanel"));
    // Line edits ask for ~25 characters; the tab must fit its column, not widen it.
    for (QLineEdit *edit : { m_endpoint, m_model, m_textField })
        edit->setMinimumWidth(80);

    for (QLineEdit *edit : { m_endpoint, m_model, m_textField })
        connect(edit, &QLineEdit::editingFinished, this, &ReviewProjectTab::settingsEdited);
    connect(m_concurrency, &QSpinBox::editingFinished, this, &ReviewProjectTab::settingsEdited);
    connect(m_revise, &QCheckBox::toggled, this, &ReviewProjectTab::settingsEdited);
    for (QLineEdit *edit : { m_endpoint, m_model })
        connect(edit, &QLineEdit::editingFinished, this, &ReviewProjectTab::updateKeyStatus);
    connect(newButton, &QPushButton::clicked, this, &ReviewProjectTab::newWithDialog);
    connect(openButton, &QPushButton::clicked, this, &ReviewProjectTab::openWithDialog);
    connect(m_addFiles, &QPushButton::clicked, this, &ReviewProjectTab::addFilesWithDialog);

    auto *projectBox = new QGroupBox(tr("Project"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(newButton);
    buttons->addWidget(openButton);
    buttons->addStretch(1);
    auto *projectLayout = new QVBoxLayout(projectBox);
    projectLayout->addLayout(buttons);
    projectLayout->addWidget(m_projectPath);
    projectLayout->addWidget(m_addFiles, 0, Qt::AlignLeft);

    auto *assessorBox = new QGroupBox(tr("Assessor"));
    auto *form = new QFormLayout(assessorBox);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Endpoint"), m_endpoint);
    form->addRow(tr("Model"), m_model);
    form->addRow(tr("Concurrency"), m_concurrency);
    form->addRow(tr("Text field"), m_textField);
    form->addRow(m_revise);
    form->addRow(m_keyPanel);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(projectBox);
    layout->addWidget(assessorBox);
    layout->addStretch(1);
}

void ReviewProjectTab::showProject(const QString &queuePath)
{
    m_projectPath->setFullText(queuePath.isEmpty() ? tr("No project open")
                                                   : QDir::toNativeSeparators(queuePath));
}

void ReviewProjectTab::showSettings(const ReviewProjectSettings &settings)
{
    const QSignalBlocker blockRevise(m_revise);
    m_endpoint->setText(settings.endpoint);
    m_model->setText(settings.model);
    m_concurrency->setValue(settings.concurrency);
    m_revise->setChecked(settings.revise);
    m_textField->setText(textFieldOrDefault(settings.textField));
    updateKeyStatus();
}

ReviewProjectSettings ReviewProjectTab::settings(const ReviewProjectSettings &stored) const
{
    ReviewProjectSettings settings = stored;
    settings.endpoint = m_endpoint->text().trimmed();
    settings.model = m_model->text().trimmed();
    settings.concurrency = m_concurrency->value();
    settings.revise = m_revise->isChecked();
    settings.textField = textFieldOrDefault(m_textField->text());
    return settings;
}

void ReviewProjectTab::showEndpoint(const QString &endpoint)
{
    if (m_endpoint->text() != endpoint)
        m_endpoint->setText(endpoint);
}

void ReviewProjectTab::setProjectActionsEnabled(bool enabled)
{
    m_addFiles->setEnabled(enabled);
}

void ReviewProjectTab::updateKeyStatus()
{
    // Where the key comes from is looked up off the GUI thread (the keychain may take seconds).
    m_keyPanel->setEndpoint(m_endpoint->text(), m_model->text());
}

QString ReviewProjectTab::endpoint() const
{
    return m_endpoint->text().trimmed();
}

QString ReviewProjectTab::model() const
{
    return m_model->text().trimmed();
}

void ReviewProjectTab::newWithDialog()
{
    const QString path = filedialogs::saveFile(
        this, FileRole::ReviewProject, tr("New Review Project"), QStringLiteral("review.sqlite"),
        filedialogs::reviewQueueFilter(), QStringLiteral("sqlite"));
    if (path.isEmpty())
        return;
    // The dialog asked before choosing an existing file: open it.
    if (QFileInfo::exists(path))
        Q_EMIT openProjectRequested(path);
    else
        Q_EMIT newProjectRequested(path);
}

void ReviewProjectTab::openWithDialog()
{
    const QString path = filedialogs::openFile(
        this, FileRole::ReviewProject, tr("Open Review Project"), filedialogs::reviewQueueFilter());
    if (!path.isEmpty())
        Q_EMIT openProjectRequested(path);
}

void ReviewProjectTab::addFilesWithDialog()
{
    const QStringList paths = filedialogs::openFiles(
        this, FileRole::ReviewInput, tr("Add JSONL Files"), filedialogs::jsonlFilter());
    if (!paths.isEmpty())
        Q_EMIT importRequested(paths);
}

}  // namespace pcs
