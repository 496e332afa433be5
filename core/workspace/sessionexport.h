#pragma once

#include "core/common/result.h"
#include "core/io/outputpaths.h"
#include "core/selection/runreport.h"
#include "core/workspace/selectionsession.h"

namespace pcs {

// The provenance manifest of an outcome: the same fields as the CLI's --report. Hashing the
// inputs reads every byte of them: progress is by input, and a cancel is seen between inputs.
Result<RunReport> reportForOutcome(const SelectionData &data, const SelectionOutcome &outcome,
                                   const TaskControl &control = TaskControl::none());

// The files a selection was loaded from (and its LLM map, a parameter), for
// checkOutputsAgainstInputs.
QList<NamedPath> selectionInputFiles(const SelectionInputPaths &paths,
                                     const QString &llmMapPath = {});

// Writes the distribution (CSV, or JSON when the path ends in .json) and, beside it,
// PATH.manifest.json, published together: both or, after any failure, neither (the old files
// stay). Errors: either would replace an input of the selection (BadInput, before anything is
// written); a failed write such as a full disk (Io); a cancel before publishing (Canceled, the
// old files stay). Slow for large inputs (it hashes them): call it off the GUI thread.
Status exportDistribution(const SelectionData &data, const SelectionOutcome &outcome,
                          const QString &path, const TaskControl &control = TaskControl::none());

// Guesses a file's role from its name and first line (drag and drop, recent files).
bool looksLikeErrorsFile(const QString &path);
bool looksLikeTokenCounts(const QString &path);

}  // namespace pcs
