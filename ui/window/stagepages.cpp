#include "ui/window/stagepages.h"

#include "ui/charts/comparisonchart.h"
#include "ui/charts/distributionchart.h"
#include "ui/charts/estimatorlabels.h"
#include "ui/charts/rankedestimateschart.h"
#include "ui/charts/textscatterchart.h"
#include "ui/models/selectiontablemodel.h"
#include "ui/models/textfocus.h"
#include "ui/models/texttableview.h"
#include "ui/window/selectioncontrols.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

#include <functional>
#include <utility>

namespace pcs {

namespace {

QLabel *hintLabel(const QString &text)
{
    auto *label = new QLabel(text);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

// A page that brings itself up to date only while it is shown: a hidden page's views cost
// nothing on each rerun, and catch up once when the user opens the page.
class LazyPage : public QWidget {
public:
    std::function<void()> refresh;
    std::function<void()> firstShown;

    void refreshWhenVisible()
    {
        if (isVisible())
            refresh();
        else
            m_stale = true;
    }

protected:
    void showEvent(QShowEvent *event) override
    {
        QWidget::showEvent(event);
        if (firstShown)
            std::exchange(firstShown, nullptr)();
        if (std::exchange(m_stale, false))
            refresh();
    }

private:
    bool m_stale = false;
};

}  // namespace

QWidget *createSelectionPage(SelectionSession *session, TextFocus *focus,
                             SelectionControls *controls)
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(controls);

    auto *table = new TextTableView;
    table->setObjectName(QStringLiteral("textTable"));
    table->setFocusObject(focus);
    table->model()->setBackgroundThreshold(kBackgroundViewTexts);
    auto *ranked = new RankedEstimatesChart;
    ranked->setObjectName(QStringLiteral("rankedChart"));
    ranked->setBackgroundThreshold(kBackgroundViewTexts);
    ranked->setFocusObject(focus);
    auto *scatter = new TextScatterChart;
    scatter->setObjectName(QStringLiteral("scatterChart"));
    scatter->setFocusObject(focus);

    QObject::connect(
        session, &SelectionSession::outcomeChanged, page, [session, table, ranked, scatter] {
            const auto outcome = session->outcome();
            table->setTable(std::shared_ptr<const SelectionTable>(outcome, &outcome->table));
            ranked->setData(session->data(), outcome);
            scatter->setData(session->data(), outcome);
        });

