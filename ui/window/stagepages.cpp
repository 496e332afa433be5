#include "window/stagepages.h"

#include "textfocus.h"
#include "window/selectioncontrols.h"

#include <QAction>
#include <QLabel>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace pcs {

QWidget *createSelectionPage(SelectionSession *session, TextFocus *focus, SelectionControls *controls)
{
    Q_UNUSED(session);
    Q_UNUSED(focus);
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(controls);
    auto *placeholder = new QLabel(QObject::tr("Table and charts"));
    layout->addWidget(placeholder, 1);
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
