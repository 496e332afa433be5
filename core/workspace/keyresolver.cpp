#include "core/workspace/keyresolver.h"

namespace pcs {

KeyResolver::KeyResolver(QObject *parent)
    : QObject(parent)
{
    m_resolve.onFinished([this](Result<ResolvedEndpoint> resolved) {
        // A canceled answer was voided: nobody waits for it any more.
        if (!resolved && resolved.error().kind == ErrorKind::Canceled)
            return;
        if (Resolved done = std::exchange(m_resolved, {}))
            done(resolved);
    });
    m_store.onFinished([this](Result<Done> stored) {
        if (!stored && stored.error().kind == ErrorKind::Canceled)
            return;
        if (Stored done = std::exchange(m_stored, {}))
            done(stored ? Status(Done {}) : Status(stored.error()));
    });
    m_tasks.add(&m_resolve);
    m_tasks.add(&m_store);
}

// The tasks cancel secret-tool and wait for it (within ~25 ms) as they go.
KeyResolver::~KeyResolver() = default;

void KeyResolver::cancel()
{
    m_tasks.cancel();
}

void KeyResolver::resolve(const QString &url, const KeyOptions &options, Resolved done)
{
    // A newer request voids every answer before it; a store in flight still completes.
    m_stored = {};
    m_resolved = std::move(done);
    m_resolve.start(tr("Looking the key up"), [url, options](BackgroundControl &control) {
        return resolveEndpoint(url, options, control);
    });
}

void KeyResolver::store(const QString &url, const QString &key, Stored done)
{
    m_resolve.cancel();
    m_resolved = {};
    m_stored = std::move(done);
    m_store.start(tr("Storing the key"), [url, key](BackgroundControl &control) -> Result<Done> {
        if (Status stored = storeKeychainKey(url, key, control); !stored)
            return stored.error();
        return Done {};
    });
}

}  // namespace pcs
