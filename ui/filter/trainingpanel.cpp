#include "ui/filter/trainingpanel.h"

#include "ui/filter/filelistedit.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace pcs {

namespace {

enum DistributionSource { CurrentSelection, FromFile };

QSpinBox *intSpin(const char *name, int min, int max, int value)
{
    auto *spin = new QSpinBox;
    spin->setObjectName(QString::fromLatin1(name));
    spin->setRange(min, max);
    spin->setValue(value);
    return spin;
}

QDoubleSpinBox *realSpin(const char *name, double min, double max, int decimals, double value)
{
    auto *spin = new QDoubleSpinBox;
    spin->setObjectName(QString::fromLatin1(name));
    spin->setRange(min, max);
    spin->setDecimals(decimals);
    spin->setSingleStep(std::pow(10.0, -std::min(decimals, 2)));
    spin->setValue(value);
    return spin;
}

}  // namespace

TrainingPanel::TrainingPanel(QWidget *parent)
    : QGroupBox(tr("Training data"), parent)
    , m_texts(new FileListEdit(tr("Add Text Files"),
                               tr("JSON Lines (*.jsonl *.json *.jsonl.gz *.jsonl.zst *.gz *.zst);;"
                                  "All files (*)")))
    , m_keyField(new QLineEdit(QStringLiteral("id")))
    , m_textField(new QLineEdit(QStringLiteral("text")))
    , m_distributionSource(new QComboBox)
    , m_distributionFile(new QLineEdit)
    , m_browseDistribution(new QPushButton(tr("Choose…")))
    , m_train(new QPushButton(tr("&Train Filter")))
{
    m_texts->setObjectName(QStringLiteral("filterTexts"));
    m_texts->listWidget()->setObjectName(QStringLiteral("filterTextsList"));
    m_texts->listWidget()->setMinimumHeight(60);
    m_texts->listWidget()->setMaximumHeight(72);
    m_texts->setToolTip(tr("Documents as JSON Lines (optionally .gz or .zst), one record per line "
                           "with a key and a text field"));
    m_keyField->setObjectName(QStringLiteral("filterKeyField"));
    m_keyField->setToolTip(tr("The field matched against the distribution's text column"));
    m_textField->setObjectName(QStringLiteral("filterTextField"));
    m_textField->setToolTip(tr("The field holding the document; Apply reads the same field"));
    m_distributionSource->setObjectName(QStringLiteral("filterDistributionSource"));
    m_distributionSource->addItem(tr("Current selection"));
    m_distributionSource->addItem(tr("From file…"));
    m_distributionSource->setToolTip(
        tr("Documents whose key has a weight > 0 are include, the others exclude"));
    m_distributionFile->setObjectName(QStringLiteral("filterDistributionFile"));
    m_distributionFile->setPlaceholderText(tr("distribution CSV (text,weight)"));
    m_train->setObjectName(QStringLiteral("filterTrainButton"));
    m_train->setDefault(true);
    connect(m_train, &QPushButton::clicked, this, &TrainingPanel::trainRequested);
    connect(m_browseDistribution, &QPushButton::clicked, this,
            &TrainingPanel::chooseDistributionFile);
    connect(m_distributionSource, &QComboBox::activated, this, [this](int index) {
        if (index == FromFile && m_distributionFile->text().isEmpty())
            chooseDistributionFile();
        distributionSourceChanged();
    });

    auto *fields = new QHBoxLayout;
    fields->addWidget(new QLabel(tr("Key field:")));
    fields->addWidget(m_keyField);
    fields->addSpacing(12);
    fields->addWidget(new QLabel(tr("Text field:")));
    fields->addWidget(m_textField);
    auto *distribution = new QHBoxLayout;
    distribution->addWidget(m_distributionSource);
    distribution->addWidget(m_distributionFile, 1);
    distribution->addWidget(m_browseDistribution);

    auto *form = new QFormLayout;
    form->addRow(tr("Texts:"), m_texts);
    form->addRow(tr("Fields:"), fields);
    form->addRow(tr("Distribution:"), distribution);

    auto *trainRow = new QHBoxLayout;
    trainRow->addStretch(1);
    trainRow->addWidget(m_train);

    auto *left = new QVBoxLayout;
    left->addLayout(form);
    left->addStretch(1);
    auto *layout = new QHBoxLayout(this);
    layout->addLayout(left, 3);
    auto *right = new QVBoxLayout;
    right->addWidget(createAdvanced());
    right->addStretch(1);
    right->addLayout(trainRow);
    layout->addLayout(right, 2);
    distributionSourceChanged();
}

