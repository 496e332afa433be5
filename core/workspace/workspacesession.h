#pragma once

#include "core/common/result.h"
#include "core/workspace/workspacefile.h"

#include <QObject>

namespace pcs {

class FilterSession;
class ReviewSession;
class SelectionSession;

// The whole project the app works on: the selection, filter and review sessions, and the
// `.pcstudio` file that holds them (workspacefile.h). The pages show the sessions; this object
// owns them, so a page may be rebuilt without losing its stage's work. Widget-free.
class WorkspaceSession final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkspaceSession)
public:
    explicit WorkspaceSession(QObject *parent = nullptr);
    ~WorkspaceSession() override;

    SelectionSession *selection() const { return m_selection; }
    FilterSession *filter() const { return m_filter; }
    ReviewSession *review() const { return m_review; }

    // A fresh Filter stage (another workspace, the demo): the old session's work is canceled and
    // the session deleted once control returns to the event loop (a page may still reach it).
    FilterSession *replaceFilterSession();

    QString path() const { return m_path; }  // empty until saved or opened
    void forgetPath() { m_path.clear(); }

    // Saves `workspace` to `path` (atomically), with what the sessions know themselves filled
    // in where the caller left it empty: the open review project, the filter model loaded for
    // apply. Errors as saveWorkspace.
    Status save(Workspace workspace, const QString &path);
    // Reads `path` and hands the selection parameters to the selection session and a fresh
    // Filter stage; the pages restore the rest (inputs, filter settings, review project) from
    // what it returns. Errors as loadWorkspace; the sessions are unchanged then.
    Result<LoadedWorkspace> open(const QString &path);

    bool isBusy() const;
    void cancelAll();

Q_SIGNALS:
    // After replaceFilterSession: the new session (the old one is about to go).
    void filterSessionReplaced(pcs::FilterSession *session);

private:
    QString m_path;
    SelectionSession *m_selection;
    FilterSession *m_filter;
    ReviewSession *m_review;
};

}  // namespace pcs
