// The metric table. Sources (facts only):
//  - lm-evaluation-harness lm_eval/api/metrics.py: register_metric(..., higher_is_better=...)
//    for acc, acc_norm, acc_mutual_info, acc_all, exact_match, mcc, f1, bleu, chrf, ter,
//    perplexity, word_perplexity, byte_perplexity, bits_per_byte, brier_score, mae; bleu, chrf
//    and ter aggregate with sacrebleu's corpus scores, which are on a 0-100 scale; mcc is
//    sklearn's Matthews correlation, in [-1, 1]; perplexity is exp(-mean loglikelihood) >= 1.
//  - Its TER registration says higher_is_better=True while its own docstring says "Lower is
//    better" (TER is an edit rate); fixed upstream in PR #3993. Files written before the fix
//    declare ter as higher-is-better; the table overrides that.
//  - Task YAMLs: crows_pairs (0.4) declares likelihood_diff and pct_stereotype
//    higher_is_better: false; 0.3's crowspairs.py named the first likelihood_difference (also
//    lower). glue/cola uses mcc. truthfulqa_gen: bleu_max/rouge*_max are sacrebleu/rouge scores
//    times 100, *_diff their differences (-100..100), *_acc 0/1 means; truthfulqa mc1/mc2
//    (0.3 and the leaderboard name them mc1, mc2) are rates. gsm8k reports exact_match under
//    the filters strict-match and flexible-extract.
//  - 0.3's lambada.py: ppl (lower is better) and acc.
//  - SQuAD v2 (HF evaluate's squad_v2): exact, f1, HasAns_*, NoAns_*, best_* are percentages.
//  - Open LLM Leaderboard v1: ARC and HellaSwag scored by normalised accuracy (acc_norm),
//    TruthfulQA by mc2, MMLU (hendrycksTest-*, 57 subjects) by the mean of the subjects' acc.
#include "core/io/metricsemantics.h"

#include <cmath>
#include <iterator>
#include <limits>

namespace pcs::io {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Entry {
    const char *name;
    bool higherIsBetter;
    MetricScale scale;
    double min;
    double max;
};

using S = MetricScale;

// In order of preference: when a task reports several metrics, the first listed is taken.
// Accuracy-type scores first, then generation scores, then bias and perplexity-type metrics.
const Entry kTable[] = {
    { "acc", true, S::Rate, 0, 1 },
    { "acc_norm", true, S::Rate, 0, 1 },
    { "acc_mutual_info", true, S::Rate, 0, 1 },
    { "exact_match", true, S::Rate, 0, 1 },
    { "f1", true, S::Rate, 0, 1 },
    { "em", true, S::Rate, 0, 1 },
    { "exact", true, S::Percent, 0, 100 },
    { "mcc", true, S::Correlation, -1, 1 },
    { "matthews_corrcoef", true, S::Correlation, -1, 1 },
    { "pearson", true, S::Correlation, -1, 1 },
    { "pearsonr", true, S::Correlation, -1, 1 },
    { "spearman", true, S::Correlation, -1, 1 },
    { "spearmanr", true, S::Correlation, -1, 1 },
    { "mc2", true, S::Rate, 0, 1 },
    { "mc1", true, S::Rate, 0, 1 },
    { "acc_all", true, S::Rate, 0, 1 },
    { "prompt_level_strict_acc", true, S::Rate, 0, 1 },
    { "inst_level_strict_acc", true, S::Rate, 0, 1 },
    { "prompt_level_loose_acc", true, S::Rate, 0, 1 },
    { "inst_level_loose_acc", true, S::Rate, 0, 1 },
    { "bleu", true, S::Percent, 0, 100 },
    { "chrf", true, S::Percent, 0, 100 },
    { "ter", false, S::Percent, 0, kInf },  // edits per reference word x 100: may exceed 100
    { "bleu_acc", true, S::Rate, 0, 1 },
    { "rouge1_acc", true, S::Rate, 0, 1 },
    { "rouge2_acc", true, S::Rate, 0, 1 },
    { "rougeL_acc", true, S::Rate, 0, 1 },
    { "bleu_max", true, S::Percent, 0, 100 },
    { "rouge1_max", true, S::Percent, 0, 100 },
    { "rouge2_max", true, S::Percent, 0, 100 },
    { "rougeL_max", true, S::Percent, 0, 100 },
    { "bleu_diff", true, S::Unbounded, -100, 100 },
    { "rouge1_diff", true, S::Unbounded, -100, 100 },
    { "rouge2_diff", true, S::Unbounded, -100, 100 },
    { "rougeL_diff", true, S::Unbounded, -100, 100 },
    // ROUGE is reported on 0-1 by some tasks and 0-100 by others: negated, which ranks right.
    { "rouge1", true, S::Unbounded, 0, 100 },
    { "rouge2", true, S::Unbounded, 0, 100 },
    { "rougeL", true, S::Unbounded, 0, 100 },
    { "rougeLsum", true, S::Unbounded, 0, 100 },
    { "HasAns_exact", true, S::Percent, 0, 100 },
    { "HasAns_f1", true, S::Percent, 0, 100 },
    { "NoAns_exact", true, S::Percent, 0, 100 },
    { "NoAns_f1", true, S::Percent, 0, 100 },
    { "best_exact", true, S::Percent, 0, 100 },
    { "best_f1", true, S::Percent, 0, 100 },
    { "pct_stereotype", false, S::Rate, 0, 1 },
    { "likelihood_diff", false, S::Unbounded, 0, kInf },
    { "likelihood_difference", false, S::Unbounded, 0, kInf },
    { "perplexity", false, S::Unbounded, 1, kInf },
    { "ppl", false, S::Unbounded, 1, kInf },  // 0.3's LAMBADA name for perplexity
    { "word_perplexity", false, S::Unbounded, 1, kInf },
    { "byte_perplexity", false, S::Unbounded, 1, kInf },
    { "bits_per_byte", false, S::Unbounded, 0, kInf },
    { "brier_score", false, S::Unbounded, 0, 2 },
    { "mae", false, S::Unbounded, 0, kInf },
};

constexpr int kUnknownRank = int(std::size(kTable));

const Entry *find(const QString &metric)
{
    for (const Entry &entry : kTable) {
        if (metric == QLatin1String(entry.name))
            return &entry;
    }
    return nullptr;
}

QString bound(double value)
{
    return std::isinf(value) ? QStringLiteral("inf") : QString::number(value);
}

}  // namespace