QWidget *TrainingPanel::createAdvanced()
{
    const FastTextParameters fastText;
    const TrainingDataOptions dataDefaults;
    m_epoch = intSpin("filterEpoch", 1, 10000, fastText.epoch);
    m_lr = realSpin("filterLearningRate", 0.001, 10.0, 3, fastText.lr);
    m_dim = intSpin("filterDim", 1, 1000, fastText.dim);
    m_wordNgrams = intSpin("filterWordNgrams", 1, 5, fastText.wordNgrams);
    m_minCount = intSpin("filterMinCount", 1, 1000000, fastText.minCount);
    m_buckets = intSpin("filterBuckets", 0, 100000000, fastText.bucket);
    m_buckets->setGroupSeparatorShown(true);
    m_buckets->setSingleStep(100000);
    // The model holds dim floats per bucket: 2M × 100 is 800 MB, meant for large corpora.
    m_buckets->setToolTip(tr("Hash buckets for the word n-grams: the model holds dim floats per "
                             "bucket; 100,000 suit a few thousand documents"));
    m_testFraction = realSpin("filterTestFraction", 0.01, 0.9, 2, dataDefaults.testFraction);
    m_seed = intSpin("filterSeed", 0, std::numeric_limits<int>::max(), int(dataDefaults.seed));
    m_threads = intSpin("filterThreads", 0, 1024, fastText.threads);
    m_threads->setSpecialValueText(tr("auto (%1)").arg(QThread::idealThreadCount()));
    m_epoch->setToolTip(tr("Passes over the training documents"));
    m_wordNgrams->setToolTip(tr("Word n-grams as features (2 = words and pairs of words)"));
    m_testFraction->setToolTip(tr("Share of the documents held out to evaluate the filter"));
    m_seed->setToolTip(tr("Seeds the held-out split and fastText"));

    m_advanced = new QGroupBox(tr("fastText and held-out split"));
    m_advanced->setObjectName(QStringLiteral("filterAdvanced"));
    auto *columns = new QHBoxLayout(m_advanced);
    auto *a = new QFormLayout;
    a->addRow(tr("Epochs:"), m_epoch);
    a->addRow(tr("Learning rate:"), m_lr);
    a->addRow(tr("Dimensions:"), m_dim);
    a->addRow(tr("Word n-grams:"), m_wordNgrams);
    a->addRow(tr("Seed:"), m_seed);
    auto *b = new QFormLayout;
    b->addRow(tr("Min count:"), m_minCount);
    b->addRow(tr("Buckets:"), m_buckets);
    b->addRow(tr("Held out:"), m_testFraction);
    b->addRow(tr("Threads:"), m_threads);
    columns->addLayout(a);
    columns->addLayout(b);
    m_advanced->hide();

    // Collapsed until asked for: the defaults (DCLM-style) need no room.
    auto *toggle = new QToolButton;
    toggle->setObjectName(QStringLiteral("filterAdvancedToggle"));
    toggle->setText(tr("Advanced settings"));
    toggle->setCheckable(true);
    toggle->setAutoRaise(true);
    toggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toggle->setArrowType(Qt::RightArrow);
    connect(toggle, &QToolButton::toggled, this, [this, toggle](bool expanded) {
        toggle->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
        m_advanced->setVisible(expanded);
    });
    auto *container = new QWidget;
    auto *layout = new QVBoxLayout(container);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(toggle, 0, Qt::AlignLeft);
    layout->addWidget(m_advanced);
    return container;
}

QStringList TrainingPanel::textFiles() const
{
    return m_texts->files();
}

void TrainingPanel::setTextFiles(const QStringList &files)
{
    m_texts->setFiles(files);
}

bool TrainingPanel::usesCurrentSelection() const
{
    return m_distributionSource->currentIndex() == CurrentSelection;
}

void TrainingPanel::setUseCurrentSelection()
{
    m_distributionSource->setCurrentIndex(CurrentSelection);
    distributionSourceChanged();
}

QString TrainingPanel::distributionFile() const
{
    return m_distributionFile->text().trimmed();
}

void TrainingPanel::setDistributionFile(const QString &path)
{
    m_distributionFile->setText(path);
    m_distributionSource->setCurrentIndex(FromFile);
    distributionSourceChanged();
}

QString TrainingPanel::textField() const
{
    return m_textField->text().trimmed();
}

void TrainingPanel::setTextField(const QString &field)
{
    m_textField->setText(field);
}

void TrainingPanel::chooseDistributionFile()
{
    const QString dir = QSettings().value(QStringLiteral("files/exportDir")).toString();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Choose a Distribution"), dir, tr("Distribution CSV (*.csv);;All files (*)"));
    if (!path.isEmpty())
        setDistributionFile(path);
    else if (m_distributionFile->text().isEmpty())
        setUseCurrentSelection();  // nothing chosen: back to what works without a file
}

void TrainingPanel::distributionSourceChanged()
{
    const bool fromFile = !usesCurrentSelection();
    m_distributionFile->setVisible(fromFile);
    m_browseDistribution->setVisible(fromFile);
}

FilterTrainOptions TrainingPanel::options() const
{
    FilterTrainOptions options;
    options.data.textFiles = textFiles();
    options.data.keyField = m_keyField->text().trimmed();
    options.data.textField = textField();
    options.data.testFraction = m_testFraction->value();
    options.data.seed = quint64(m_seed->value());
    options.fastText.epoch = m_epoch->value();
    options.fastText.lr = m_lr->value();
    options.fastText.dim = m_dim->value();
    options.fastText.wordNgrams = m_wordNgrams->value();
    options.fastText.minCount = m_minCount->value();
    options.fastText.bucket = m_buckets->value();
    options.fastText.threads = m_threads->value();
    options.fastText.seed = m_seed->value();
    return options;
}

void TrainingPanel::setBuckets(int buckets)
{
    m_buckets->setValue(buckets);
}

}  // namespace pcs
