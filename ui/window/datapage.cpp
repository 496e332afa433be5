#include "ui/window/datapage.h"

#include "ui/common/elidedlabel.h"
#include "ui/common/wrappinglabel.h"
#include "ui/window/datapagetext.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace pcs {

namespace {

QWidget *pathRow(QLineEdit *edit, QPushButton *browse)
{
    auto *row = new QWidget;
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    return row;
}

const QString kMapChoice = QStringLiteral("map");

enum BenchmarkColumn { NameColumn, MetricColumn, ErrorColumn, CoverageColumn };

}  // namespace

DataPage::DataPage(SelectionSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_bpbPath(new QLineEdit)
    , m_errorsPath(new QLineEdit)
    , m_tokensPath(new QLineEdit)
    , m_layout(new QComboBox)
    , m_error(new QLabel)
    , m_buildReport(new QLabel)
    , m_summary(new QLabel)
    , m_combine(new QComboBox)
    , m_combineHelp(new QLabel)
    , m_benchmarks(new QTreeWidget)
    , m_defaultBenchmarks(new QPushButton(tr("&Default set")))
    , m_match(new QComboBox)
    , m_mapPath(new ElidedLabel)
    , m_chooseMap(new QPushButton(tr("Choose…")))
    , m_dedupe(new QCheckBox(tr("Use only the first of LLMs with identical BPB values")))
    , m_dropped(new QTreeWidget)
{
    m_bpbPath->setObjectName(QStringLiteral("bpbPath"));
    m_errorsPath->setObjectName(QStringLiteral("errorsPath"));
    m_tokensPath->setObjectName(QStringLiteral("tokensPath"));
    m_error->setObjectName(QStringLiteral("loadError"));
    m_summary->setObjectName(QStringLiteral("dataSummary"));
    auto *files = new QGroupBox(tr("Input files"));
    auto *form = new QFormLayout(files);
    const QList<std::tuple<QLineEdit *, QString, QString, QString>> rows
        = { { m_bpbPath, QStringLiteral("bpb"), tr("BPB &matrix:"),
              tr("CSV/TSV (texts as rows, LLMs as rows, or llm,text,bpb) or .npy") },
            { m_errorsPath, QStringLiteral("errors"), tr("Benchmark &errors:"),
              tr("The package's CSV, or lm-evaluation-harness results JSON") },
            { m_tokensPath, QStringLiteral("token_counts"), tr("&Token counts:"),
              tr("Optional text,tokens CSV; without it every text counts equally") } };
    for (const auto &[edit, role, label, placeholder] : rows) {
        edit->setPlaceholderText(placeholder);
        edit->setClearButtonEnabled(true);
        auto *browse = new QPushButton(tr("Browse…"));
        connect(browse, &QPushButton::clicked, this,
                [this, role = role] { Q_EMIT browseRequested(role); });
        connect(edit, &QLineEdit::returnPressed, this, &DataPage::loadRequested);
        connect(edit, &QLineEdit::textChanged, this, &DataPage::pathsEdited);
        form->addRow(label, pathRow(edit, browse));
        if (edit == m_bpbPath) {
            // What the CLI's --layout sets: needed only when the header does not tell.
            m_layout->setObjectName(QStringLiteral("bpbLayout"));
            const QList<std::pair<BpbLayout, QString>> layouts
                = { { BpbLayout::Auto, tr("Automatic (from the header)") },
                    { BpbLayout::TextRows, tr("One row per text (the package's layout)") },
                    { BpbLayout::LlmRows, tr("One row per LLM") },
                    { BpbLayout::Long, tr("Long: llm,text,bpb") } };
            for (const auto &[layout, name] : layouts)
                m_layout->addItem(name, bpbLayoutName(layout));
            m_layout->setToolTip(tr("How the BPB file is laid out; Automatic reads it from the "
                                    "header (a .npy file is always a matrix)"));
            auto *layoutRow = new QHBoxLayout;
            layoutRow->addWidget(m_layout);
            layoutRow->addStretch(1);
            form->addRow(tr("&Layout:"), layoutRow);
            static_cast<QLabel *>(form->labelForField(layoutRow))->setBuddy(m_layout);
            connect(m_layout, &QComboBox::currentIndexChanged, this, &DataPage::pathsEdited);
        }
    }
    auto *load = new QPushButton(tr("&Load"));
    load->setDefault(true);
    connect(load, &QPushButton::clicked, this, &DataPage::loadRequested);
    form->addRow(QString(), load);

    // A long path in an error or a report wraps; it must not widen the window.
    m_error->setTextFormat(Qt::PlainText);
    makeWrapping(m_error);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #c0392b; font-weight: 600; }"));
    m_error->hide();
    m_buildReport->setObjectName(QStringLiteral("bpbBuildReport"));
    m_buildReport->setTextFormat(Qt::RichText);
    makeWrapping(m_buildReport);
    m_buildReport->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_buildReport->hide();

    auto *found = new QGroupBox(tr("What was found"));
    auto *foundLayout = new QVBoxLayout(found);
    makeWrapping(m_summary);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setText(tr("Nothing loaded yet. Choose the files above, drop them on the window, or "
                          "try Help ▸ Open Demo."));
    foundLayout->addWidget(m_summary);

    auto *lower = new QHBoxLayout;
    lower->addWidget(createBenchmarkBox(), 2);
    lower->addWidget(createLlmBox(), 3);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(files);
    layout->addWidget(m_error);
    layout->addWidget(m_buildReport);
    layout->addWidget(found);
    layout->addLayout(lower, 1);

    connect(m_session, &SelectionSession::loadFinished, this, [this] {
        clearError();
        refreshBenchmarks();
        refreshSummary();
        refreshLlms();
    });
    connect(m_session, &SelectionSession::outcomeChanged, this, [this] {
        clearError();
        refreshSummary();
        refreshChecks();
        refreshLlms();
    });
    connect(m_session, &SelectionSession::loadFailed, this, [this](const Error &error) {
        showError(error);
        clearFound(tr("Nothing loaded from these files: see the error above. (The Selection "
                      "stage still shows the files loaded before, if any.)"));
    });
    connect(m_session, &SelectionSession::runFailed, this, &DataPage::showError);
}

QWidget *DataPage::createBenchmarkBox()
{
    auto *box = new QGroupBox(tr("Benchmarks"));
    auto *layout = new QVBoxLayout(box);
    auto *combineRow = new QHBoxLayout;
    auto *combineLabel = new QLabel(tr("&Combine benchmarks:"));
    combineLabel->setBuddy(m_combine);
    m_combine->setObjectName(QStringLiteral("combineCombo"));
    for (Combination c : { Combination::Mean, Combination::RankMean, Combination::ZMean }) {
        m_combine->addItem(combinationLabel(c), combinationName(c));
        m_combine->setItemData(m_combine->count() - 1, combinationHelp(c), Qt::ToolTipRole);
    }
    combineRow->addWidget(combineLabel);
    combineRow->addWidget(m_combine);
    combineRow->addStretch(1);
    m_defaultBenchmarks->setObjectName(QStringLiteral("defaultBenchmarks"));
    m_defaultBenchmarks->setToolTip(defaultSetHelp());
    combineRow->addWidget(m_defaultBenchmarks);
    layout->addLayout(combineRow);
    m_combineHelp->setObjectName(QStringLiteral("combineHelp"));
    m_combineHelp->setWordWrap(true);
    m_combineHelp->setStyleSheet(QStringLiteral("QLabel { color: palette(mid); }"));
    m_combineHelp->setText(combinationHelp(Combination::Mean));
    layout->addWidget(m_combineHelp);

    m_benchmarks->setObjectName(QStringLiteral("benchmarkList"));
    m_benchmarks->setHeaderLabels({ tr("Benchmark"), tr("Metric"), tr("Error"), tr("LLMs") });
    m_benchmarks->setUniformRowHeights(true);
    m_benchmarks->header()->setStretchLastSection(false);
    m_benchmarks->header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    for (int column : { MetricColumn, ErrorColumn, CoverageColumn })
        m_benchmarks->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_benchmarks->setToolTip(defaultSetHelp());
    layout->addWidget(m_benchmarks, 1);

    connect(m_benchmarks, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem *, int column) {
        if (!m_updating && column == NameColumn)
            Q_EMIT benchmarksChosen(checkedBenchmarks());
    });
    connect(m_defaultBenchmarks, &QPushButton::clicked, this,
            [this] { Q_EMIT benchmarksChosen({}); });
    connect(m_combine, &QComboBox::currentIndexChanged, this, [this] {
        const auto combination = combinationFromName(m_combine->currentData().toString());
        m_combineHelp->setText(combinationHelp(combination.value_or(Combination::Mean)));
        if (!m_updating)
            emitAlignment();
    });
    return box;
}

