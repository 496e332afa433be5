#include "ui/filter/filelistedit.h"

#include "ui/common/filedialogs.h"

#include <QDir>
#include <QHBoxLayout>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace pcs {

FileListEdit::FileListEdit(QString dialogTitle, QString nameFilter, QWidget *parent)
    : QWidget(parent)
    , m_dialogTitle(std::move(dialogTitle))
    , m_nameFilter(std::move(nameFilter))
    , m_list(new QListWidget)
    , m_remove(new QPushButton(tr("Remove")))
{
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setTextElideMode(Qt::ElideMiddle);  // the file name matters more than the folder
    auto *add = new QPushButton(tr("Add…"));
    m_remove->setEnabled(false);
    connect(add, &QPushButton::clicked, this, &FileListEdit::addWithDialog);
    connect(m_remove, &QPushButton::clicked, this, &FileListEdit::removeSelected);
    connect(m_list, &QListWidget::itemSelectionChanged, this,
            [this] { m_remove->setEnabled(!m_list->selectedItems().isEmpty()); });

    auto *buttons = new QVBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);
}

QStringList FileListEdit::files() const
{
    QStringList files;
    for (int i = 0; i < m_list->count(); ++i)
        files << m_list->item(i)->data(Qt::UserRole).toString();
    return files;
}

void FileListEdit::setFiles(const QStringList &files)
{
    m_list->clear();
    for (const QString &path : files) {
        auto *item = new QListWidgetItem(QDir::toNativeSeparators(path), m_list);
        item->setData(Qt::UserRole, path);
        item->setToolTip(QDir::toNativeSeparators(path));
    }
    Q_EMIT filesChanged();
}

void FileListEdit::addWithDialog()
{
    const QStringList chosen
        = filedialogs::openFiles(this, FileRole::Filter, m_dialogTitle, m_nameFilter);
    if (chosen.isEmpty())
        return;
    QStringList all = files();
    for (const QString &path : chosen)
        if (!all.contains(path))
            all << path;
    setFiles(all);
}

void FileListEdit::removeSelected()
{
    QStringList kept;
    for (int i = 0; i < m_list->count(); ++i)
        if (!m_list->item(i)->isSelected())
            kept << m_list->item(i)->data(Qt::UserRole).toString();
    setFiles(kept);
}

}  // namespace pcs
