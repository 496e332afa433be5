#include "ui/filter/evaluationpanel.h"

#include "core/filter/filterevaluation.h"
#include "ui/filter/scorehistogramchart.h"
#include "ui/filter/thresholdcurvechart.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QVBoxLayout>

#include <cmath>

namespace pcs {

namespace {

constexpr int kSliderSteps = 10000;  // the spin box's 4 decimals
constexpr int kHistogramBins = 50;

QString percent(double fraction)
{
    return QLocale().toString(100.0 * fraction, 'f', 1) + QLatin1Char('%');
}

// "1 line", "2 lines": tr()'s %n plurals need a translation loaded to drop the "(s)".
QString counted(qint64 n, const QString &one, const QString &many)
{
    return (n == 1 ? one : many).arg(QLocale().toString(n));
}

}  // namespace

EvaluationPanel::EvaluationPanel(QWidget *parent)
    : QGroupBox(tr("Evaluation on the held-out documents"), parent)
    , m_summary(new QLabel)
    , m_problems(new QPlainTextEdit)
    , m_thresholdSpin(new QDoubleSpinBox)
    , m_slider(new QSlider(Qt::Horizontal))
    , m_keepSpin(new QDoubleSpinBox)
    , m_includeShare(new QPushButton(tr("Include Share")))
    , m_kept(new QLabel)
    , m_metrics(new QLabel)
    , m_histogram(new ScoreHistogramChart)
    , m_curve(new ThresholdCurveChart)
{
    m_summary->setObjectName(QStringLiteral("filterSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problems->setObjectName(QStringLiteral("filterTrainingProblems"));
    m_problems->setReadOnly(true);
    m_problems->setMaximumHeight(70);
    m_problems->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_problems->hide();
    m_metrics->setObjectName(QStringLiteral("filterMetrics"));
    m_metrics->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_kept->setObjectName(QStringLiteral("filterKept"));
    m_kept->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_histogram->setObjectName(QStringLiteral("scoreHistogramChart"));
    m_curve->setObjectName(QStringLiteral("thresholdCurveChart"));
    m_histogram->setMinimumHeight(240);
    m_curve->setMinimumHeight(240);

    auto *charts = new QSplitter(Qt::Horizontal);
    charts->setObjectName(QStringLiteral("filterChartsSplitter"));
    charts->addWidget(m_histogram);
    charts->addWidget(m_curve);
    charts->setChildrenCollapsible(false);
    charts->setSizes({ 500, 500 });  // half each, whatever their size hints

    auto *density = new QCheckBox(tr("Per-class &density"));
    density->setObjectName(QStringLiteral("filterHistogramDensity"));
    density->setToolTip(tr("Each class's bins as a share of that class, so a small class shows "
                           "as clearly as a large one"));
    auto *logScale = new QCheckBox(tr("&Log scale"));
    logScale->setObjectName(QStringLiteral("filterHistogramLog"));
    logScale->setToolTip(tr("Heights as log(1 + count): a few documents still show beside "
                            "thousands"));
    connect(density, &QCheckBox::toggled, m_histogram, &ScoreHistogramChart::setPerClassDensity);
    connect(logScale, &QCheckBox::toggled, m_histogram, &ScoreHistogramChart::setLogScale);
    connect(m_histogram, &ScoreHistogramChart::scaleChanged, this, [this, density, logScale] {
        density->setChecked(m_histogram->perClassDensity());  // from the chart's menu
        logScale->setChecked(m_histogram->logScale());
    });
    auto *scaleRow = new QHBoxLayout;
    scaleRow->addWidget(new QLabel(tr("Histogram:")));
    scaleRow->addWidget(density);
    scaleRow->addWidget(logScale);
    scaleRow->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_problems);
    layout->addWidget(createThresholdRow());
    layout->addWidget(m_kept);
    layout->addWidget(m_metrics);
    layout->addLayout(scaleRow);
    layout->addWidget(charts, 1);
    clearFilter(false);
}

QWidget *EvaluationPanel::createThresholdRow()
{
    m_thresholdSpin->setObjectName(QStringLiteral("filterThreshold"));
    m_thresholdSpin->setRange(0, 1);
    m_thresholdSpin->setDecimals(4);
    m_thresholdSpin->setSingleStep(0.01);
    m_thresholdSpin->setToolTip(tr("Documents scoring at least this are kept (P(include), 0–1)"));
    // Applied on Enter or when the box loses focus: applying each keystroke would rewrite the
    // box under the cursor ("0." becomes "0.0000") and typing 0.45 would not give 0.45.
    m_thresholdSpin->setKeyboardTracking(false);
    m_slider->setObjectName(QStringLiteral("filterThresholdSlider"));
    m_slider->setRange(0, kSliderSteps);
    m_slider->setPageStep(kSliderSteps / 20);
    m_keepSpin->setObjectName(QStringLiteral("filterKeepFraction"));
    m_keepSpin->setRange(0, 1);
    m_keepSpin->setDecimals(4);
    m_keepSpin->setSingleStep(0.01);
    m_keepSpin->setToolTip(tr("Or set the threshold by the share of held-out documents to keep"));
    m_keepSpin->setKeyboardTracking(false);
    m_includeShare->setObjectName(QStringLiteral("filterThresholdReset"));
    m_includeShare->setToolTip(
        tr("Keep the share of held-out documents labelled include (the starting threshold)"));

    connect(m_thresholdSpin, &QDoubleSpinBox::valueChanged, this, [this](double value) {
        if (!m_updating)
            setThreshold(value);
    });
    connect(m_slider, &QSlider::valueChanged, this, [this](int value) {
        if (!m_updating)
            setThreshold(double(value) / kSliderSteps);
    });
    connect(m_keepSpin, &QDoubleSpinBox::valueChanged, this, [this](double value) {
        if (!m_updating)
            setKeepFraction(value);
    });
    connect(m_includeShare, &QPushButton::clicked, this, &EvaluationPanel::useIncludeShare);

    auto *row = new QWidget;
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Threshold:")));
    layout->addWidget(m_thresholdSpin);
    layout->addWidget(m_slider, 1);
    layout->addSpacing(12);
    layout->addWidget(new QLabel(tr("Keep fraction:")));
    layout->addWidget(m_keepSpin);
    layout->addWidget(m_includeShare);
    return row;
}

void EvaluationPanel::setFilter(std::shared_ptr<const TrainedFilter> filter)
{
    m_filter = std::move(filter);
    if (!m_filter) {
        clearFilter(false);
        return;
    }
    for (QWidget *control :
         std::initializer_list<QWidget *> { m_thresholdSpin, m_slider, m_keepSpin, m_includeShare })
        control->setEnabled(true);
    // The histograms do not depend on the threshold: counted once.
    const FilterEvaluation evaluation
        = evaluateFilter(m_filter->testScores, m_filter->testIsInclude, 0.5, kHistogramBins);
    m_histogram->setHistograms(evaluation.includeHistogram, evaluation.excludeHistogram);
    m_curve->setCurve(thresholdCurve(m_filter->testScores, m_filter->testIsInclude));
    showSummary();
    useIncludeShare();
}

void EvaluationPanel::clearFilter(bool thresholdEditable)
{
    m_filter.reset();
    m_histogram->clear();
    m_curve->clear();
    m_problems->clear();
    m_problems->hide();
    m_summary->setText(tr("Train a filter to see how well it separates the held-out documents."));
    m_thresholdSpin->setEnabled(thresholdEditable);
    m_slider->setEnabled(thresholdEditable);
    m_keepSpin->setEnabled(false);  // needs held-out scores
    m_includeShare->setEnabled(false);
    applyThreshold(m_threshold, ThresholdChoice::Rule::Given);
}

ThresholdChoice EvaluationPanel::choice() const
{
    if (!m_filter)
        return ThresholdChoice { ThresholdChoice::Rule::Given, m_threshold, 0, 0 };
    const bool given = m_rule == ThresholdChoice::Rule::Given;
    const bool byFraction = m_rule == ThresholdChoice::Rule::KeepFraction;
    return chooseThreshold(m_filter->testScores, m_filter->data,
                           given ? std::optional(m_threshold) : std::nullopt,
                           byFraction ? std::optional(m_requestedFraction) : std::nullopt);
}

void EvaluationPanel::setThreshold(double threshold)
{
    applyThreshold(threshold, ThresholdChoice::Rule::Given);
}

void EvaluationPanel::setKeepFraction(double fraction)
{
    if (!m_filter)
        return;
    m_requestedFraction = fraction;
    applyThreshold(thresholdForKeepFraction(m_filter->testScores, fraction),
                   ThresholdChoice::Rule::KeepFraction);
}

void EvaluationPanel::useIncludeShare()
{
    if (!m_filter)
        return;
    const ThresholdChoice start
        = chooseThreshold(m_filter->testScores, m_filter->data, std::nullopt, std::nullopt);
    m_requestedFraction = start.requestedFraction;
    applyThreshold(start.threshold, ThresholdChoice::Rule::IncludeShare);
}

void EvaluationPanel::applyThreshold(double threshold, ThresholdChoice::Rule rule)
{
    // Exact, not the spin box's 4 decimals: a rounded threshold could drop a tied document.
    m_threshold = threshold;
    m_rule = rule;
    m_updating = true;
    m_thresholdSpin->setValue(threshold);
    m_slider->setValue(int(std::lround(std::clamp(threshold, 0.0, 1.0) * kSliderSteps)));
    // While the user types a fraction, leave it; otherwise show the fraction kept.
    if (m_filter && rule != ThresholdChoice::Rule::KeepFraction)
        m_keepSpin->setValue(keptFraction(m_filter->testScores, threshold));
    m_updating = false;
    m_histogram->setThreshold(threshold);
    m_curve->setThreshold(threshold);
    showThresholdEffects();
    Q_EMIT thresholdChanged(threshold);
}

void EvaluationPanel::showSummary()
{
    const TrainingDataSummary &d = m_filter->data;
    const QLocale locale;
    QStringList parts;
    parts << tr("<b>%1</b> documents: %2 include, %3 exclude")
                 .arg(locale.toString(d.include + d.exclude), locale.toString(d.include),
                      locale.toString(d.exclude));
    parts << tr("%1 to train, %2 held out")
                 .arg(locale.toString(d.trainDocuments), locale.toString(d.testDocuments));
    parts << counted(d.problemCount, tr("%1 line skipped"), tr("%1 lines skipped"));
    QString unknown = counted(d.unknownKey, tr("%1 key not in the distribution"),
                              tr("%1 keys not in the distribution"));
    if (!d.unknownKeySample.isEmpty())
        unknown
            += tr(" (e.g. %1)")
                   .arg(d.unknownKeySample.mid(0, 3).join(QStringLiteral(", ")).toHtmlEscaped());
    parts << unknown;
    if (d.distributionKeysUnseen > 0)
        parts << counted(d.distributionKeysUnseen, tr("%1 distribution text without a document"),
                         tr("%1 distribution texts without a document"));
    parts << tr("trained in %1 s")
                 .arg(locale.toString(m_filter->prepareSeconds + m_filter->trainSeconds
                                          + m_filter->evaluateSeconds,
                                      'f', 1));
    m_summary->setText(parts.join(QStringLiteral(" · ")));

    m_problems->setVisible(d.problemCount > 0);
    QStringList problems = d.problems;
    if (d.problemCount > d.problems.size())
        problems << tr("… and %1 more").arg(locale.toString(d.problemCount - d.problems.size()));
    m_problems->setPlainText(problems.join(QLatin1Char('\n')));
}

void EvaluationPanel::showThresholdEffects()
{
    if (!m_filter) {
        // Only a model file to apply: nothing held out to measure the threshold on.
        m_kept->setText(m_thresholdSpin->isEnabled() ? tr(
                            "No held-out documents for this model: the threshold applies as set")
                                                     : QString());
        m_metrics->clear();
        return;
    }
    const FilterEvaluation e
        = evaluateFilter(m_filter->testScores, m_filter->testIsInclude, m_threshold, 0);
    const qint64 held = qint64(m_filter->testScores.size());
    const qint64 kept = e.truePositives + e.falsePositives;
    const QLocale locale;
    const QString rule = m_rule == ThresholdChoice::Rule::Given ? tr("set by hand")
        : m_rule == ThresholdChoice::Rule::KeepFraction
        ? tr("keep fraction %1").arg(locale.toString(m_requestedFraction, 'g', 4))
        : tr("keep the share labelled include (%1)").arg(percent(m_requestedFraction));
    m_kept->setText(tr("Keeps <b>%1</b> of the held-out documents (%2 of %3) · threshold: %4")
                        .arg(percent(held > 0 ? double(kept) / double(held) : 0.0),
                             locale.toString(kept), locale.toString(held), rule));
    m_metrics->setText(tr("Precision <b>%1</b> · recall <b>%2</b> · F1 %3 · ROC AUC %4")
                           .arg(QString::number(e.precision, 'f', 3),
                                QString::number(e.recall, 'f', 3), QString::number(e.f1, 'f', 3),
                                QString::number(e.rocAuc, 'f', 3)));
}

}  // namespace pcs
