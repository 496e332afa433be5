#pragma once

#include <QMainWindow>

namespace pcs {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
};

}  // namespace pcs
