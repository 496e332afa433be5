#pragma once

#include "core/filter/filtertrain.h"

#include <QGroupBox>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace pcs {

class FileListEdit;

// The Filter stage's training inputs: the text files, their key and text fields, where the
// distribution comes from (the current selection or a CSV) and fastText's settings (the
// defaults, under "Advanced settings").
class TrainingPanel : public QGroupBox {
    Q_OBJECT
public:
    explicit TrainingPanel(QWidget *parent = nullptr);

    QStringList textFiles() const;
    void setTextFiles(const QStringList &files);
    bool usesCurrentSelection() const;
    void setUseCurrentSelection();
    QString distributionFile() const;
    void setDistributionFile(const QString &path);  // and chooses "From file"
    QString textField() const;
    void setTextField(const QString &field);
    void setBuckets(int buckets);  // fastText's n-gram hash buckets (Advanced settings)

    // Everything but the distribution file, which depends on the source.
    FilterTrainOptions options() const;

    QPushButton *trainButton() const { return m_train; }

Q_SIGNALS:
    void trainRequested();

private:
    QWidget *createAdvanced();
    void chooseDistributionFile();
    void distributionSourceChanged();

    FileListEdit *m_texts;
    QLineEdit *m_keyField;
    QLineEdit *m_textField;
    QComboBox *m_distributionSource;
    QLineEdit *m_distributionFile;
    QPushButton *m_browseDistribution;
    QGroupBox *m_advanced;
    QSpinBox *m_epoch;
    QDoubleSpinBox *m_lr;
    QSpinBox *m_dim;
    QSpinBox *m_wordNgrams;
    QSpinBox *m_minCount;
    QSpinBox *m_buckets;
    QDoubleSpinBox *m_testFraction;
    QSpinBox *m_seed;
    QSpinBox *m_threads;
    QPushButton *m_train;
};

}  // namespace pcs
