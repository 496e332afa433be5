#include "ui/filter/filterpage.h"

#include "core/filter/fasttextmodel.h"
#include "core/workspace/selectionsession.h"
#include "core/workspace/sessionexport.h"
#include "ui/common/filedialogs.h"
#include "ui/filter/applypanel.h"
#include "ui/filter/evaluationpanel.h"
#include "ui/filter/trainingpanel.h"

#include <QCheckBox>
#include <QDir>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include <cmath>
#include <utility>

namespace pcs {

namespace {

QString nativePath(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

}  // namespace

FilterPage::FilterPage(SelectionSession *selection, FilterSession *session, QWidget *parent)
    : QWidget(parent)
    , m_selection(selection)
    , m_session(session)
    , m_error(new QLabel)
    , m_status(new QLabel)
    , m_progress(new QProgressBar)
    , m_cancel(new QPushButton(tr("Cancel")))
    , m_training(new TrainingPanel)
    , m_evaluation(new EvaluationPanel)
    , m_apply(new ApplyPanel)
    , m_quantize(new QCheckBox(tr("Also save a quantized .ftz")))
    , m_export(new QPushButton(tr("&Export Model Bundle…")))
    , m_exportStatus(new QLabel)
{
    m_error->setObjectName(QStringLiteral("filterError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #c0392b; font-weight: 600; }"));
    m_error->hide();

    auto *content = new QWidget;
    auto *sections = new QVBoxLayout(content);
    sections->addWidget(m_training);
    sections->addWidget(m_evaluation, 1);
    sections->addWidget(createExportBox());
    sections->addWidget(m_apply);
    auto *scroll = new QScrollArea;
    scroll->setObjectName(QStringLiteral("filterScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(createProgressRow());
    layout->addWidget(m_error);
    layout->addWidget(scroll, 1);

    connect(m_training, &TrainingPanel::trainRequested, this, [this] { train(); });
    connect(m_apply, &ApplyPanel::applyRequested, this,
            [this] { applyTo(m_apply->inputs(), m_apply->output(), m_apply->mode()); });
    connect(m_apply, &ApplyPanel::loadModelRequested, this,
            [this](const QString &path) { loadModelFrom(path); });
    connect(m_export, &QPushButton::clicked, this, &FilterPage::exportWithDialog);
    connect(m_cancel, &QPushButton::clicked, m_session, &FilterSession::cancel);
    connectSession();
    updateEnabled();
}

FilterPage::~FilterPage() = default;

QWidget *FilterPage::createProgressRow()
{
    m_status->setObjectName(QStringLiteral("filterStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setObjectName(QStringLiteral("filterProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(260);
    m_progress->setTextVisible(true);  // the percent done
    m_progress->setFormat(QStringLiteral("%p%"));
    m_status->setWordWrap(true);  // a long status wraps instead of widening the window
    m_progress->hide();
    m_cancel->setObjectName(QStringLiteral("filterCancelButton"));
    m_cancel->hide();
    m_statusRow = new QWidget;
    auto *layout = new QHBoxLayout(m_statusRow);
    layout->setContentsMargins(9, 6, 9, 0);
    layout->addWidget(m_status, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_cancel);
    m_statusRow->hide();  // until there is something to say
    return m_statusRow;
}

QWidget *FilterPage::createExportBox()
{
    m_export->setObjectName(QStringLiteral("filterExportButton"));
    m_export->setToolTip(tr("Saves the model (.bin) with a manifest: threshold, rule, settings, "
                            "training data counts, held-out evaluation and input hashes"));
    m_quantize->setObjectName(QStringLiteral("filterQuantize"));
    m_quantize->setToolTip(tr("A much smaller model beside the .bin, with its own threshold"));
    m_exportStatus->setObjectName(QStringLiteral("filterExportStatus"));
    m_exportStatus->setWordWrap(true);
    m_exportStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_exportStatus->hide();  // until there is an export to report
    auto *box = new QGroupBox(tr("Model bundle"));
    auto *row = new QHBoxLayout;
    row->addWidget(m_export);
    row->addWidget(m_quantize);
    row->addStretch(1);
    auto *layout = new QVBoxLayout(box);
    layout->addLayout(row);
    layout->addWidget(m_exportStatus);
    return box;
}

void FilterPage::connectSession()
{
    connect(m_session, &FilterSession::busyChanged, this, [this](bool busy) {
        m_statusRow->show();
        m_progress->setVisible(busy);
        m_cancel->setVisible(busy);
        if (busy) {
            // An empty range makes the bar a busy indicator.
            m_progress->setRange(0, m_session->reportsProgress() ? 1000 : 0);
            m_progress->setValue(0);
            m_taskClock.start();
        }
        updateEnabled();
    });
    connect(m_session, &FilterSession::progressChanged, this,
            [this](int permille, const QString &activity) {
                m_progress->setValue(permille);
                showStatus(progressText(activity, permille, m_taskClock.elapsed()));
            });
    connect(m_session, &FilterSession::trainingFinished, this, [this] {
        clearError();
        const auto filter = m_session->filter();
        m_evaluation->setFilter(filter);
        m_apply->showModel(tr("the filter trained above, at the threshold set there"));
        m_exportStatus->clear();
        m_exportStatus->hide();
        showStatus(tr("Trained on %1 documents in %2 s")
                       .arg(QLocale().toString(filter->data.trainDocuments))
                       .arg(QLocale().toString(filter->trainSeconds, 'f', 1)));
        updateEnabled();
    });
    connect(m_session, &FilterSession::trainingFailed, this, [this](const Error &error) {
        fail(error);
        showStatus(tr("Training failed"));
    });
    connect(m_session, &FilterSession::trainingCanceled, this, [this] {
        showStatus(m_session->filter() ? tr("Training canceled; the previous filter is kept")
                                       : tr("Training canceled"));
    });
    connect(
        m_session, &FilterSession::exportFinished, this, [this](const FilterExportResult &result) {
            clearError();
            QString text = tr("Saved %1 and its manifest").arg(nativePath(result.modelPath));
            if (!result.quantizedPath.isEmpty())
                text += tr("; the quantized %1 with its own").arg(nativePath(result.quantizedPath));
            text += tr(". Threshold %1: %2.")
                        .arg(QString::number(result.choice.threshold, 'f', 4),
                             result.choice.describe());
            m_exportStatus->setText(text);
            m_exportStatus->show();
            showStatus(tr("Exported"));
        });
    connect(m_session, &FilterSession::exportFailed, this, [this](const Error &error) {
        fail(error);
        showStatus(tr("Export failed"));
    });
    connect(m_session, &FilterSession::modelLoaded, this, [this] {
        clearError();
        QString text = nativePath(m_session->loadedModelPath());
        if (const auto manifest = m_session->loadedModelManifest()) {
            // The threshold it was saved with is the natural one to apply it with.
            const double saved = manifest->value(QStringLiteral("threshold"))
                                     .toObject()
                                     .value(QStringLiteral("value"))
                                     .toDouble(m_evaluation->threshold());
            if (!m_session->filter())
                m_evaluation->clearFilter(true);
            m_evaluation->setThreshold(saved);
            if (!m_restoredThreshold)
                text += tr(" (threshold %1 from its manifest)").arg(QString::number(saved, 'f', 4));
        } else if (!m_session->filter()) {
            m_evaluation->clearFilter(true);
        }
        // Once: a model loaded later by hand comes with its own threshold again.
        if (const auto restored = std::exchange(m_restoredThreshold, std::nullopt)) {
            m_evaluation->setThreshold(*restored);
            text
                += tr(" (threshold %1 from the workspace)").arg(QString::number(*restored, 'f', 4));
        }
        m_apply->showModel(text);
        showStatus(tr("Model loaded"));
        updateEnabled();
    });
    connect(m_session, &FilterSession::modelLoadFailed, this, [this](const Error &error) {
        fail(error);
        showStatus(tr("Could not load the model"));
    });
    connect(m_session, &FilterSession::applyFinished, this,
            [this](const FilterApplyResult &result) {
                clearError();
                m_apply->showResult(result);
                showStatus(tr("Applied"));
            });
    connect(m_session, &FilterSession::applyFailed, this, [this](const Error &error) {
        fail(error);
        showStatus(tr("Apply failed; no output was written"));
    });
    connect(m_session, &FilterSession::applyCanceled, this,
            [this] { showStatus(tr("Apply canceled; no output was written")); });
}

void FilterPage::setTextFiles(const QStringList &files)
{
    m_training->setTextFiles(files);
}

void FilterPage::suggestTexts(const QStringList &files, int buckets)
{
    if (!m_training->textFiles().isEmpty())
        return;
    m_training->setTextFiles(files);
    if (buckets > 0)
        m_training->setBuckets(buckets);
}

void FilterPage::setDistributionFile(const QString &path)
{
    m_training->setDistributionFile(path);
}

void FilterPage::useCurrentSelection()
{
    m_training->setUseCurrentSelection();
}

double FilterPage::threshold() const
{
    return m_evaluation->threshold();
}

FilterStageSettings FilterPage::stageSettings() const
{
    FilterStageSettings settings;
    settings.textFiles = m_training->textFiles();
    if (!m_training->usesCurrentSelection())
        settings.distributionFile = m_training->distributionFile();
    settings.textField = m_training->textField();
    // A threshold means something only with a filter or a model to apply it with.
    if (m_evaluation->rule() == ThresholdChoice::Rule::Given
        && (m_session->filter() || m_session->applyModel()))
        settings.threshold = m_evaluation->threshold();
    settings.modelPath = m_session->loadedModelPath();
    settings.applyInputs = m_apply->inputs();
    settings.applyOutput = m_apply->output();
    settings.applyMode = m_apply->mode();
    return settings;
}

void FilterPage::restoreStageSettings(const FilterStageSettings &settings)
{
    m_training->setTextFiles(settings.textFiles);
    if (settings.distributionFile.isEmpty())
        m_training->setUseCurrentSelection();
    else
        m_training->setDistributionFile(settings.distributionFile);
    m_training->setTextField(settings.textField);
    m_apply->setInputs(settings.applyInputs);
    m_apply->setOutput(settings.applyOutput);
    m_apply->setMode(settings.applyMode);
    m_restoredThreshold = settings.threshold;
    if (settings.threshold)
        m_evaluation->setThreshold(*settings.threshold);
    // Loads in the background; the threshold the workspace kept wins over the manifest's.
    if (!settings.modelPath.isEmpty())
        loadModelFrom(settings.modelPath);
}

Status FilterPage::train()
{
    FilterTrainOptions options = m_training->options();
    if (options.data.textFiles.isEmpty())
        return fail(Error::badInput(tr("add at least one text file (JSON Lines) to train on")));
    if (options.data.keyField.isEmpty() || options.data.textField.isEmpty())
        return fail(Error::badInput(tr("name the key field and the text field of the texts")));
    FilterSession::PrepareStep prepare;
    if (m_training->usesCurrentSelection()) {
        const auto selectionData = m_selection ? m_selection->data() : nullptr;
        const auto outcome = m_selection ? m_selection->outcome() : nullptr;
        if (!selectionData || !outcome || !outcome->table.hasDistribution())
            return fail(Error::badInput(tr("no selection yet: load data and run a selection first, "
                                           "or choose a distribution file")));
        if (!m_scratch.isValid())
            return fail(Error::internal(
                tr("cannot create a temporary folder: %1").arg(m_scratch.errorString())));
        // A new file per training: an earlier filter's manifest still refers to its own.
        options.data.distributionFile
            = m_scratch.filePath(QStringLiteral("selection-%1.csv").arg(++m_trainings));
        prepare = [selectionData, outcome, path = options.data.distributionFile] {
            return exportDistribution(*selectionData, *outcome, path);
        };
    } else {
        options.data.distributionFile = m_training->distributionFile();
        if (options.data.distributionFile.isEmpty())
            return fail(Error::badInput(tr("choose a distribution file (text,weight CSV)")));
    }
    if (Status started = m_session->train(options, std::move(prepare)); !started)
        return fail(started.error());
    clearError();
    return Done {};
}

void FilterPage::exportWithDialog()
{
    const QString path
        = filedialogs::saveFile(this, FileRole::Filter, tr("Export Model Bundle"),
                                QStringLiteral("filter.bin"), tr("fastText model (*.bin)"));
    if (!path.isEmpty())
        exportBundleTo(path, m_quantize->isChecked());
}

Status FilterPage::exportBundleTo(const QString &path, bool quantize)
{
    QString modelPath = path;
    if (QFileInfo(modelPath).suffix().isEmpty())
        modelPath += QStringLiteral(".bin");
    m_quantize->setChecked(quantize);
    if (Status started = m_session->exportBundle(modelPath, m_evaluation->choice(), quantize);
        !started)
        return fail(started.error());
    clearError();
    return Done {};
}

Status FilterPage::applyTo(const QStringList &inputs, const QString &output, ApplyMode mode)
{
    m_apply->setInputs(inputs);
    m_apply->setOutput(output);
    m_apply->setMode(mode);
    if (inputs.isEmpty())
        return fail(Error::badInput(tr("add at least one corpus file to apply the filter to")));
    if (output.isEmpty())
        return fail(Error::badInput(tr("choose an output file")));
    // The session refuses an output that would replace an input or the model.
    FilterApplyOptions options;
    options.inputs = inputs;
    options.output = output;
    options.mode = mode;
    options.threshold = m_evaluation->threshold();
    options.textField = m_training->textField();
    m_apply->clearResult();
    if (Status started = m_session->apply(options); !started)
        return fail(started.error());
    clearError();
    return Done {};
}

Status FilterPage::loadModelFrom(const QString &path)
{
    if (Status started = m_session->loadModel(path); !started)
        return fail(started.error());
    clearError();
    return Done {};
}

void FilterPage::updateEnabled()
{
    const bool idle = !m_session->isBusy();
    m_training->trainButton()->setEnabled(idle);
    m_export->setEnabled(idle && m_session->filter());
    m_apply->applyButton()->setEnabled(idle && m_session->applyModel());
    m_apply->loadModelButton()->setEnabled(idle);
}

Status FilterPage::fail(const Error &error)
{
    m_error->setText(error.toString());
    m_error->show();
    return error;
}

void FilterPage::clearError()
{
    m_error->clear();
    m_error->hide();
}

QString FilterPage::progressText(const QString &activity, int permille, qint64 elapsedMs)
{
    const QLocale locale;
    QString text = tr("%1… %2%").arg(activity, locale.toString(permille / 10.0, 'f', 1));
    // The rate so far gives the rest; not before a few percent and a second, when it is noise.
    if (permille >= 20 && permille < 1000 && elapsedMs >= 1000) {
        const double remaining = double(elapsedMs) / 1000.0 * (1000.0 - permille) / permille;
        text += remaining < 90 ? tr(" · about %1 s left").arg(int(std::ceil(remaining)))
                               : tr(" · about %1 min left").arg(int(std::ceil(remaining / 60)));
    }
    return text;
}

void FilterPage::showStatus(const QString &text)
{
    m_status->setText(text);
    m_statusRow->setVisible(!text.isEmpty() || m_session->isBusy());
}

}  // namespace pcs
