#pragma once

#include "core/common/warningcollector.h"
#include "core/selection/alignment.h"

#include <vector>

// Which LLM of the BPB file is which of the benchmark file: the first half of alignInputs.
namespace pcs::detail {

struct LlmPair {
    qsizetype row;  // in the BPB matrix
    qsizetype column;  // in the benchmark errors
};

class LlmPairing {
public:
    LlmPairing(const QStringList &bpbLlms, const BpbRowFacts &facts, const BenchmarkErrors &errors,
               const AlignOptions &options, const QString &bpbFile, const QString &errorsFile);

    // Pairs names by key: the name or its Hugging Face id; a BPB name of the map takes the key
    // of the name it is mapped to. Names of one side that meet at one key are one model when
    // their values agree (the first is kept, the others dropped), else an error naming both.
    // Errors (BadInput): a map naming an unknown LLM (located in the map), such a conflict.
    Status match();

    // Identical BPB rows under different names among the pairs with `completeRow`: warned
    // about; with options.dedupeLlms, all but the first (in file order) are dropped.
    void findIdenticalRows(const std::vector<bool> &completeRow);

    // Every name not used (reasons set so far, plus `extraBpbReasons` by BPB row), in file
    // order; unmatched ones with the closest names of the other file.
    QList<DroppedLlm> dropped(const std::vector<QString> &extraBpbReasons);

    std::vector<LlmPair> pairs;  // in BPB file order, dropped duplicates left out
    QList<DuplicateLlms> duplicates;
    WarningCollector warnings;

private:
    // Why names meet at one key: "the same Hugging Face id 'org/m'", "both mapped to it by ...".
    QString sameKeyText(const QString &key, int mappedCount) const;
    Status mergeSameKey(const QString &key, const std::vector<qsizetype> &rows,
                        const std::vector<qsizetype> &columns);
    void addClosest(DroppedLlm &llm, const QStringList &closest) const;

    const QStringList &m_bpbLlms;
    const BpbRowFacts &m_facts;
    const BenchmarkErrors &m_errors;
    const AlignOptions &m_options;
    QString m_bpbFile;
    QString m_errorsFile;
    std::vector<QString> m_bpbReason;  // by BPB row; empty = not dropped (yet)
    std::vector<QString> m_errorsReason;  // by column of the benchmark errors
    std::vector<bool> m_mapped;  // by BPB row
};

// The row facts of an in-memory matrix; `identical` refers to `m`, which must outlive them.
BpbRowFacts rowFactsOf(const Eigen::MatrixXd &m, const QStringList &texts);

// An LLM name in double quotes, whole (names differ in their tails); one with control or
// direction characters is escaped and cut as every message does.
QString quotedLlm(const QString &name);

// The first `count` names, quoted, with the total when there are more.
QString firstLlms(const QStringList &names, int count = 3);

}  // namespace pcs::detail
