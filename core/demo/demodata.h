#pragma once

#include "core/common/result.h"
#include "core/io/benchmarkerrors.h"
#include "core/io/bpbmatrix.h"

#include <QStringList>

#include <vector>

namespace pcs {

// A synthetic dataset from a single-index model (Thrush et al., §3): every LLM has a general
// ability and a skill per domain; BPB on a text falls with both; the benchmark error rises with
// the mean BPB over the texts of the "good" domains (y = f(<theta, x>) + noise, f increasing,
// theta uniform over the good texts). So the right answer is known: the good domains' texts.
struct DemoOptions {
    int llms = 240;
    int texts = 3000;
    quint64 seed = 20240905;
};

struct DemoDataset {
    BpbMatrix bpb;  // text-rows layout with an extra `domain` label
    BenchmarkErrors errors;  // two benchmarks, error rates in (0, 1)
    QStringList domains;  // domain of each text
    std::vector<double> tokenCounts;  // tokens per text
    QStringList goodDomains;  // the domains that drive the benchmark
};

DemoDataset generateDemoDataset(const DemoOptions &options = {});

// The files a demo writes into a folder.
struct DemoFiles {
    QString bpb;  // bpb.csv (the package's text-rows layout, id + domain columns)
    QString errors;  // errors.csv (the package's benchmark layout)
    QString tokenCounts;  // token_counts.csv (text,tokens)
    QString truth;  // truth.csv (text,domain,is_good)
    QString texts;  // texts.jsonl: a synthetic document per text (id, domain, text), for the filter
};

// Creates the folder if needed and writes the files, published together (all or none).
// Errors: the folder cannot be created (BadInput); a failed write such as a full disk (Io).
Result<DemoFiles> writeDemoDataset(const DemoDataset &dataset, const QString &folder);

}  // namespace pcs
