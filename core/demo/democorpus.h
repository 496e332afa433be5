#pragma once

#include "core/common/result.h"

#include <QStringList>

namespace pcs {

// Synthetic documents for a filter to learn from: one JSONL record {"id", "domain", "text"} per
// name, its words drawn mostly from its domain's own vocabulary (pseudo-words, so no domain is
// easier than another) and partly from a vocabulary all domains share. Some texts contain line
// breaks and non-ASCII letters, as real ones do. Deterministic for a seed.
struct DemoCorpusOptions {
    int wordsPerText = 60;
    double sharedWordShare = 0.35;  // the rest come from the text's domain
    quint64 seed = 20241121;
};

QByteArray demoCorpusJsonl(const QStringList &ids, const QStringList &domains,
                           const DemoCorpusOptions &options = {});

// Writes demoCorpusJsonl() atomically to `path`.
Status writeDemoCorpus(const QString &path, const QStringList &ids, const QStringList &domains,
                       const DemoCorpusOptions &options = {});

}  // namespace pcs
