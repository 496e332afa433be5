#include "core/workspace/workspacefile.h"

#include "core/io/atomicwrite.h"
#include "core/io/filekind.h"
#include "core/io/outputpaths.h"
#include "core/workspace/sessionexport.h"

#include "pcstudio_version.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <utility>

namespace pcs {

namespace {

const QLatin1String kFormat("pcstudio-workspace");
constexpr int kFormatVersion = kWorkspaceFormatVersion;

QJsonObject pathToJson(const QString &path, const QDir &base)
{
    if (path.isEmpty())
        return {};
    const QString absolute = QFileInfo(path).absoluteFilePath();
    return QJsonObject { { QStringLiteral("relative"), base.relativeFilePath(absolute) },
                         { QStringLiteral("absolute"), absolute } };
}

// A path as stored: written by pcstudio, {"relative", "absolute"}; written by hand, a plain path
// string, taken relative to the workspace's folder when it is not absolute.
struct StoredPath {
    QString relative;
    QString absolute;
};

StoredPath storedPathFromJson(const QJsonValue &value)
{
    const QJsonObject object = value.toObject();
    StoredPath stored { object.value(QStringLiteral("relative")).toString(),
                        object.value(QStringLiteral("absolute")).toString() };
    if (value.isString())
        (QDir::isAbsolutePath(value.toString()) ? stored.absolute : stored.relative)
            = value.toString();
    return stored;
}

// An input the workspace names, resolved: the relative path (against the workspace's folder)
// wins when it exists (the workspace moved with its data), then the absolute one. What exists
// there must be a regular file (or, for inputs that may be folders, a directory): a workspace
// may name anything, and opening a FIFO blocks, a device may never end. stat(), never open().
Result<QString> pathFromJson(const QJsonValue &value, const QDir &base, const QString &role,
                             bool directoryAllowed, QStringList *missing)
{
    const auto [relative, absolute] = storedPathFromJson(value);
    if (relative.isEmpty() && absolute.isEmpty())
        return QString();
    QString chosen;
    if (!relative.isEmpty() && QFileInfo::exists(base.absoluteFilePath(relative)))
        chosen = QDir::cleanPath(base.absoluteFilePath(relative));
    else if (!absolute.isEmpty() && QFileInfo::exists(absolute))
        chosen = absolute;
    if (chosen.isEmpty()) {
        missing->append(QStringLiteral("%1: %2").arg(
            role, relative.isEmpty() ? absolute : base.absoluteFilePath(relative)));
        return relative.isEmpty() ? absolute : QDir::cleanPath(base.absoluteFilePath(relative));
    }
    const Status usable
        = directoryAllowed ? checkRegularFileOrDirectory(chosen) : checkRegularFile(chosen);
    if (!usable)
        return Error::badInput(
            QStringLiteral("the %1 input %2: %3").arg(role, chosen, usable.error().reason));
    return chosen;
}

// A file the workspace will write (the filter's output): the relative path when its folder
// exists (the workspace moved with its data), else the absolute one. Nothing needs to exist.
QString outputPathFromJson(const QJsonValue &value, const QDir &base)
{
    const auto [relative, absolute] = storedPathFromJson(value);
    if (!relative.isEmpty()) {
        QString resolved = QDir::cleanPath(base.absoluteFilePath(relative));
        if (QFileInfo(resolved).absoluteDir().exists() || absolute.isEmpty())
            return resolved;
    }
    return absolute;
}

QJsonArray pathsToJson(const QStringList &paths, const QDir &base)
{
    QJsonArray array;
    for (const QString &path : paths)
        array.append(pathToJson(path, base));
    return array;
}

// Workspaces are a few kilobytes; a bigger file is not one (and is not read into memory).
constexpr qint64 kMaxWorkspaceBytes = 16 << 20;

// The Filter and Review stages (format 2): files that are missing are listed, not fatal.
Status readStageSettings(const QJsonObject &root, const QDir &base, const QString &workspacePath,
                         LoadedWorkspace *loaded)
{
    const auto resolve
        = [&](const QJsonValue &value, const QString &role, QString *path) -> Status {
        auto resolved = pathFromJson(value, base, role, false, &loaded->missingStageFiles);
        if (!resolved) {
            Error error = resolved.error();
            error.file = workspacePath;
            return error;
        }
        *path = *resolved;
        return Done {};
    };
    const auto resolveList
        = [&](const QJsonValue &value, const QString &role, QStringList *paths) -> Status {
        for (const QJsonValue entry : value.toArray()) {
            QString path;
            if (Status ok = resolve(entry, role, &path); !ok)
                return ok;
            if (!path.isEmpty())
                paths->append(path);
        }
        return Done {};
    };
    const QJsonObject filter = root.value(QStringLiteral("filter")).toObject();
    FilterStageSettings &f = loaded->workspace.filter;
    if (Status ok = resolveList(filter.value(QStringLiteral("text_files")),
                                QStringLiteral("filter's texts"), &f.textFiles);
        !ok)
        return ok;
    if (Status ok = resolve(filter.value(QStringLiteral("distribution")),
                            QStringLiteral("filter's distribution"), &f.distributionFile);
        !ok)
        return ok;
    f.textField = filter.value(QStringLiteral("text_field")).toString(QStringLiteral("text"));
    if (f.textField.isEmpty())
        f.textField = QStringLiteral("text");
    const QJsonValue threshold = filter.value(QStringLiteral("threshold"));
    if (threshold.isDouble() && threshold.toDouble() >= 0.0 && threshold.toDouble() <= 1.0)
        f.threshold = threshold.toDouble();
    if (Status ok = resolve(filter.value(QStringLiteral("model")), QStringLiteral("filter model"),
                            &f.modelPath);
        !ok)
        return ok;
    if (Status ok = resolveList(filter.value(QStringLiteral("apply_inputs")),
                                QStringLiteral("filter's corpus"), &f.applyInputs);
        !ok)
        return ok;
    f.applyOutput = outputPathFromJson(filter.value(QStringLiteral("apply_output")), base);
    f.applyMode = applyModeFromName(filter.value(QStringLiteral("apply_mode")).toString())
                      .value_or(ApplyMode::Keep);
    // The queue file of the review project.
    return resolve(root.value(QStringLiteral("review")).toObject().value(QStringLiteral("project")),
                   QStringLiteral("review project"), &loaded->workspace.reviewProject);
}

}  // namespace

QByteArray workspaceToJson(const Workspace &workspace, const QString &workspacePath)
{
    const QDir base = QFileInfo(workspacePath).absoluteDir();
    const SelectionInputPaths &in = workspace.inputs;
    const SelectionParameters &p = workspace.parameters;
    QJsonObject inputs { { QStringLiteral("bpb"), pathToJson(in.bpb, base) },
                         { QStringLiteral("errors"), pathToJson(in.errors, base) },
                         { QStringLiteral("token_counts"), pathToJson(in.tokenCounts, base) },
                         { QStringLiteral("npy_texts"), pathToJson(in.bpbOptions.textsFile, base) },
                         { QStringLiteral("npy_llms"), pathToJson(in.bpbOptions.llmsFile, base) },
                         { QStringLiteral("llm_map"), pathToJson(p.llmMapPath, base) },
                         { QStringLiteral("layout"), bpbLayoutName(in.bpbOptions.layout) },
                         { QStringLiteral("text_column"), in.bpbOptions.textColumn } };
    QJsonObject parameters { { QStringLiteral("benchmarks"),
                               QJsonArray::fromStringList(p.benchmarks) },
                             { QStringLiteral("estimator"), estimatorName(p.estimator) },
                             { QStringLiteral("projection"), projectionName(p.projection) },
                             { QStringLiteral("keep_ratio"), p.keepRatio },
                             { QStringLiteral("match"), llmMatchingName(p.matching) },
                             { QStringLiteral("dedupe_llms"), p.dedupeLlms },
                             { QStringLiteral("combine"), combinationName(p.combination) } };
    const FilterStageSettings &f = workspace.filter;
    QJsonObject filter { { QStringLiteral("text_files"), pathsToJson(f.textFiles, base) },
                         { QStringLiteral("distribution"), pathToJson(f.distributionFile, base) },
                         { QStringLiteral("text_field"), f.textField },
                         { QStringLiteral("model"), pathToJson(f.modelPath, base) },
                         { QStringLiteral("apply_inputs"), pathsToJson(f.applyInputs, base) },
                         { QStringLiteral("apply_output"), pathToJson(f.applyOutput, base) },
                         { QStringLiteral("apply_mode"), applyModeName(f.applyMode) } };
    if (f.threshold)
        filter.insert(QStringLiteral("threshold"), *f.threshold);
    const QJsonObject review { { QStringLiteral("project"),
                                 pathToJson(workspace.reviewProject, base) } };
    const QJsonObject root { { QStringLiteral("format"), kFormat },
                             { QStringLiteral("format_version"), kFormatVersion },
                             { QStringLiteral("app_version"), QStringLiteral(PCSTUDIO_VERSION) },
                             { QStringLiteral("inputs"), inputs },
                             { QStringLiteral("parameters"), parameters },
                             { QStringLiteral("filter"), filter },
                             { QStringLiteral("review"), review },
                             { QStringLiteral("view"), workspace.viewState } };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Result<LoadedWorkspace> workspaceFromJson(const QByteArray &json, const QString &workspacePath)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const QByteArray before = json.left(parseError.offset);
        const qint64 line = before.count('\n') + 1;
        const qint64 column = parseError.offset - (before.lastIndexOf('\n') + 1) + 1;
        return Error::badInput(QStringLiteral("not valid JSON: %1").arg(parseError.errorString()),
                               workspacePath, line, column);
    }
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("format")).toString() != kFormat)
        return Error::badInput(
            QStringLiteral("not a pcstudio workspace (no \"format\": \"%1\")").arg(kFormat),
            workspacePath);
    const int version = root.value(QStringLiteral("format_version")).toInt(1);
    if (version > kFormatVersion)
        return Error::badInput(
            QStringLiteral("written by a newer pcstudio (format version %1); this one reads %2")
                .arg(version)
                .arg(kFormatVersion),
            workspacePath);
    if (version < 1)
        return Error::badInput(
            QStringLiteral("format version %1 is not one pcstudio wrote").arg(version),
            workspacePath);

    LoadedWorkspace loaded;
    loaded.formatVersion = version;
    const QDir base = QFileInfo(workspacePath).absoluteDir();
    const QJsonObject inputs = root.value(QStringLiteral("inputs")).toObject();
    SelectionInputPaths &in = loaded.workspace.inputs;
    const struct {
        QString *path;
        const char *key;
        QString role;
        bool directoryAllowed;
    } roles[] = {
        { &in.bpb, "bpb", QStringLiteral("BPB matrix"), false },
        // lm-evaluation-harness results may be a folder of JSON files.
        { &in.errors, "errors", QStringLiteral("benchmark errors"), true },
        { &in.tokenCounts, "token_counts", QStringLiteral("token counts"), false },
        { &in.bpbOptions.textsFile, "npy_texts", QStringLiteral("text names"), false },
        { &in.bpbOptions.llmsFile, "npy_llms", QStringLiteral("LLM names"), false },
        // A parameter (read at each run), kept with the inputs so it moves with them.
        { &loaded.workspace.parameters.llmMapPath, "llm_map", QStringLiteral("LLM map"), false },
    };
    for (const auto &input : roles) {
        auto resolved = pathFromJson(inputs.value(QLatin1String(input.key)), base, input.role,
                                     input.directoryAllowed, &loaded.missingInputs);
        if (!resolved) {
            Error error = resolved.error();
            error.file = workspacePath;
            return error;
        }
        *input.path = *resolved;
    }
    if (!bpbLayoutFromName(inputs.value(QStringLiteral("layout")).toString(QStringLiteral("auto")),
                           &in.bpbOptions.layout))
        in.bpbOptions.layout = BpbLayout::Auto;
    in.bpbOptions.textColumn = inputs.value(QStringLiteral("text_column")).toString();

    const QJsonObject parameters = root.value(QStringLiteral("parameters")).toObject();
    SelectionParameters &p = loaded.workspace.parameters;
    for (const QJsonValue b : parameters.value(QStringLiteral("benchmarks")).toArray())
        p.benchmarks << b.toString();
    p.estimator = estimatorFromName(parameters.value(QStringLiteral("estimator")).toString())
                      .value_or(Estimator::Spearmanr);
    p.projection = projectionFromName(parameters.value(QStringLiteral("projection")).toString())
                       .value_or(Projection::Linear);
    const double ratio = parameters.value(QStringLiteral("keep_ratio")).toDouble(0.1);
    p.keepRatio = ratio > 0.0 && ratio <= 1.0 ? ratio : 0.1;
    // Older workspaces have none of these: the defaults are what they ran with.
    p.matching = llmMatchingFromName(parameters.value(QStringLiteral("match")).toString())
                     .value_or(LlmMatching::Exact);
    p.dedupeLlms = parameters.value(QStringLiteral("dedupe_llms")).toBool(false);
    p.combination = combinationFromName(parameters.value(QStringLiteral("combine")).toString())
                        .value_or(Combination::Mean);
    // Format 1 has neither: the Filter and Review stages open at their defaults.
    if (Status stages = readStageSettings(root, base, workspacePath, &loaded); !stages)
        return stages.error();
    loaded.workspace.viewState = root.value(QStringLiteral("view")).toObject();
    return loaded;
}

