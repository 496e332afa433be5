#include "window/stagepages.h"

#include "textfocus.h"
#include "models/texttableview.h"
#include "window/selectioncontrols.h"

#include <QAction>
#include <QLabel>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace pcs {

QWidget *createSelectionPage(SelectionSession *session, TextFocus *focus, SelectionControls *controls)
{
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(controls);
    auto *table = new TextTableView;
    table->setObjectName(QStringLiteral("textTable"));
    table->setFocusObject(focus);
    QObject::connect(session, &SelectionSession::outcomeChanged, table, [session, table] {
        const auto outcome = session->outcome();
        table->setTable(std::shared_ptr<const SelectionTable>(outcome, &outcome->table));
    });
    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(table);
    splitter->addWidget(new QLabel(QObject::tr("Charts")));
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);
    return page;
}

QWidget *createDistributionPage(SelectionSession *session, TextFocus *focus, QAction *exportAction)
{
    Q_UNUSED(session);
    Q_UNUSED(focus);
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    auto *exportButton = new QToolButton;
    exportButton->setDefaultAction(exportAction);
    exportButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    layout->addWidget(exportButton, 0, Qt::AlignRight);
    layout->addWidget(new QLabel(QObject::tr("Distribution chart")), 1);
    return page;
}

QWidget *createComparePage(SelectionSession *session, TextFocus *focus)
{
    Q_UNUSED(session);
    Q_UNUSED(focus);
    return new QLabel(QObject::tr("Estimator comparison"));
}

}  // namespace pcs
