#include "window/datapage.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace pcs {

namespace {

QWidget *pathRow(QLineEdit *edit, QPushButton *browse)
{
    auto *row = new QWidget;
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    return row;
}

}  // namespace

DataPage::DataPage(SelectionSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_bpbPath(new QLineEdit)
    , m_errorsPath(new QLineEdit)
    , m_tokensPath(new QLineEdit)
    , m_error(new QLabel)
    , m_summary(new QLabel)
    , m_benchmarks(new QListWidget)
    , m_dropped(new QPlainTextEdit)
{
    m_bpbPath->setObjectName(QStringLiteral("bpbPath"));
    m_errorsPath->setObjectName(QStringLiteral("errorsPath"));
    m_tokensPath->setObjectName(QStringLiteral("tokensPath"));
    m_error->setObjectName(QStringLiteral("loadError"));
    m_summary->setObjectName(QStringLiteral("dataSummary"));
    m_benchmarks->setObjectName(QStringLiteral("benchmarkList"));
    m_dropped->setObjectName(QStringLiteral("droppedLlms"));
    auto *files = new QGroupBox(tr("Input files"));
    auto *form = new QFormLayout(files);
    const QList<std::tuple<QLineEdit *, QString, QString, QString>> rows
        = { { m_bpbPath, QStringLiteral("bpb"), tr("BPB &matrix:"),
              tr("CSV/TSV (texts as rows, LLMs as rows, or llm,text,bpb) or .npy") },
            { m_errorsPath, QStringLiteral("errors"), tr("Benchmark &errors:"),
              tr("The package's CSV, or lm-evaluation-harness results JSON") },
            { m_tokensPath, QStringLiteral("token_counts"), tr("&Token counts:"),
              tr("Optional text,tokens CSV; without it every text counts equally") } };
    for (const auto &[edit, role, label, placeholder] : rows) {
        edit->setPlaceholderText(placeholder);
        edit->setClearButtonEnabled(true);
        auto *browse = new QPushButton(tr("Browse…"));
        connect(browse, &QPushButton::clicked, this,
                [this, role = role] { Q_EMIT browseRequested(role); });
        connect(edit, &QLineEdit::returnPressed, this, &DataPage::loadRequested);
        form->addRow(label, pathRow(edit, browse));
    }
    auto *load = new QPushButton(tr("&Load"));
    load->setDefault(true);
    connect(load, &QPushButton::clicked, this, &DataPage::loadRequested);
    form->addRow(QString(), load);

    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #c0392b; font-weight: 600; }"));
    m_error->hide();

    auto *found = new QGroupBox(tr("What was found"));
    auto *foundLayout = new QVBoxLayout(found);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setText(tr("Nothing loaded yet. Choose the files above, drop them on the window, or "
                          "try Help ▸ Open Demo."));
    foundLayout->addWidget(m_summary);

    auto *benchmarks = new QGroupBox(tr("Benchmarks to average"));
    auto *benchmarksLayout = new QVBoxLayout(benchmarks);
    m_benchmarks->setToolTip(tr("The chosen benchmarks' errors are averaged per LLM. Error rates "
                                "(in [0, 1]) are chosen by default."));
    benchmarksLayout->addWidget(m_benchmarks);
    connect(m_benchmarks, &QListWidget::itemChanged, this, [this] {
        if (!m_updatingBenchmarks)
            Q_EMIT benchmarksChosen(checkedBenchmarks());
    });

    auto *dropped = new QGroupBox(tr("LLMs not used"));
    auto *droppedLayout = new QVBoxLayout(dropped);
    m_dropped->setReadOnly(true);
    m_dropped->setPlaceholderText(tr("Every LLM is used."));
    droppedLayout->addWidget(m_dropped);

    auto *lower = new QHBoxLayout;
    lower->addWidget(benchmarks, 1);
    lower->addWidget(dropped, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(files);
    layout->addWidget(m_error);
    layout->addWidget(found);
    layout->addLayout(lower, 1);

    connect(m_session, &SelectionSession::loadFinished, this, [this] {
        clearError();
        refreshBenchmarks();
        refreshSummary();
    });
    connect(m_session, &SelectionSession::outcomeChanged, this, &DataPage::refreshSummary);
    connect(m_session, &SelectionSession::loadFailed, this, &DataPage::showError);
    connect(m_session, &SelectionSession::runFailed, this, &DataPage::showError);
}

void DataPage::setPaths(const SelectionInputPaths &paths)
{
    m_bpbPath->setText(paths.bpb);
    m_errorsPath->setText(paths.errors);
    m_tokensPath->setText(paths.tokenCounts);
}

SelectionInputPaths DataPage::paths() const
{
    SelectionInputPaths paths;
    paths.bpb = m_bpbPath->text().trimmed();
    paths.errors = m_errorsPath->text().trimmed();
    paths.tokenCounts = m_tokensPath->text().trimmed();
    return paths;
}

void DataPage::showError(const Error &error)
{
    m_error->setText(error.toString());
    m_error->show();
}

void DataPage::clearError()
{
    m_error->clear();
    m_error->hide();
}

QStringList DataPage::checkedBenchmarks() const
{
    QStringList chosen;
    for (int i = 0; i < m_benchmarks->count(); ++i)
        if (m_benchmarks->item(i)->checkState() == Qt::Checked)
            chosen << m_benchmarks->item(i)->text();
    return chosen;
}

void DataPage::refreshBenchmarks()
{
    const auto loaded = m_session->data();
    if (!loaded)
        return;
    m_updatingBenchmarks = true;
    m_benchmarks->clear();
    const QStringList requested = m_session->parameters().benchmarks;
    const QStringList chosen = requested.isEmpty() ? defaultBenchmarks(loaded->errors) : requested;
    for (const QString &name : loaded->errors.benchmarks) {
        auto *item = new QListWidgetItem(name, m_benchmarks);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(chosen.contains(name) ? Qt::Checked : Qt::Unchecked);
    }
    m_updatingBenchmarks = false;
}

void DataPage::refreshSummary()
{
    const auto loaded = m_session->data();
    if (!loaded)
        return;
    const auto outcome = m_session->outcome();
    QString text = tr("<b>BPB matrix</b>: %1 layout, %2 LLMs × %3 texts (loaded in %4 s).<br>"
                      "<b>Benchmark errors</b>: %5 benchmarks for %6 LLMs.<br>")
                       .arg(bpbLayoutName(loaded->bpb->layout))
                       .arg(loaded->bpb->llms.size())
                       .arg(loaded->bpb->texts.size())
                       .arg(loaded->loadSeconds, 0, 'f', 2)
                       .arg(loaded->errors.benchmarks.size())
                       .arg(loaded->errors.llms.size());
    text += loaded->tokens.size() > 0 ? tr("<b>Caps</b>: from token counts.<br>")
                                      : tr("<b>Caps</b>: every text counts equally.<br>");
    if (outcome)
        text += tr("<b>Used</b>: %1 LLMs matched by name and complete; %2 not used (listed on the "
                   "right).")
                    .arg(outcome->aligned.llms.size())
                    .arg(outcome->aligned.dropped.size());
    Warnings warnings = loaded->warnings;
    if (outcome)
        warnings += outcome->warnings;
    for (const Error &warning : warnings)
        text += QStringLiteral("<br><span style='color:#b9770e'>⚠ %1</span>")
                    .arg(warning.toString().toHtmlEscaped());
    m_summary->setText(text);

    QStringList lines;
    if (outcome)
        for (const DroppedLlm &llm : outcome->aligned.dropped)
            lines << QStringLiteral("%1 — %2").arg(llm.name, llm.reason);
    m_dropped->setPlainText(lines.join(QLatin1Char('\n')));
}

}  // namespace pcs