Status saveWorkspace(const Workspace &workspace, const QString &path)
{
    // Every file the workspace names: saving over one of them would lose it.
    QList<NamedPath> named = selectionInputFiles(workspace.inputs, workspace.parameters.llmMapPath);
    const FilterStageSettings &f = workspace.filter;
    for (const QString &text : f.textFiles)
        named.append({ text, QStringLiteral("the filter's texts") });
    for (const QString &corpus : f.applyInputs)
        named.append({ corpus, QStringLiteral("the filter's corpus") });
    const std::pair<QString, QString> single[]
        = { { f.distributionFile, QStringLiteral("the filter's distribution") },
            { f.modelPath, QStringLiteral("the filter model") },
            { f.applyOutput, QStringLiteral("the filter's output") },
            { workspace.reviewProject, QStringLiteral("the review project") } };
    for (const auto &[file, role] : single)
        if (!file.isEmpty())
            named.append({ file, role });
    if (Status distinct
        = checkOutputsAgainstInputs({ { path, QStringLiteral("the workspace") } }, named);
        !distinct)
        return distinct;
    return writeAtomically(path, workspaceToJson(workspace, path));
}

Result<LoadedWorkspace> loadWorkspace(const QString &path)
{
    if (Status regular = checkRegularFile(path); !regular)
        return regular.error();  // before opening: a FIFO would block the load forever
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::badInput(QStringLiteral("cannot open: %1").arg(file.errorString()), path);
    if (file.size() > kMaxWorkspaceBytes)
        return Error::badInput(QStringLiteral("not a pcstudio workspace: %1 bytes, and a "
                                              "workspace is a small JSON file")
                                   .arg(file.size()),
                               path);
    return workspaceFromJson(file.readAll(), path);
}

}  // namespace pcs
