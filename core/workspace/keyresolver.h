#pragma once

#include "common/result.h"
#include "review/apikey.h"

#include <QObject>

#include <functional>

namespace pcs {

// The keychain off the GUI thread: resolveEndpoint and storeKeychainKey may wait seconds for
// secret-tool (a locked keychain prompts), so they run on a worker thread and answer on the
// owner's thread. A newer request, cancel() or the resolver's end voids the answers before it.
class KeyResolver : public QObject {
    Q_OBJECT

public:
    using Resolved = std::function<void(const Result<ResolvedEndpoint> &)>;
    using Stored = std::function<void(const Status &)>;

    explicit KeyResolver(QObject *parent = nullptr);
    ~KeyResolver() override;

    void resolve(const QString &url, const KeyOptions &options, Resolved done);
    void store(const QString &url, const QString &key, Stored done);
    void cancel();
    bool isBusy() const { return m_pending > 0; }

private:
    quint64 m_generation = 0;
    int m_pending = 0;
};

}  // namespace pcs