    auto *charts = new QSplitter(Qt::Vertical);
    charts->setObjectName(QStringLiteral("selectionChartsSplitter"));
    charts->addWidget(ranked);
    charts->addWidget(scatter);
    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->setObjectName(QStringLiteral("selectionSplitter"));
    splitter->addWidget(table);
    splitter->addWidget(charts);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    // Half each: at 1280×720 the table then shows every column and a readable name.
    splitter->setSizes({ 600, 600 });
    layout->addWidget(splitter, 1);
    layout->addWidget(hintLabel(
        QObject::tr("Click a row or a point to see that text's LLMs: a positive estimate means "
                    "LLMs with lower BPB on the text tend to have lower benchmark error.")));
    return page;
}

QWidget *createDistributionPage(SelectionSession *session, TextFocus *focus, QAction *exportAction)
{
    auto *page = new LazyPage;
    auto *layout = new QVBoxLayout(page);
    auto *summary = new QLabel;
    summary->setObjectName(QStringLiteral("distributionSummary"));
    summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *exportButton = new QToolButton;
    exportButton->setDefaultAction(exportAction);
    exportButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto *top = new QHBoxLayout;
    top->addWidget(summary, 1);
    top->addWidget(exportButton);
    layout->addLayout(top);

    auto *chart = new DistributionChart;
    chart->setObjectName(QStringLiteral("distributionChart"));
    chart->setBackgroundThreshold(kBackgroundViewTexts);
    chart->setFocusObject(focus);
    layout->addWidget(chart, 1);
    layout->addWidget(hintLabel(
        QObject::tr("Included texts by weight, with the cumulative share of the pool they hold. "
                    "Drag to zoom; double-click to see all.")));

    page->refresh = [session, chart, summary] {
        const auto outcome = session->outcome();
        if (!outcome)
            return;
        chart->setData(session->data(), outcome);
        const QLocale locale;
        const double largest
            = outcome->table.weight.size() > 0 ? outcome->table.weight.maxCoeff() : 0.0;
        summary->setText(
            QObject::tr("<b>%1</b> of %2 texts included · effective number of texts (1/Σw²) %3 "
                        "· largest weight %4 · %5 projection, keep ratio %6")
                .arg(locale.toString(chart->includedCount()),
                     locale.toString(qlonglong(outcome->table.texts.size())),
                     DistributionChart::effectiveNumberText(chart->effectiveSize()),
                     QString::number(largest, 'e', 2),
                     projectionName(outcome->parameters.projection),
                     locale.toString(outcome->parameters.keepRatio, 'g', 4)));
    };
    QObject::connect(session, &SelectionSession::outcomeChanged, page,
                     &LazyPage::refreshWhenVisible);
    return page;
}

QWidget *createComparePage(SelectionSession *session, TextFocus *focus)
{
    auto *page = new LazyPage;
    auto *layout = new QVBoxLayout(page);
    auto *top = new QHBoxLayout;
    auto *current = new QLabel;
    current->setObjectName(QStringLiteral("compareCurrent"));
    auto *other = new QComboBox;
    other->setObjectName(QStringLiteral("compareEstimator"));
    for (const Estimator estimator : { Estimator::Spearmanr, Estimator::SignCdf, Estimator::Sign,
                                       Estimator::SignSign, Estimator::Product }) {
        other->addItem(estimatorChoiceLabel(estimator), estimatorName(estimator));
        other->setItemData(other->count() - 1, estimatorHelp(estimator), Qt::ToolTipRole);
    }
    other->setToolTip(QObject::tr(
        "The estimator to set beside the selection's own; computed in the background."));
    top->addWidget(current);
    top->addWidget(other);
    top->addStretch(1);
    layout->addLayout(top);

    auto *chart = new ComparisonChart;
    chart->setObjectName(QStringLiteral("comparisonChart"));
    chart->setBackgroundThreshold(kBackgroundViewTexts);
    chart->setFocusObject(focus);
    layout->addWidget(chart, 1);

    auto request = [session, other] {
        if (const auto estimator = estimatorFromName(other->currentData().toString()))
            session->requestComparison(*estimator);
    };
    QObject::connect(other, &QComboBox::activated, page, request);
    page->firstShown = request;
    QObject::connect(session, &SelectionSession::outcomeChanged, page, [session, current, other] {
        const auto outcome = session->outcome();
        current->setText(QObject::tr("Compare <b>%1</b> (the selection's estimator) with")
                             .arg(estimatorLabel(outcome->parameters.estimator)));
        if (!session->comparisonEstimator()) {
            // Until the user picks one: the paper's other rank-based estimator.
            const Estimator choice = outcome->parameters.estimator == Estimator::SignCdf
                ? Estimator::Spearmanr
                : Estimator::SignCdf;
            other->setCurrentIndex(other->findData(estimatorName(choice)));
        }
    });
    page->refresh = [session, other, chart] {
        const auto estimator = session->comparisonEstimator();
        if (!estimator || !session->outcome() || session->comparisonEstimate().size() == 0)
            return;
        other->setCurrentIndex(other->findData(estimatorName(*estimator)));
        chart->setComparison(session->outcome(), session->comparisonEstimate(),
                             estimatorLabel(*estimator));
    };
    QObject::connect(session, &SelectionSession::comparisonChanged, page,
                     &LazyPage::refreshWhenVisible);
    return page;
}

}  // namespace pcs
