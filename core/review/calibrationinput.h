#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/review/calibration.h"
#include "core/review/decision.h"

#include <optional>
#include <vector>

namespace pcs {

class QueueConnection;

// An assessed item as the calibration and the audit see it: no text, no storage details.
struct ScoredItem {
    qint64 id = 0;
    double score = 0;
    Decision automatic = Decision::Keep;
    std::optional<Decision> human;
};

enum class ScoredItemScope {
    All,  // every assessed item (the audit's draw)
    HumanDecided,  // only those with a human decision (calibration, the audit's report): few
};

// THE adapter between the queue's schema and the calibration/audit code: the assessed items
// (those with a score) in `scope`, by id, with their automatic and human decisions. The only code
// of this module that knows how the queue stores decisions: items.human_decision, and the
// automatic decision derived from the score and the stored thresholds by the store's one rule
// (queuesql::autoDecision, i.e. autoDecisionSql).
// Errors: not a review queue (BadInput), a stored decision this version does not know or an
// assessed item without an automatic decision (BadInput, naming the item), Canceled.
Result<std::vector<ScoredItem>> readScoredItems(QueueConnection &queue,
                                                ScoredItemScope scope = ScoredItemScope::All,
                                                const TaskControl &control = TaskControl::none());

// The items a human decided, as calibration rows.
std::vector<CalibrationRow> humanDecidedRows(const std::vector<ScoredItem> &items);

}  // namespace pcs