QWidget *DataPage::createLlmBox()
{
    auto *box = new QGroupBox(tr("LLMs"));
    auto *layout = new QVBoxLayout(box);
    auto *matchRow = new QHBoxLayout;
    auto *matchLabel = new QLabel(tr("Match LLMs &by:"));
    matchLabel->setBuddy(m_match);
    m_match->setObjectName(QStringLiteral("matchCombo"));
    m_match->addItem(tr("Exact name"), llmMatchingName(LlmMatching::Exact));
    m_match->addItem(tr("Hugging Face id"), llmMatchingName(LlmMatching::HfId));
    m_match->addItem(tr("Map file…"), kMapChoice);
    m_match->setItemData(0, matchingHelp(LlmMatching::Exact, false), Qt::ToolTipRole);
    m_match->setItemData(1, matchingHelp(LlmMatching::HfId, false), Qt::ToolTipRole);
    m_match->setItemData(2, matchingHelp(LlmMatching::Exact, true), Qt::ToolTipRole);
    matchRow->addWidget(matchLabel);
    matchRow->addWidget(m_match);
    m_mapPath->setObjectName(QStringLiteral("llmMapPath"));
    matchRow->addWidget(m_mapPath, 1);
    m_chooseMap->setObjectName(QStringLiteral("chooseLlmMap"));
    m_chooseMap->hide();
    matchRow->addWidget(m_chooseMap);
    layout->addLayout(matchRow);
    m_dedupe->setObjectName(QStringLiteral("dedupeLlms"));
    m_dedupe->setToolTip(tr("Two names whose BPB values are identical in every text are probably "
                            "one model under two labels; counted twice, it would weigh double."));
    layout->addWidget(m_dedupe);
    m_dropped->setObjectName(QStringLiteral("droppedLlms"));
    m_dropped->setHeaderLabels({ tr("LLM"), tr("Why not used") });
    m_dropped->setUniformRowHeights(true);
    m_dropped->setWordWrap(false);
    m_dropped->setTextElideMode(Qt::ElideRight);
    // Reasons are read whole (the closest names are at their end): scroll rather than cut.
    m_dropped->header()->setStretchLastSection(false);
    m_dropped->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_dropped->header()->setSectionResizeMode(1, QHeaderView::Interactive);
    layout->addWidget(m_dropped, 1);

    connect(m_match, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_updating)
            matchChanged();
    });
    connect(m_chooseMap, &QPushButton::clicked, this,
            [this] { Q_EMIT browseRequested(QStringLiteral("llm_map")); });
    connect(m_dedupe, &QCheckBox::toggled, this, [this] {
        if (!m_updating)
            emitAlignment();
    });
    return box;
}

