#pragma once

#include "common/result.h"
#include "workspace/selectionsession.h"

#include <QJsonObject>

namespace pcs {

// A `.pcstudio` workspace: inputs, parameters and view state, as JSON. Input paths are stored
// relative to the workspace file (and absolute as a fallback), so a workspace moved together
// with its data still opens.
struct Workspace {
    SelectionInputPaths inputs;
    SelectionParameters parameters;
    QJsonObject viewState;  // owned by the UI: stage, selected text, filters, ...
};

struct LoadedWorkspace {
    Workspace workspace;
    // Inputs that could not be found where the workspace says; reported, not fatal.
    QStringList missingInputs;
};

QByteArray workspaceToJson(const Workspace &workspace, const QString &workspacePath);
Result<LoadedWorkspace> workspaceFromJson(const QByteArray &json, const QString &workspacePath);

// Atomic. Errors: `path` names one of the workspace's inputs (BadInput); a failed write (Io).
Status saveWorkspace(const Workspace &workspace, const QString &path);
Result<LoadedWorkspace> loadWorkspace(const QString &path);

}  // namespace pcs
