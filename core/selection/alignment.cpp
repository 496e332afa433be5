#include "core/selection/alignment.h"

#include "core/selection/llmpairing.h"

#include <QSet>

#include <algorithm>
#include <cmath>

namespace pcs {

using detail::LlmPair;
using detail::quotedLlm;

namespace {

QString benchmarkChoiceText(const AlignedInputs &aligned)
{
    QStringList items;
    for (const ChosenBenchmark &b : aligned.chosen)
        items << QStringLiteral("%1 (%2 of %3 matched LLMs)")
                     .arg(b.name)
                     .arg(b.llmsCovered)
                     .arg(aligned.candidateCount);
    return QStringLiteral("benchmarks %1: %2")
        .arg(aligned.benchmarksRequested
                 ? QStringLiteral("as requested")
                 : QStringLiteral("by default (those every matched LLM has, groups once, error "
                                  "rates first)"),
             items.join(QStringLiteral(", ")));
}

QString spaced(const QString &path)
{
    return path.isEmpty() ? QString() : QStringLiteral(" ") + path;
}

QString matchedByText(LlmMatching matching)
{
    return matching == LlmMatching::HfId ? QStringLiteral("Hugging Face id")
                                         : QStringLiteral("exact name");
}

// What a reader should know about the combined benchmarks: a group with its member, errors
// outside [0, 1], scales a mean cannot combine.
void addCombinationWarnings(AlignedInputs &aligned, const Eigen::MatrixXd &chosenErrors,
                            const QString &errorsFile)
{
    // A group and one of its members both chosen: the member's tasks count twice.
    const QSet<QString> chosenSet(aligned.benchmarks.cbegin(), aligned.benchmarks.cend());
    for (qsizetype b = 0; b < aligned.benchmarks.size(); ++b) {
        const QString &group = aligned.chosen[b].info.group;
        if (!group.isEmpty() && chosenSet.contains(group))
            aligned.warnings.append(Error::badInput(
                QStringLiteral("%1 and its group %2 are both chosen: its tasks count twice")
                    .arg(aligned.benchmarks[b], group),
                errorsFile));
    }
    // As the Python package does: errors outside [0, 1] are allowed, and said once.
    QStringList outside;
    for (qsizetype b = 0; b < chosenErrors.rows(); ++b) {
        if (chosenErrors.row(b).minCoeff() < 0.0 || chosenErrors.row(b).maxCoeff() > 1.0)
            outside << QStringLiteral("%1 (%2 to %3)")
                           .arg(aligned.benchmarks[b])
                           .arg(chosenErrors.row(b).minCoeff(), 0, 'g', 4)
                           .arg(chosenErrors.row(b).maxCoeff(), 0, 'g', 4);
    }
    if (!outside.isEmpty())
        aligned.warnings.append(Error::badInput(
            QStringLiteral("benchmark errors outside [0, 1] (not error rates; allowed): %1")
                .arg(outside.join(QStringLiteral(", "))),
            errorsFile));
    // Averaging an error rate with a perplexity lets the perplexity decide alone: say so.
    if (aligned.combination == Combination::Mean && chosenErrors.rows() > 1) {
        double smallest = HUGE_VAL, largest = 0.0;
        for (Eigen::Index b = 0; b < chosenErrors.rows(); ++b) {
            const double spread = chosenErrors.row(b).cwiseAbs().maxCoeff();
            smallest = std::min(smallest, spread);
            largest = std::max(largest, spread);
        }
        if (smallest > 0.0 && largest / smallest > 100.0)
            aligned.warnings.append(Error::badInput(
                QStringLiteral(
                    "the averaged benchmarks differ in scale by a factor of %1; the largest "
                    "dominates the mean (--combine rank-mean or z-mean weighs them equally)")
                    .arg(largest / smallest, 0, 'g', 3),
                errorsFile));
    }
}

}  // namespace

QStringList droppedLines(const QList<DroppedLlm> &dropped, qsizetype count)
{
    QStringList lines;
    for (qsizetype i = 0; i < dropped.size() && i < count; ++i)
        lines << QStringLiteral("%1: %2").arg(quotedLlm(dropped[i].name), dropped[i].reason);
    if (dropped.size() > count)
        lines << QStringLiteral("… and %1 more").arg(dropped.size() - count);
    return lines;
}

Result<AlignedInputs> alignInputs(const BpbMatrix &bpb, const BenchmarkErrors &errors,
                                  const AlignOptions &options, const QString &bpbFile,
                                  const QString &errorsFile)
{
    const BpbRowFacts facts = detail::rowFactsOf(bpb.values, bpb.texts);
    return alignInputs(bpb.llms, facts, errors, options, bpbFile, errorsFile);
}

Result<AlignedInputs> alignInputs(const QStringList &bpbLlms, const BpbRowFacts &facts,
                                  const BenchmarkErrors &errors, const AlignOptions &options,
                                  const QString &bpbFile, const QString &errorsFile)
{
    AlignedInputs aligned;
    aligned.matching = options.matching;
    aligned.llmMapPath = options.llmMap ? options.llmMap->path : QString();
    aligned.dedupeLlms = options.dedupeLlms;
    aligned.combination = options.combination;
    aligned.benchmarksRequested = !options.benchmarks.isEmpty();
    QStringList requested = options.benchmarks;
    requested.removeDuplicates();
    for (const QString &name : requested) {
        if (!errors.benchmarks.contains(name))
            return Error::badInput(QStringLiteral("unknown benchmark '%1'; the file has: %2")
                                       .arg(name, errors.benchmarks.join(QStringLiteral(", "))),
                                   errorsFile);
    }
    if (errors.benchmarks.isEmpty())
        return Error::badInput(QStringLiteral("the benchmark file has no benchmarks"), errorsFile);

    detail::LlmPairing pairing(bpbLlms, facts, errors, options, bpbFile, errorsFile);
    if (Status matched = pairing.match(); !matched)
        return matched.error();
    if (pairing.pairs.empty())
        return Error::badInput(
            QStringLiteral("no LLM appears in both files (matched by %1): the BPB file%2 has "
                           "%3; the benchmark file%4 has %5")
                .arg(matchedByText(options.matching), spaced(bpbFile), detail::firstLlms(bpbLlms),
                     spaced(errorsFile), detail::firstLlms(errors.llms)));
    std::vector<bool> completeRow(facts.missingCount.size());
    for (size_t r = 0; r < completeRow.size(); ++r)
        completeRow[r] = facts.missingCount[r] == 0;
    pairing.findIdenticalRows(completeRow);
    aligned.duplicates = pairing.duplicates;

    // Candidates: matched, not a dropped duplicate, every BPB value. The default benchmark set
    // is chosen over them; the chosen benchmarks then decide which candidates are used.
    std::vector<QString> bpbReason(size_t(bpbLlms.size()));
    std::vector<LlmPair> candidates;
    std::vector<qsizetype> candidateColumns;
    for (const LlmPair &pair : pairing.pairs) {
        const auto row = size_t(pair.row);
        if (facts.missingCount[row] > 0) {
            bpbReason[row] = QStringLiteral("missing BPB for %1 text(s), first '%2'")
                                 .arg(facts.missingCount[row])
                                 .arg(facts.firstMissingText[row]);
            continue;
        }
        candidates.push_back(pair);
        candidateColumns.push_back(pair.column);
    }
    aligned.candidateCount = qsizetype(candidates.size());
    aligned.coverage = benchmarkCoverage(errors, candidateColumns);
    if (aligned.benchmarksRequested) {
        aligned.benchmarks = requested;
    } else {
        QString whyEmpty;
        aligned.benchmarks = defaultBenchmarkSet(errors, candidateColumns, &whyEmpty);
        if (aligned.benchmarks.isEmpty())
            return Error::badInput(QStringLiteral("no default benchmarks: %1; choose benchmarks "
                                                  "explicitly (LLMs without a value are then "
                                                  "dropped)")
                                       .arg(whyEmpty));
    }
    std::vector<qsizetype> benchmarkRows;
    for (const QString &name : aligned.benchmarks) {
        const qsizetype row = errors.benchmarks.indexOf(name);
        benchmarkRows.push_back(row);
        aligned.chosen.append({ name, errors.infoFor(row), aligned.coverage[size_t(row)], true });
    }
    std::vector<LlmPair> used;
    for (const LlmPair &pair : candidates) {
        QStringList lacking;
        for (size_t b = 0; b < benchmarkRows.size(); ++b)
            if (std::isnan(errors.values(benchmarkRows[b], pair.column)))
                lacking << aligned.benchmarks[qsizetype(b)];
        if (lacking.isEmpty())
            used.push_back(pair);
        else
            bpbReason[size_t(pair.row)] = QStringLiteral("no value for benchmark %1")
                                              .arg(lacking.join(QStringLiteral(", ")));
    }
    aligned.dropped = pairing.dropped(bpbReason);
    if (used.size() < 3)
        return Error::badInput(
            QStringLiteral("only %1 LLM(s) have every BPB value and every chosen benchmark; at "
                           "least 3 are needed. Matched by %2: %3 LLM(s) with every BPB value; "
                           "%4. Not used (%5): %6")
                .arg(used.size())
                .arg(matchedByText(options.matching))
                .arg(aligned.candidateCount)
                .arg(benchmarkChoiceText(aligned))
                .arg(aligned.dropped.size())
                .arg(droppedLines(aligned.dropped, 10).join(QStringLiteral("; "))));

    std::sort(used.begin(), used.end(),
              [&](const LlmPair &a, const LlmPair &b) { return bpbLlms[a.row] < bpbLlms[b.row]; });
    Eigen::MatrixXd chosenErrors(Eigen::Index(benchmarkRows.size()), Eigen::Index(used.size()));
    for (size_t i = 0; i < used.size(); ++i) {
        aligned.llms << bpbLlms[used[i].row];
        aligned.errorLlms << errors.llms[used[i].column];
        aligned.bpbRows.push_back(used[i].row);
        for (size_t b = 0; b < benchmarkRows.size(); ++b)
            chosenErrors(Eigen::Index(b), Eigen::Index(i))
                = errors.values(benchmarkRows[b], used[i].column);
    }
    auto combined = combineBenchmarks(chosenErrors, aligned.benchmarks, options.combination);
    if (!combined)
        return Error::badInput(combined.error().reason, errorsFile);
    aligned.errors = std::move(combined->values);
    for (qsizetype b = 0; b < aligned.chosen.size(); ++b)
        aligned.chosen[b].averaged = combined->averaged[b];
    aligned.warnings = pairing.warnings.warnings();
    for (Error warning : combined->warnings) {
        warning.file = errorsFile;
        aligned.warnings.append(warning);
    }
    addCombinationWarnings(aligned, chosenErrors, errorsFile);
    return aligned;
}

}  // namespace pcs