void DataPage::setPaths(const SelectionInputPaths &paths)
{
    m_bpbPath->setText(paths.bpb);
    m_errorsPath->setText(paths.errors);
    m_tokensPath->setText(paths.tokenCounts);
    const int layout = m_layout->findData(bpbLayoutName(paths.bpbOptions.layout));
    m_layout->setCurrentIndex(std::max(0, layout));
}

SelectionInputPaths DataPage::paths() const
{
    SelectionInputPaths paths;
    paths.bpb = m_bpbPath->text().trimmed();
    paths.errors = m_errorsPath->text().trimmed();
    paths.tokenCounts = m_tokensPath->text().trimmed();
    if (!bpbLayoutFromName(m_layout->currentData().toString(), &paths.bpbOptions.layout))
        paths.bpbOptions.layout = BpbLayout::Auto;
    return paths;
}

void DataPage::pathsEdited()
{
    // An error about the files goes once they change: its cause is being fixed. (A failed
    // load of the new files shows its own.)
    if (m_error->isHidden())
        return;
    const SelectionInputPaths now = paths();
    if (now.bpb != m_errorPaths.bpb || now.errors != m_errorPaths.errors
        || now.tokenCounts != m_errorPaths.tokenCounts
        || now.bpbOptions.layout != m_errorPaths.bpbOptions.layout)
        clearError();
}

void DataPage::showLoading()
{
    m_buildReport->hide();
    clearFound(tr("Loading…"));
}

void DataPage::clearFound(const QString &summary)
{
    m_summary->setText(summary);
    m_updating = true;
    m_benchmarks->clear();
    m_updating = false;
    m_dropped->clear();
}

void DataPage::showBuildReport(const QString &summary, const QStringList &dropped,
                               qint64 droppedCount)
{
    QString text = breakLongRuns(summary).toHtmlEscaped();
    if (!dropped.isEmpty()) {
        text += QStringLiteral("<br>") + tr("Dropped chunks:");
        for (const QString &chunk : dropped)
            text += QStringLiteral("<br>&nbsp;&nbsp;") + breakLongRuns(chunk).toHtmlEscaped();
        if (droppedCount > dropped.size())
            text += QStringLiteral("<br>&nbsp;&nbsp;")
                + tr("… and %1 more").arg(droppedCount - dropped.size());
    }
    text += QStringLiteral("<br><b>%1</b>")
                .arg(tr("Now choose the benchmark errors for these LLMs, then Load."));
    m_buildReport->setText(text);
    m_buildReport->show();
    clearFound(tr("Nothing loaded yet: the new matrix needs its benchmark errors."));
}

