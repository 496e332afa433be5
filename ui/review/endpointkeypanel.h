#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace pcs {

class ConnectionTest;
class KeyResolver;
class ReviewSession;
struct ConnectionReport;

// The Review page's controls for the key of the project's endpoint (review/apikey.h): where the
// key comes from, a key field that stores into the keychain (never into the project), the
// environment variable holding it, consent to send it over plain HTTP, and Test connection. The
// keychain and the network are used off the GUI thread; the latest request wins.
class EndpointKeyPanel : public QWidget {
    Q_OBJECT

public:
    explicit EndpointKeyPanel(ReviewSession *session, QWidget *parent = nullptr);
    ~EndpointKeyPanel() override;

    // The endpoint and model shown on the page (what Test connection uses when no project is
    // open, or the project's endpoint differs); looks the key's source up again.
    void setEndpoint(const QString &endpoint, const QString &model);
    void refresh();  // the project, its endpoint or its key settings changed

    void testConnection();
    void storeKey(const QString &key);  // into the keychain for the endpoint

    bool isBusy() const;  // looking up, storing or testing
    QString sourceText() const;
    QString testResultText() const;

Q_SIGNALS:
    void keyStored();

private:
    struct KeyLookup;
    KeyLookup currentRequest() const;
    void applyKeySettings();
    void showReport(const ConnectionReport &report, const QString &source);
    void updateEnabled();

    ReviewSession *m_session;
    KeyResolver *m_lookup;  // the source line
    KeyResolver *m_storing;
    KeyResolver *m_testKeys;
    ConnectionTest *m_test;
    QString m_endpoint;
    QString m_model;
    QString m_testSource;

    QLabel *m_source = nullptr;
    QLineEdit *m_variable = nullptr;
    QCheckBox *m_insecure = nullptr;
    QLineEdit *m_key = nullptr;
    QPushButton *m_store = nullptr;
    QPushButton *m_testButton = nullptr;
    QLabel *m_testResult = nullptr;
};

}  // namespace pcs
