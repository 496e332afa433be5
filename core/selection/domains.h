#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/io/atomicwrite.h"
#include "core/io/bpbmatrix.h"
#include "core/selection/selectiontable.h"

#include <QJsonArray>
#include <QStringList>

#include <vector>

namespace pcs {

// The domain of each text of a selection, from one of three sources.
struct TextDomains {
    QStringList domains;  // parallel to the selection's texts
    QString source;  // "bpb domain column", "FILE (text,domain)", "FILE (JSONL)"
};

// From the `domain` label column of a text-rows BPB file (the package's layout), if it has one.
std::optional<TextDomains> domainsFromBpb(const BpbMatrix &bpb);

// From a CSV/TSV with a header holding `text` and `domain` columns (others ignored), or a JSONL
// file (.jsonl, .jsonl.gz, .jsonl.zst: one object per line with a text id in `id` (else `text_id`
// or `name`) and a `domain` string). Every text of `texts` needs a domain; entries for texts not
// in the selection are ignored. Errors (BadInput, naming file, line and reason): a missing
// column, a duplicate or empty name, a missing or empty domain, and the texts without a domain
// (how many and the first).
Result<TextDomains> loadTextDomains(const QString &path, const QStringList &texts);

// One domain's share of a distribution.
struct DomainSummary {
    QString domain;
    qint64 textCount = 0;
    qint64 selectedCount = 0;  // texts with weight > 0
    double weight = 0;  // Σ of its texts' weights (accurately summed)
    double meanEstimate = 0;  // over all its texts
};

// Per domain, in decreasing weight (ties: by name). `table` must have a distribution (else an
// empty list) and `domains` one entry per text.
std::vector<DomainSummary> summarizeDomains(const SelectionTable &table,
                                            const QStringList &domains);

// CSV `domain,texts,selected,weight,mean_estimate` (shortest round-trip numbers).
QByteArray formatDomainsCsv(const std::vector<DomainSummary> &summaries);
// [{"domain", "texts", "selected", "weight", "mean_estimate"}, ...] for the run report.
QJsonArray domainsToJson(const std::vector<DomainSummary> &summaries);

// "OUT.domains.csv" beside a distribution written to OUT.csv / OUT.json / OUT.
QString domainsCsvPath(const QString &distributionPath);

// Adds the domain CSV to `outputs` (published with the distribution, all or nothing).
Status addDomainsCsv(OutputSet &outputs, const QString &path,
                     const std::vector<DomainSummary> &summaries);

}  // namespace pcs