std::optional<MetricSemantics> knownMetric(const QString &task, const QString &metric)
{
    const Entry *entry = find(metric);
    if (!entry)
        return std::nullopt;
    MetricSemantics semantics { entry->higherIsBetter, entry->scale, entry->min, entry->max,
                                int(entry - std::begin(kTable)) };
    // SQuAD (v2 and the harness's squad tasks) reports F1 as a percentage, unlike other tasks.
    if (metric == QLatin1String("f1") && task.startsWith(QLatin1String("squad"))) {
        semantics.scale = MetricScale::Percent;
        semantics.max = 100;
    }
    return semantics;
}

QString rangeText(const MetricSemantics &semantics)
{
    return QStringLiteral("[%1, %2%3")
        .arg(bound(semantics.min), bound(semantics.max),
             std::isinf(semantics.max) ? QStringLiteral(")") : QStringLiteral("]"));
}

bool inRange(const MetricSemantics &semantics, double value)
{
    return value >= semantics.min && value <= semantics.max;
}

QString knownMisdeclaration(const QString &metric, bool declaredHigherIsBetter)
{
    if (metric == QLatin1String("ter") && declaredHigherIsBetter)
        return QStringLiteral("the file says TER is higher-is-better, which is lm-eval's "
                              "registration bug (fixed upstream); TER is an edit rate, lower is "
                              "better");
    return {};
}

ErrorMapping errorMappingFor(bool higherIsBetter, MetricScale scale)
{
    if (!higherIsBetter)
        return scale == MetricScale::Percent ? ErrorMapping::Percent : ErrorMapping::AsIs;
    switch (scale) {
    case MetricScale::Rate:
        return ErrorMapping::OneMinus;
    case MetricScale::Correlation:
        return ErrorMapping::HalfOneMinus;
    case MetricScale::Percent:
        return ErrorMapping::OneMinusPercent;
    case MetricScale::Unknown:
    case MetricScale::Unbounded:
        return ErrorMapping::Negate;
    }
    return ErrorMapping::Negate;
}

double applyErrorMapping(ErrorMapping mapping, double value)
{
    switch (mapping) {
    case ErrorMapping::AsIs:
        return value;
    case ErrorMapping::OneMinus:
        return 1 - value;
    case ErrorMapping::HalfOneMinus:
        return (1 - value) / 2;
    case ErrorMapping::OneMinusPercent:
        return 1 - value / 100;
    case ErrorMapping::Percent:
        return value / 100;
    case ErrorMapping::Negate:
        return -value;
    }
    return value;
}

bool isMetricName(const QString &metric)
{
    return metric != QLatin1String("alias") && metric != QLatin1String("samples")
        && metric != QLatin1String("bypass") && !metric.endsWith(QLatin1String("_stderr"));
}

int metricRank(const QString &task, const QString &metric)
{
    const auto semantics = knownMetric(task, metric);
    return semantics ? semantics->preference : kUnknownRank;
}

int filterRank(const QString &filter)
{
    if (filter == QLatin1String("strict-match"))
        return 0;
    if (filter == QLatin1String("none") || filter.isEmpty())
        return 1;
    if (filter == QLatin1String("flexible-extract"))
        return 2;
    return 3;
}

QString leaderboardMetric(const QString &task)
{
    if (task == QLatin1String("arc:challenge") || task == QLatin1String("hellaswag"))
        return QStringLiteral("acc_norm");
    if (task == QLatin1String("truthfulqa:mc"))
        return QStringLiteral("mc2");
    return {};
}

std::optional<PrefixGroup> prefixGroupOf(const QString &task)
{
    static const QString kMmluPrefix = QStringLiteral("hendrycksTest-");
    if (task.startsWith(kMmluPrefix) && task.size() > kMmluPrefix.size())
        return PrefixGroup { kMmluPrefix, QStringLiteral("hendrycksTest"), 57 };
    return std::nullopt;
}

}  // namespace pcs::io
