#pragma once

#include "core/workspace/selectionsession.h"

#include <QString>

// The Data page's words: explanations of the choices, benchmark tooltips, the summary and the
// list of LLMs not used. Kept apart from the widgets so datapage.cpp stays about layout.
namespace pcs {

QString combinationLabel(Combination combination);  // "Rank mean"
QString combinationHelp(Combination combination);  // one line: what it does, when to use it
QString matchingHelp(LlmMatching matching, bool withMap);
QString defaultSetHelp();
QString mapFileText(const QString &path, LlmMatching rest);  // "map.csv, the rest by exact name"

QString metricText(const BenchmarkInfo &info);  // "acc", "exact_match, strict-match"
QString benchmarkToolTip(const QString &name, const BenchmarkInfo &info);

// Rich text: files, sizes, how LLMs were matched and benchmarks combined, warnings.
QString dataSummaryText(const SelectionData &data, const SelectionOutcome *outcome);
QString errorText(const BenchmarkInfo &info);  // "1 - v"; "as is" for the package's errors

// The list of LLMs not used: section titles and a duplicate's description.
QString duplicatesTitle(qsizetype count);
QString notUsedTitle(const AlignedInputs &aligned);
QString duplicateText(const DuplicateLlms &pair);

}  // namespace pcs
