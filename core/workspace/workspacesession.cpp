#include "core/workspace/workspacesession.h"

#include "core/workspace/filtersession.h"
#include "core/workspace/reviewsession.h"
#include "core/workspace/selectionsession.h"

namespace pcs {

WorkspaceSession::WorkspaceSession(QObject *parent)
    : QObject(parent)
    , m_selection(new SelectionSession(this))
    , m_filter(new FilterSession(this))
    , m_review(new ReviewSession(this))
{
}

WorkspaceSession::~WorkspaceSession()
{
    // No run may outlive the store and sessions it writes through.
    cancelAll();
}

FilterSession *WorkspaceSession::replaceFilterSession()
{
    FilterSession *old = m_filter;
    old->cancel();
    m_filter = new FilterSession(this);
    Q_EMIT filterSessionReplaced(m_filter);
    old->deleteLater();
    return m_filter;
}

Status WorkspaceSession::save(Workspace workspace, const QString &path)
{
    if (workspace.reviewProject.isEmpty() && m_review->isOpen())
        workspace.reviewProject = m_review->queuePath();
    if (workspace.filter.modelPath.isEmpty())
        workspace.filter.modelPath = m_filter->loadedModelPath();
    if (Status saved = saveWorkspace(workspace, path); !saved)
        return saved;
    m_path = path;
    return Done {};
}

Result<LoadedWorkspace> WorkspaceSession::open(const QString &path)
{
    auto loaded = loadWorkspace(path);
    if (!loaded)
        return loaded.error();
    m_path = path;
    m_selection->setParameters(loaded->workspace.parameters);
    replaceFilterSession();
    return loaded;
}

bool WorkspaceSession::isBusy() const
{
    return m_selection->isBusy() || m_filter->isBusy() || m_review->isRunning()
        || m_review->isBusy();
}

void WorkspaceSession::cancelAll()
{
    m_selection->cancel();
    m_filter->cancel();
    if (m_review->isRunning())
        m_review->cancelRun();
    if (m_review->isBusy())
        m_review->cancelTask();
}

}  // namespace pcs