QString DataPage::guiErrorText(const Error &error)
{
    QString text = error.toString();
    text.replace(QStringLiteral("Choose one with --layout."), tr("Choose one under Layout above."));
    text.replace(QStringLiteral("--layout"), tr("the Layout choice above"));
    return text;
}

void DataPage::setParameters(const SelectionParameters &parameters)
{
    m_updating = true;
    if (!parameters.llmMapPath.isEmpty())
        m_llmMapPath = parameters.llmMapPath;
    m_restMatching = parameters.matching;
    const QString match
        = parameters.llmMapPath.isEmpty() ? llmMatchingName(parameters.matching) : kMapChoice;
    m_match->setCurrentIndex(std::max(0, m_match->findData(match)));
    m_mapPath->setText(mapFileText(parameters.llmMapPath, parameters.matching));
    m_mapPath->setToolTip(parameters.llmMapPath);
    m_chooseMap->setVisible(!parameters.llmMapPath.isEmpty());
    m_dedupe->setChecked(parameters.dedupeLlms);
    m_combine->setCurrentIndex(
        std::max(0, m_combine->findData(combinationName(parameters.combination))));
    m_combineHelp->setText(combinationHelp(parameters.combination));
    m_updating = false;
}

void DataPage::chooseLlmMap(const QString &path)
{
    m_llmMapPath = path;
    m_updating = true;
    m_match->setCurrentIndex(m_match->findData(kMapChoice));
    m_updating = false;
    emitAlignment();
}

void DataPage::matchChanged()
{
    if (m_match->currentData().toString() == kMapChoice && m_llmMapPath.isEmpty()) {
        Q_EMIT browseRequested(QStringLiteral("llm_map"));  // chooseLlmMap() or setParameters()
        return;
    }
    emitAlignment();
}

void DataPage::emitAlignment()
{
    AlignmentChoice choice;
    const QString match = m_match->currentData().toString();
    if (match == kMapChoice) {
        choice.llmMapPath = m_llmMapPath;
        choice.matching = m_restMatching;  // the names the map leaves out: as chosen before
    } else {
        choice.matching = llmMatchingFromName(match).value_or(LlmMatching::Exact);
        m_restMatching = choice.matching;
    }
    choice.dedupeLlms = m_dedupe->isChecked();
    choice.combination
        = combinationFromName(m_combine->currentData().toString()).value_or(Combination::Mean);
    m_mapPath->setText(mapFileText(choice.llmMapPath, choice.matching));
    m_mapPath->setToolTip(choice.llmMapPath);
    m_chooseMap->setVisible(!choice.llmMapPath.isEmpty());
    Q_EMIT alignmentChosen(choice);
}

void DataPage::showError(const Error &error)
{
    m_errorPaths = paths();
    setWrappingText(m_error, guiErrorText(error));
    m_error->show();
}

void DataPage::clearError()
{
    m_error->clear();
    m_error->hide();
}

QStringList DataPage::checkedBenchmarks() const
{
    QStringList chosen;
    for (QTreeWidgetItemIterator it(m_benchmarks); *it; ++it)
        if (((*it)->flags() & Qt::ItemIsUserCheckable)
            && (*it)->checkState(NameColumn) == Qt::Checked)
            chosen << (*it)->text(NameColumn);
    return chosen;
}

