#include "ui/review/endpointkeypanel.h"

#include "core/review/apikey.h"
#include "core/review/connectiontest.h"
#include "core/workspace/keyresolver.h"
#include "core/workspace/reviewsession.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace pcs {

struct EndpointKeyPanel::KeyLookup {
    QString url;  // may carry credentials (this session's): never shown
    KeyOptions options;
    QString problem;  // why there is nothing to look up
};

namespace {

QString sourceSentence(const ResolvedEndpoint &resolved)
{
    QString text;
    switch (resolved.source) {
    case KeySource::Url:
        text = EndpointKeyPanel::tr("✔ From the credentials typed into the endpoint URL, for this "
                                    "session only (the project keeps the URL without them): "
                                    "store the key below to keep it.");
        break;
    case KeySource::Environment:
        text = EndpointKeyPanel::tr("✔ From the environment variable %1.").arg(resolved.variable);
        break;
    case KeySource::Keychain:
        text = EndpointKeyPanel::tr("✔ From the keychain entry for %1.")
                   .arg(keychainUrl(resolved.url));
        break;
    case KeySource::None:
        text = EndpointKeyPanel::tr("None: requests go without an Authorization header (fine for "
                                    "local servers). Store a key below, or name the environment "
                                    "variable that holds it.");
        break;
    }
    if (!resolved.note.isEmpty())
        text += QLatin1Char('\n') + resolved.note;
    return text;
}

}  // namespace

EndpointKeyPanel::EndpointKeyPanel(ReviewSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_lookup(new KeyResolver(this))
    , m_storing(new KeyResolver(this))
    , m_testKeys(new KeyResolver(this))
    , m_test(new ConnectionTest(this))
{
    m_source = new QLabel;
    m_source->setObjectName(QStringLiteral("reviewApiKeyStatus"));
    m_source->setWordWrap(true);
    m_source->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_variable = new QLineEdit;
    m_variable->setObjectName(QStringLiteral("reviewApiKeyEnv"));
    m_variable->setPlaceholderText(tr("e.g. GROQ_API_KEY (optional)"));
    m_variable->setToolTip(tr("The environment variable holding this endpoint's key. Only its "
                              "name is kept in the project. OPENAI_API_KEY goes to "
                              "https://api.openai.com only, unless named here."));
    m_insecure = new QCheckBox(tr("Send the key over plain HTTP"));
    m_insecure->setObjectName(QStringLiteral("reviewAllowInsecureKey"));
    m_insecure->setToolTip(tr("Allows a key over http:// to a host other than this machine, "
                              "where anyone on the way can read it. Only for trusted networks."));
    m_key = new QLineEdit;
    m_key->setObjectName(QStringLiteral("reviewApiKeyField"));
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setPlaceholderText(tr("paste a key to store"));
    m_store = new QPushButton(tr("Store in Keychain"));
    m_store->setObjectName(QStringLiteral("reviewStoreApiKey"));
    m_store->setToolTip(tr("Stores the key in the system keychain (secret-tool) for this "
                           "endpoint; it is never written to the project"));
    m_testButton = new QPushButton(tr("Test Connection"));
    m_testButton->setObjectName(QStringLiteral("reviewTestConnection"));
    m_testButton->setToolTip(tr("A few one-token requests: the model, the latency, and whether "
                                "temperature 0, logprobs and a strict JSON schema work"));
    m_testResult = new QLabel;
    m_testResult->setObjectName(QStringLiteral("reviewTestResult"));
    m_testResult->setWordWrap(true);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);

    connect(m_variable, &QLineEdit::editingFinished, this, &EndpointKeyPanel::applyKeySettings);
    connect(m_insecure, &QCheckBox::toggled, this, &EndpointKeyPanel::applyKeySettings);
    connect(m_key, &QLineEdit::textChanged, this, &EndpointKeyPanel::updateEnabled);
    connect(m_key, &QLineEdit::returnPressed, this, [this] { storeKey(m_key->text()); });
    connect(m_store, &QPushButton::clicked, this, [this] { storeKey(m_key->text()); });
    connect(m_testButton, &QPushButton::clicked, this, &EndpointKeyPanel::testConnection);
    connect(m_test, &ConnectionTest::finished, this,
            [this](const ConnectionReport &report) { showReport(report, m_testSource); });

    auto *keyRow = new QHBoxLayout;
    keyRow->addWidget(m_key, 1);
    keyRow->addWidget(m_store);
    auto *form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("API key"), m_source);
    form->addRow(tr("Key variable"), m_variable);
    form->addRow(QString(), m_insecure);
    form->addRow(tr("New key"), keyRow);
    form->addRow(QString(), m_testButton);
    form->addRow(m_testResult);
    updateEnabled();
}

EndpointKeyPanel::~EndpointKeyPanel() = default;

void EndpointKeyPanel::setEndpoint(const QString &endpoint, const QString &model)
{
    m_endpoint = endpoint.trimmed();
    m_model = model.trimmed();
    refresh();
}

