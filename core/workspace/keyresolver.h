#pragma once

#include "core/common/backgroundtask.h"
#include "core/common/result.h"
#include "core/review/apikey.h"

#include <QObject>

#include <functional>

namespace pcs {

// The keychain off the GUI thread: resolveEndpoint and storeKeychainKey may wait seconds for
// secret-tool (a locked keychain prompts), so they run in the background and answer on the
// owner's thread. A newer request voids the answers before it (a store in flight still
// completes); cancel() and the resolver's end void them too and stop secret-tool at once, so
// closing a page never waits for the keychain (a store stopped that way stores nothing).
class KeyResolver : public QObject {
    Q_OBJECT

public:
    using Resolved = std::function<void(const Result<ResolvedEndpoint> &)>;
    using Stored = std::function<void(const Status &)>;

    explicit KeyResolver(QObject *parent = nullptr);
    ~KeyResolver() override;

    // `done` is called once with the answer, unless a newer request or cancel() voided it.
    void resolve(const QString &url, const KeyOptions &options, Resolved done);
    void store(const QString &url, const QString &key, Stored done);
    void cancel();
    bool isBusy() const { return m_tasks.isBusy(); }

private:
    Resolved m_resolved;  // for the latest resolve
    Stored m_stored;  // for the latest store

    // Declared last: destroyed first, so no work outlives the callbacks above.
    BackgroundTask<ResolvedEndpoint> m_resolve;
    BackgroundTask<Done> m_store;
    BackgroundTaskGroup m_tasks;
};

}  // namespace pcs