void DataPage::refreshBenchmarks()
{
    const auto loaded = m_session->data();
    if (!loaded)
        return;
    m_updating = true;
    m_benchmarks->clear();
    const BenchmarkErrors &errors = loaded->errors;
    QHash<QString, QTreeWidgetItem *> items;
    for (qsizetype b = 0; b < errors.benchmarks.size(); ++b) {
        const BenchmarkInfo &info = errors.infoFor(b);
        auto *item = new QTreeWidgetItem;
        item->setText(NameColumn, errors.benchmarks[b]);
        item->setText(MetricColumn, metricText(info));
        item->setText(ErrorColumn, errorText(info));
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(NameColumn, Qt::Unchecked);
        const QString tip = benchmarkToolTip(errors.benchmarks[b], info);
        for (int column = NameColumn; column <= CoverageColumn; ++column)
            item->setToolTip(column, tip);
        items.insert(errors.benchmarks[b], item);
    }
    // Members under their group; a group with no value of its own gets a plain heading.
    for (qsizetype b = 0; b < errors.benchmarks.size(); ++b) {
        QTreeWidgetItem *item = items.value(errors.benchmarks[b]);
        const QString group = errors.infoFor(b).group;
        QTreeWidgetItem *parent = group.isEmpty() ? nullptr : items.value(group);
        if (!group.isEmpty() && !parent) {
            parent = new QTreeWidgetItem(m_benchmarks, { group });
            parent->setFlags(Qt::ItemIsEnabled);
            parent->setToolTip(NameColumn,
                               tr("A group with no value of its own in the file: its "
                                  "members are benchmarks by themselves."));
            QFont italic = parent->font(NameColumn);
            italic.setItalic(true);
            parent->setFont(NameColumn, italic);
            items.insert(group, parent);
        }
        // A group that is (through others) its own member would vanish: keep it at the top.
        for (QTreeWidgetItem *up = parent; up; up = up->parent())
            if (up == item)
                parent = nullptr;
        if (parent)
            parent->addChild(item);
        else
            m_benchmarks->addTopLevelItem(item);
    }
    m_benchmarks->expandAll();
    // Decorations only where there is something to fold: a flat list stays flush left.
    bool grouped = false;
    for (int i = 0; i < m_benchmarks->topLevelItemCount(); ++i)
        grouped |= m_benchmarks->topLevelItem(i)->childCount() > 0;
    m_benchmarks->setRootIsDecorated(grouped);
    m_updating = false;
    refreshChecks();
}

void DataPage::refreshChecks()
{
    const auto outcome = m_session->outcome();
    const QStringList requested = m_session->parameters().benchmarks;
    const QStringList chosen = !requested.isEmpty() ? requested
        : outcome                                   ? outcome->aligned.benchmarks
                                                    : QStringList();
    m_updating = true;
    for (QTreeWidgetItemIterator it(m_benchmarks); *it; ++it) {
        QTreeWidgetItem *item = *it;
        if (!(item->flags() & Qt::ItemIsUserCheckable))
            continue;
        const QString name = item->text(NameColumn);
        item->setCheckState(NameColumn, chosen.contains(name) ? Qt::Checked : Qt::Unchecked);
        if (outcome) {
            const qsizetype row = m_session->data()->errors.benchmarks.indexOf(name);
            item->setText(CoverageColumn,
                          QStringLiteral("%1/%2")
                              .arg(outcome->aligned.coverage.at(size_t(row)))
                              .arg(outcome->aligned.candidateCount));
        }
    }
    m_updating = false;
    m_defaultBenchmarks->setEnabled(!requested.isEmpty());
}

void DataPage::refreshLlms()
{
    m_dropped->clear();
    const auto outcome = m_session->outcome();
    if (!outcome)
        return;
    const AlignedInputs &aligned = outcome->aligned;
    auto section = [this](const QString &title) {
        auto *item = new QTreeWidgetItem(m_dropped, { title });
        item->setFirstColumnSpanned(true);
        QFont bold = item->font(0);
        bold.setBold(true);
        item->setFont(0, bold);
        return item;
    };
    if (!aligned.duplicates.isEmpty()) {
        QTreeWidgetItem *duplicates = section(duplicatesTitle(aligned.duplicates.size()));
        for (const DuplicateLlms &pair : aligned.duplicates) {
            auto *item = new QTreeWidgetItem(
                duplicates,
                { QStringLiteral("⚠ %1 = %2").arg(pair.kept, pair.other), duplicateText(pair) });
            item->setToolTip(0, item->text(0));
            item->setToolTip(1, item->text(1));
        }
    }
    QTreeWidgetItem *dropped = section(notUsedTitle(aligned));
    for (const DroppedLlm &llm : aligned.dropped) {
        auto *item = new QTreeWidgetItem(dropped, { llm.name, llm.reason });
        item->setToolTip(0, llm.name);
        item->setToolTip(1, llm.reason);
    }
    m_dropped->expandAll();
    const int width = m_dropped->viewport()->width();
    m_dropped->resizeColumnToContents(0);
    m_dropped->setColumnWidth(0, std::min(m_dropped->columnWidth(0), width * 2 / 5));
    // The reasons: as wide as the longest, and at least the rest of the view (section titles
    // span both columns).
    m_dropped->resizeColumnToContents(1);
    m_dropped->setColumnWidth(
        1, std::max(m_dropped->columnWidth(1), width - m_dropped->columnWidth(0)));
}

void DataPage::refreshSummary()
{
    const auto loaded = m_session->data();
    if (!loaded)
        return;
    m_summary->setText(dataSummaryText(*loaded, m_session->outcome().get()));
}

}  // namespace pcs
