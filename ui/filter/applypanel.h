#pragma once

#include "core/filter/filterapply.h"

#include <QGroupBox>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace pcs {

class FileListEdit;
struct FilterApplyResult;

// Applying a filter to corpora: the model in use (the trained one or a file), the input files,
// the mode, the output file, and what the last run did with its malformed lines.
class ApplyPanel : public QGroupBox {
    Q_OBJECT
public:
    explicit ApplyPanel(QWidget *parent = nullptr);

    QStringList inputs() const;
    void setInputs(const QStringList &inputs);
    QString output() const;
    void setOutput(const QString &output);
    ApplyMode mode() const;
    void setMode(ApplyMode mode);

    void showModel(const QString &description);
    void showResult(const FilterApplyResult &result);
    void clearResult();

    QPushButton *applyButton() const { return m_apply; }
    QPushButton *loadModelButton() const { return m_loadModel; }

Q_SIGNALS:
    void applyRequested();
    void loadModelRequested(const QString &path);

private:
    void chooseOutput();
    void chooseModel();

    QLabel *m_model;
    QPushButton *m_loadModel;
    FileListEdit *m_inputs;
    QComboBox *m_mode;
    QLineEdit *m_output;
    QPushButton *m_apply;
    QLabel *m_summary;
    QPlainTextEdit *m_malformed;
};

}  // namespace pcs
