#include "workspace/keyresolver.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <optional>

namespace pcs {

namespace {

// QFuture wants a default-constructible result.
struct ResolveReply {
    std::optional<ResolvedEndpoint> resolved;
    std::optional<Error> error;
};

}  // namespace

KeyResolver::KeyResolver(QObject *parent)
    : QObject(parent)
{
}

KeyResolver::~KeyResolver() = default;  // the watchers go with us; late answers are dropped

void KeyResolver::cancel()
{
    ++m_generation;
}

void KeyResolver::resolve(const QString &url, const KeyOptions &options, Resolved done)
{
    const quint64 generation = ++m_generation;
    auto *watcher = new QFutureWatcher<ResolveReply>(this);
    ++m_pending;
    connect(watcher, &QFutureWatcherBase::finished, this,
            [this, watcher, generation, done = std::move(done)] {
                --m_pending;
                watcher->deleteLater();
                if (generation != m_generation)
                    return;
                const ResolveReply reply = watcher->result();
                if (reply.error)
                    done(*reply.error);
                else
                    done(*reply.resolved);
            });
    watcher->setFuture(QtConcurrent::run([url, options] {
        auto resolved = resolveEndpoint(url, options);
        return resolved ? ResolveReply { std::move(resolved).value(), std::nullopt }
                        : ResolveReply { std::nullopt, resolved.error() };
    }));
}

void KeyResolver::store(const QString &url, const QString &key, Stored done)
{
    const quint64 generation = ++m_generation;
    auto *watcher = new QFutureWatcher<std::optional<Error>>(this);
    ++m_pending;
    connect(watcher, &QFutureWatcherBase::finished, this,
            [this, watcher, generation, done = std::move(done)] {
                --m_pending;
                watcher->deleteLater();
                if (generation != m_generation)
                    return;
                const std::optional<Error> error = watcher->result();
                done(error ? Status(*error) : Status(Done {}));
            });
    watcher->setFuture(QtConcurrent::run([url, key]() -> std::optional<Error> {
        const Status stored = storeKeychainKey(url, key);
        return stored ? std::nullopt : std::optional(stored.error());
    }));
}

}  // namespace pcs