EndpointKeyPanel::KeyLookup EndpointKeyPanel::currentRequest() const
{
    KeyLookup lookup;
    lookup.options.caller = KeyOptions::Caller::App;
    const bool projectEndpoint = m_session->isOpen()
        && (m_endpoint.isEmpty()
            || scrubbedEndpointUrl(m_endpoint) == m_session->settings().endpoint);
    if (projectEndpoint) {
        auto request = m_session->keyRequest();
        if (!request) {
            lookup.problem = request.error().reason;
            return lookup;
        }
        lookup.url = request->url;
        lookup.options = request->options;
        return lookup;
    }
    lookup.url = m_endpoint;
    if (lookup.url.isEmpty())
        lookup.problem = tr("no endpoint is configured for the assessor");
    return lookup;
}

void EndpointKeyPanel::refresh()
{
    const bool project = m_session->isOpen();
    EndpointKeySettings kept;
    if (project) {
        if (auto stored = m_session->endpointKeySettings())
            kept = *stored;
    }
    {
        const QSignalBlocker blockVariable(m_variable);
        const QSignalBlocker blockInsecure(m_insecure);
        m_variable->setText(kept.apiKeyEnv);
        m_insecure->setChecked(kept.allowInsecureKey);
    }
    const KeyLookup lookup = currentRequest();
    if (!lookup.problem.isEmpty()) {
        m_lookup->cancel();
        m_source->setText(lookup.problem);
        updateEnabled();
        return;
    }
    m_source->setText(tr("Looking the key up…"));
    m_lookup->resolve(lookup.url, lookup.options, [this](const Result<ResolvedEndpoint> &resolved) {
        m_source->setText(resolved ? sourceSentence(*resolved)
                                   : QStringLiteral("✘ ") + resolved.error().reason);
        updateEnabled();
    });
    updateEnabled();
}

void EndpointKeyPanel::applyKeySettings()
{
    if (!m_session->isOpen())
        return;
    EndpointKeySettings settings;
    settings.apiKeyEnv = m_variable->text().trimmed();
    settings.allowInsecureKey = m_insecure->isChecked();
    if (Status stored = m_session->setEndpointKeySettings(settings); !stored) {
        m_source->setText(QStringLiteral("✘ ") + stored.error().reason);
        return;
    }
    refresh();
}

void EndpointKeyPanel::storeKey(const QString &key)
{
    const KeyLookup lookup = currentRequest();
    if (!lookup.problem.isEmpty()) {
        m_source->setText(QStringLiteral("✘ ") + lookup.problem);
        return;
    }
    if (key.trimmed().isEmpty())
        return;
    m_source->setText(tr("Storing the key in the keychain…"));
    m_storing->store(lookup.url, key, [this](const Status &stored) {
        if (!stored) {
            m_source->setText(tr("✘ The key was not stored: %1").arg(stored.error().reason));
            updateEnabled();
            return;
        }
        m_key->clear();
        refresh();
        Q_EMIT keyStored();
    });
    updateEnabled();
}

void EndpointKeyPanel::testConnection()
{
    const KeyLookup lookup = currentRequest();
    QString problem = lookup.problem;
    if (problem.isEmpty() && m_model.isEmpty())
        problem = tr("no model is configured for the assessor");
    if (!problem.isEmpty()) {
        m_testResult->setText(QStringLiteral("✘ ") + problem);
        return;
    }
    m_test->cancel();
    m_testResult->setText(tr("Testing the connection to %1…").arg(scrubbedEndpointUrl(lookup.url)));
    m_testKeys->resolve(
        lookup.url, lookup.options, [this](const Result<ResolvedEndpoint> &resolved) {
            if (!resolved) {
                m_testResult->setText(QStringLiteral("✘ ") + resolved.error().reason);
                updateEnabled();
                return;
            }
            m_testSource = resolved->sourceDescription();
            m_test->start(resolved->url, resolved->key, m_model);
            updateEnabled();
        });
    updateEnabled();
}

void EndpointKeyPanel::showReport(const ConnectionReport &report, const QString &source)
{
    m_testResult->setText((report.ok ? QStringLiteral("✔ ") : QStringLiteral("✘ "))
                          + report.summary() + tr("\nKey sent: %1.").arg(source));
    updateEnabled();
}

void EndpointKeyPanel::updateEnabled()
{
    const bool project = m_session->isOpen();
    m_variable->setEnabled(project);
    m_insecure->setEnabled(project);
    m_store->setEnabled(!m_storing->isBusy() && !m_key->text().trimmed().isEmpty());
    m_testButton->setEnabled(!m_testKeys->isBusy() && !m_test->isRunning());
}

bool EndpointKeyPanel::isBusy() const
{
    return m_lookup->isBusy() || m_storing->isBusy() || m_testKeys->isBusy() || m_test->isRunning();
}

QString EndpointKeyPanel::sourceText() const
{
    return m_source->text();
}

QString EndpointKeyPanel::testResultText() const
{
    return m_testResult->text();
}

}  // namespace pcs
