#include "ui/filter/applypanel.h"

#include "core/workspace/filtersession.h"
#include "ui/filter/filelistedit.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace pcs {

ApplyPanel::ApplyPanel(QWidget *parent)
    : QGroupBox(tr("Apply to corpora"), parent)
    , m_model(new QLabel)
    , m_loadModel(new QPushButton(tr("Use Model File…")))
    , m_inputs(new FileListEdit(tr("Add Corpus Files"),
                                tr("JSON Lines (*.jsonl *.json *.jsonl.gz *.jsonl.zst *.gz *.zst);;"
                                   "All files (*)")))
    , m_mode(new QComboBox)
    , m_output(new QLineEdit)
    , m_apply(new QPushButton(tr("&Apply")))
    , m_summary(new QLabel)
    , m_malformed(new QPlainTextEdit)
{
    m_model->setObjectName(QStringLiteral("filterApplyModel"));
    m_model->setWordWrap(true);
    m_loadModel->setObjectName(QStringLiteral("filterLoadModelButton"));
    m_loadModel->setToolTip(tr("Apply a saved .bin or .ftz instead of the filter trained above"));
    m_inputs->setObjectName(QStringLiteral("filterApplyInputs"));
    m_inputs->listWidget()->setObjectName(QStringLiteral("filterApplyInputsList"));
    m_inputs->listWidget()->setMinimumHeight(60);
    m_inputs->listWidget()->setMaximumHeight(72);
    m_mode->setObjectName(QStringLiteral("filterApplyMode"));
    const QList<std::pair<ApplyMode, QString>> modes
        = { { ApplyMode::Keep, tr("keep: the lines scoring ≥ the threshold") },
            { ApplyMode::Drop, tr("drop: the lines scoring below it") },
            { ApplyMode::Score, tr("score: one P(include) per line") },
            { ApplyMode::Annotate, tr("annotate: every line with \"pcstudio_score\"") } };
    for (const auto &[mode, label] : modes)
        m_mode->addItem(label, applyModeName(mode));
    m_output->setObjectName(QStringLiteral("filterApplyOutput"));
    m_output->setPlaceholderText(tr("output file (written when the run completes)"));
    m_apply->setObjectName(QStringLiteral("filterApplyButton"));
    m_summary->setObjectName(QStringLiteral("filterApplySummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_malformed->setObjectName(QStringLiteral("filterMalformed"));
    m_malformed->setReadOnly(true);
    m_malformed->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_malformed->setMaximumHeight(90);
    m_malformed->hide();

    auto *chooseOutputButton = new QPushButton(tr("Choose…"));
    connect(chooseOutputButton, &QPushButton::clicked, this, &ApplyPanel::chooseOutput);
    connect(m_loadModel, &QPushButton::clicked, this, &ApplyPanel::chooseModel);
    connect(m_apply, &QPushButton::clicked, this, &ApplyPanel::applyRequested);

    auto *modelRow = new QHBoxLayout;
    modelRow->addWidget(m_model, 1);
    modelRow->addWidget(m_loadModel);
    auto *outputRow = new QHBoxLayout;
    outputRow->addWidget(m_output, 1);
    outputRow->addWidget(chooseOutputButton);
    auto *modeRow = new QHBoxLayout;
    modeRow->addWidget(m_mode, 1);
    modeRow->addWidget(m_apply);

    auto *form = new QFormLayout;
    form->addRow(tr("Model:"), modelRow);
    form->addRow(tr("Inputs:"), m_inputs);
    form->addRow(tr("Output:"), outputRow);
    form->addRow(tr("Mode:"), modeRow);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_summary);
    layout->addWidget(m_malformed);
    showModel(tr("none yet: train a filter above or use a model file"));
}

QStringList ApplyPanel::inputs() const
{
    return m_inputs->files();
}

void ApplyPanel::setInputs(const QStringList &inputs)
{
    m_inputs->setFiles(inputs);
}

QString ApplyPanel::output() const
{
    return m_output->text().trimmed();
}

void ApplyPanel::setOutput(const QString &output)
{
    m_output->setText(output);
}

ApplyMode ApplyPanel::mode() const
{
    return applyModeFromName(m_mode->currentData().toString()).value_or(ApplyMode::Keep);
}

void ApplyPanel::setMode(ApplyMode mode)
{
    m_mode->setCurrentIndex(m_mode->findData(applyModeName(mode)));
}

void ApplyPanel::showModel(const QString &description)
{
    m_model->setText(description);
}

void ApplyPanel::showResult(const FilterApplyResult &result)
{
    const FilterApplySummary &s = result.summary;
    const QLocale locale;
    const double megabytes = double(s.inputBytes) / 1e6;
    const QString speed
        = s.seconds > 0 ? locale.toString(megabytes / s.seconds, 'f', 1) : QStringLiteral("–");
    m_summary->setText(
        tr("%1 lines read · %2 kept (score ≥ %3) · %4 written · %5 malformed · %6 MB in %7 s "
           "(%8 MB/s) → %9")
            .arg(locale.toString(s.lines), locale.toString(s.kept),
                 QString::number(s.threshold, 'f', 4), locale.toString(s.written),
                 locale.toString(s.malformed), locale.toString(megabytes, 'f', 1),
                 locale.toString(s.seconds, 'f', 2), speed,
                 QDir::toNativeSeparators(result.output)));
    QStringList problems = result.problems;
    if (s.malformed > result.problems.size())
        problems << tr("… and %1 more").arg(locale.toString(s.malformed - result.problems.size()));
    m_malformed->setPlainText(problems.join(QLatin1Char('\n')));
    m_malformed->setVisible(s.malformed > 0);
}

void ApplyPanel::clearResult()
{
    m_summary->clear();
    m_malformed->clear();
    m_malformed->hide();
}

void ApplyPanel::chooseOutput()
{
    const QString dir = QSettings().value(QStringLiteral("files/filterDir")).toString();
    const bool scores = mode() == ApplyMode::Score;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Output File"),
        QDir(dir).filePath(scores ? QStringLiteral("scores.txt")
                                  : QStringLiteral("filtered.jsonl")),
        tr("JSON Lines (*.jsonl);;Text (*.txt);;All files (*)"));
    if (!path.isEmpty())
        setOutput(path);
}

void ApplyPanel::chooseModel()
{
    const QString dir = QSettings().value(QStringLiteral("files/filterDir")).toString();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Use Model File"), dir, tr("fastText models (*.bin *.ftz);;All files (*)"));
    if (!path.isEmpty())
        Q_EMIT loadModelRequested(path);
}

}  // namespace pcs
