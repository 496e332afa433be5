#pragma once

#include "core/common/result.h"
#include "core/filter/filterapply.h"
#include "core/workspace/selectionsession.h"

#include <QJsonObject>

#include <optional>

namespace pcs {

// What the Filter stage needs to reopen: the texts it trains on, where their labels come from,
// the threshold set by hand, the model it applies and the corpora it applies it to.
struct FilterStageSettings {
    QStringList textFiles;
    QString distributionFile;  // empty: labels from the current selection
    QString textField = QStringLiteral("text");
    std::optional<double> threshold;  // only when set by hand
    QString modelPath;  // a saved filter (.bin/.ftz) that apply uses; empty: the trained one
    QStringList applyInputs;
    QString applyOutput;
    ApplyMode applyMode = ApplyMode::Keep;

    bool operator==(const FilterStageSettings &) const = default;
};

// A `.pcstudio` workspace: the whole project, as JSON: the selection's inputs and parameters,
// the Filter stage's settings, the review project (its queue file) and view state. Paths are
// stored relative to the workspace file (and absolute as a fallback), so a workspace moved
// together with its data reopens every stage. Format 2; format 1 (the selection only) is read
// as format 2 with the Filter and Review stages at their defaults.
struct Workspace {
    SelectionInputPaths inputs;
    SelectionParameters parameters;
    FilterStageSettings filter;
    QString reviewProject;  // the review queue file; empty: none
    QJsonObject viewState;  // owned by the UI: stage, selected text, filters, ...
};

struct LoadedWorkspace {
    Workspace workspace;
    int formatVersion = 0;  // as read; saving writes the current one
    // Selection inputs that could not be found where the workspace says: the selection cannot
    // load until they are found. Reported, not fatal.
    QStringList missingInputs;
    // The Filter and Review stages' files that could not be found (each stage says so; the
    // others open).
    QStringList missingStageFiles;
};

// The format version saveWorkspace writes.
inline constexpr int kWorkspaceFormatVersion = 2;

QByteArray workspaceToJson(const Workspace &workspace, const QString &workspacePath);
Result<LoadedWorkspace> workspaceFromJson(const QByteArray &json, const QString &workspacePath);

// Atomic. Errors: `path` names one of the workspace's inputs (BadInput); a failed write (Io).
Status saveWorkspace(const Workspace &workspace, const QString &path);
Result<LoadedWorkspace> loadWorkspace(const QString &path);

}  // namespace pcs
