#pragma once

#include "core/common/result.h"

#include <QList>
#include <QStringList>

#include <optional>
#include <vector>

// How the LLMs of the BPB file are matched with those of the benchmark file.
namespace pcs {

enum class LlmMatching {
    Exact,  // the names as written (the Python package's behaviour)
    HfId,  // the Hugging Face id: `org/model[@revision]`, compared case-insensitively
};
QString llmMatchingName(LlmMatching matching);  // "exact", "hf-id"
std::optional<LlmMatching> llmMatchingFromName(const QString &name);

// The Hugging Face id of an LLM name, lower-cased: the last string of a Python tuple such as
// "('pythia', 'EleutherAI/pythia-160m')", else the name itself ("EleutherAI/pythia-160m@step1000"
// as the lm-eval loader writes checkpoints). The revision stays part of the id, except "@main",
// the default revision, which the lm-eval loader leaves out too.
QString huggingFaceId(const QString &name);

// An id without its "@revision": "org/model@step1000" -> "org/model".
QString withoutRevision(const QString &id);

// One row of a map file: this BPB name is that benchmark-file name.
struct LlmMapEntry {
    QString bpbName;
    QString errorsName;
    qint64 line = 0;
};

// An explicit map (`--llm-map FILE`, CSV with columns bpb_name,errors_name). Names it does not
// mention are matched by the chosen LlmMatching.
struct LlmMap {
    QString path;
    QList<LlmMapEntry> entries;
};

// Errors (BadInput, located): no such columns, a ragged row, an empty name, a BPB name mapped
// twice. Names unknown to the files are found when aligning (alignInputs).
Result<LlmMap> loadLlmMap(const QString &path);

// Levenshtein distance between a and b, or limit + 1 when it exceeds `limit` (banded, with an
// early exit: cheap for the many pairs that are far apart).
int boundedEditDistance(const QString &a, const QString &b, int limit);

// Finds, for names of one file that matched nothing, the closest names of the other file: the
// same Hugging Face id first (a family-label mismatch), then the same model at another revision,
// then the smallest edit distance within max(3, a third of the longer key). Keys (the name, or
// its id when matching by id) are compared lower-cased.
class ClosestNames {
public:
    ClosestNames(const QStringList &candidates, LlmMatching matching);

    // Up to `count` names, best first.
    QStringList closestTo(const QString &name, int count = 3) const;

private:
    QStringList m_names;
    std::vector<QString> m_keys;  // what the distance compares: the name or its id, lower-cased
    std::vector<QString> m_ids;
    LlmMatching m_matching;
};

}  // namespace pcs
