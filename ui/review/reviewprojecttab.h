#pragma once

#include <QWidget>

class QCheckBox;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace pcs {

class ElidedLabel;
class EndpointKeyPanel;
class ReviewSession;
struct ReviewProjectSettings;

// The Project tab of the Review stage: New/Open project and Add JSONL files (with their
// dialogs), and the assessor settings (endpoint, model, concurrency, text field, rewrites) with
// the endpoint's key panel. It writes nothing itself: it asks the page through its signals, and
// settings() reads the fields back over the project's stored settings.
class ReviewProjectTab : public QWidget {
    Q_OBJECT
public:
    explicit ReviewProjectTab(ReviewSession *session, QWidget *parent = nullptr);

    void showProject(const QString &queuePath);  // empty: no project open
    void showSettings(const ReviewProjectSettings &settings);
    // `stored` with what the fields say.
    ReviewProjectSettings settings(const ReviewProjectSettings &stored) const;
    void showEndpoint(const QString &endpoint);  // e.g. without the credentials typed into it
    void setProjectActionsEnabled(bool enabled);  // Add files: a project is open and idle
    // Tells the key panel which endpoint and model to look the key up for.
    void updateKeyStatus();

    EndpointKeyPanel *keyPanel() const { return m_keyPanel; }
    QString endpoint() const;
    QString model() const;

Q_SIGNALS:
    void newProjectRequested(const QString &path);  // the dialog already asked to replace
    void openProjectRequested(const QString &path);
    void importRequested(const QStringList &paths);
    void settingsEdited();  // a field was edited: the page stores the settings

private:
    void newWithDialog();
    void openWithDialog();
    void addFilesWithDialog();

    ElidedLabel *m_projectPath;
    QPushButton *m_addFiles;
    QLineEdit *m_endpoint;
    QLineEdit *m_model;
    QSpinBox *m_concurrency;
    QCheckBox *m_revise;
    QLineEdit *m_textField;
    EndpointKeyPanel *m_keyPanel;
};

}  // namespace pcs
