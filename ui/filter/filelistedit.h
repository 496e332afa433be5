#pragma once

#include <QStringList>
#include <QWidget>

class QListWidget;
class QPushButton;

namespace pcs {

// A list of input files with Add… (a file dialog) and Remove (the selected rows).
class FileListEdit : public QWidget {
    Q_OBJECT
public:
    // `dialogTitle` and `nameFilter` are for the Add… dialog.
    FileListEdit(QString dialogTitle, QString nameFilter, QWidget *parent = nullptr);

    QStringList files() const;
    void setFiles(const QStringList &files);
    QListWidget *listWidget() const { return m_list; }

Q_SIGNALS:
    void filesChanged();

private:
    void addWithDialog();
    void removeSelected();

    QString m_dialogTitle;
    QString m_nameFilter;
    QListWidget *m_list;
    QPushButton *m_remove;
};

}  // namespace pcs
