#include "window/mainwindow.h"

#include "pcstudio_version.h"

#include <QLabel>

namespace pcs {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Perplexity Correlations Studio"));
    auto *placeholder = new QLabel(tr("Perplexity Correlations Studio %1").arg(QStringLiteral(PCSTUDIO_VERSION)), this);
    placeholder->setAlignment(Qt::AlignCenter);
    setCentralWidget(placeholder);
    resize(1100, 720);
}

}  // namespace pcs
