#include "core/review/queueaudit.h"

#include <QDateTime>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

namespace pcs {

namespace {

constexpr double kZ95 = 1.959963984540054;  // the standard normal's 97.5% quantile

// Uniform in [0, bound) from raw 64-bit draws, by rejection (no modulo bias), so that a seed
// gives the same sample with every standard library (std::uniform_int_distribution does not).
quint64 uniformBelow(std::mt19937_64 &generator, quint64 bound)
{
    const quint64 rejectBelow = (0 - bound) % bound;  // 2^64 mod bound
    for (;;) {
        const quint64 draw = generator();
        if (draw >= rejectBelow)
            return draw % bound;
    }
}

QJsonValue optionalNumber(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

}  // namespace

int auditScoreBand(double score)
{
    if (!(score >= 0))
        return 0;
    return std::min(kAuditScoreBands - 1, int(score / (100.0 / kAuditScoreBands)));
}

QString AuditStratum::label() const
{
    const int width = 100 / kAuditScoreBands;
    return QStringLiteral("%1 %2–%3")
        .arg(decisionName(automatic))
        .arg(band * width)
        .arg((band + 1) * width);
}

qint64 AuditSample::population() const
{
    qint64 total = 0;
    for (const AuditStratum &stratum : strata)
        total += stratum.population;
    return total;
}

Result<std::vector<qint64>> allocateAuditSample(const std::vector<qint64> &populations, qint64 size,
                                                qint64 minimumPerStratum)
{
    const qint64 population = std::accumulate(populations.begin(), populations.end(), qint64(0));
    if (size < 1)
        return Error::badInput(QStringLiteral("a sample needs at least one item"));
    if (population == 0)
        return Error::badInput(QStringLiteral("the queue has no assessed items to sample"));
    if (size > population)
        return Error::badInput(
            QStringLiteral("a sample of %1 is larger than the queue's %2 assessed items")
                .arg(size)
                .arg(population));
    const std::size_t count = populations.size();
    std::vector<qint64> floors(count);
    qint64 floorTotal = 0;
    qint64 nonEmpty = 0;
    for (std::size_t h = 0; h < count; ++h) {
        floors[h] = std::min(minimumPerStratum, populations[h]);
        floorTotal += floors[h];
        nonEmpty += populations[h] > 0 ? 1 : 0;
    }
    if (floorTotal > size)
        return Error::badInput(
            QStringLiteral("a sample of %1 cannot give each of the %2 score bands with items its "
                           "minimum of %3; draw at least %4")
                .arg(size)
                .arg(nonEmpty)
                .arg(minimumPerStratum)
                .arg(floorTotal));

    // Strata whose proportional share falls below their minimum get the minimum; the rest of the
    // sample is shared out proportionally again among the others, until no share falls short.
    std::vector<qint64> sizes(count, 0);
    std::vector<bool> fixed(count, false);
    std::vector<double> quotas(count, 0.0);
    for (;;) {
        qint64 left = size, leftPopulation = 0;
        for (std::size_t h = 0; h < count; ++h) {
            if (fixed[h])
                left -= sizes[h];
            else
                leftPopulation += populations[h];
        }
        bool changed = false;
        for (std::size_t h = 0; h < count; ++h) {
            if (fixed[h] || populations[h] == 0)
                continue;
            quotas[h] = double(left) * double(populations[h]) / double(leftPopulation);
            if (quotas[h] < double(floors[h])) {
                fixed[h] = true;
                sizes[h] = floors[h];
                changed = true;
            }
        }
        if (!changed)
            break;
    }
    // Largest remainder: whole parts first, then one more to the largest fractions.
    qint64 given = 0;
    std::vector<std::size_t> open;
    for (std::size_t h = 0; h < count; ++h) {
        if (!fixed[h] && populations[h] > 0) {
            sizes[h] = std::min(populations[h], qint64(std::floor(quotas[h])));
            open.push_back(h);
        }
        given += sizes[h];
    }
    std::stable_sort(open.begin(), open.end(), [&](std::size_t a, std::size_t b) {
        return quotas[a] - std::floor(quotas[a]) > quotas[b] - std::floor(quotas[b]);
    });
    // More than one round only if rounding left a share short (never in exact arithmetic).
    while (given < size) {
        bool progressed = false;
        for (std::size_t h : open) {
            if (given == size)
                break;
            if (sizes[h] < populations[h]) {
                ++sizes[h];
                ++given;
                progressed = true;
            }
        }
        if (!progressed) {
            // Only strata held at their minimum have room left.
            for (std::size_t h = 0; h < count && given < size; ++h) {
                if (sizes[h] < populations[h]) {
                    ++sizes[h];
                    ++given;
                }
            }
        }
    }
    return sizes;
}

Result<AuditSample> drawAuditSample(const std::vector<ScoredItem> &items, qint64 size, quint64 seed,
                                    const Thresholds &thresholds)
{
    // Strata in a fixed order (decision, band), each with its ids in id order.
    std::map<std::pair<int, int>, std::vector<const ScoredItem *>> byStratum;
    for (const ScoredItem &item : items)
        byStratum[{ int(item.automatic), auditScoreBand(item.score) }].push_back(&item);
    std::vector<qint64> populations;
    for (auto &[key, members] : byStratum) {
        std::sort(members.begin(), members.end(),
                  [](const ScoredItem *a, const ScoredItem *b) { return a->id < b->id; });
        populations.push_back(qint64(members.size()));
    }
    auto sizes = allocateAuditSample(populations, size, kMinimumPerStratum);
    if (!sizes)
        return sizes.error();

    AuditSample sample;
    sample.seed = seed;
    sample.thresholds = thresholds;
    sample.drawnAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    std::mt19937_64 generator(seed);
    std::size_t index = 0;
    for (auto &[key, members] : byStratum) {
        const qint64 take = (*sizes)[index];
        sample.strata.push_back({ Decision(key.first), key.second, qint64(members.size()), take });
        // Partial Fisher–Yates: positions 0..take-1 end up a uniform sample without replacement.
        for (qint64 position = 0; position < take; ++position) {
            const quint64 remaining = quint64(qint64(members.size()) - position);
            const qint64 pick = position + qint64(uniformBelow(generator, remaining));
            std::swap(members[std::size_t(position)], members[std::size_t(pick)]);
            sample.items.push_back({ members[std::size_t(position)]->id, index,
                                     members[std::size_t(position)]->score });
        }
        ++index;
    }
    std::sort(sample.items.begin(), sample.items.end(),
              [](const AuditSampleItem &a, const AuditSampleItem &b) { return a.id < b.id; });
    return sample;
}

OverturnEstimate estimateOverturns(const std::vector<StratumObservation> &strata)
{
    OverturnEstimate estimate;
    qint64 missing = 0, nonEmpty = 0;
    bool complete = true;  // every item of every stratum decided: the proportion is exact
    for (const StratumObservation &stratum : strata) {
        if (stratum.population == 0)
            continue;
        ++nonEmpty;
        estimate.population += stratum.population;
        estimate.decided += stratum.decided;
        estimate.overturned += stratum.overturned;
        missing += stratum.decided == 0 ? 1 : 0;
        complete = complete && stratum.decided >= stratum.population;
    }
    if (nonEmpty == 0) {
        estimate.unavailableReason = QStringLiteral("no items");
        return estimate;
    }
    if (missing > 0) {
        estimate.unavailableReason
            = QStringLiteral("%1 of the %2 score bands sampled have no human decision yet")
                  .arg(missing)
                  .arg(nonEmpty);
        return estimate;
    }
    const double total = double(estimate.population);
    double proportion = 0, variance = 0;
    for (const StratumObservation &stratum : strata) {
        if (stratum.population == 0)
            continue;
        const double weight = double(stratum.population) / total;
        const double n = double(stratum.decided);
        const double share = double(stratum.overturned) / n;
        proportion += weight * share;
        const double sampledFraction = std::min(1.0, n / double(stratum.population));
        if (sampledFraction >= 1.0)
            continue;  // the whole stratum is known
        double spread;
        if (stratum.decided >= 2)
            spread = n / (n - 1) * share * (1 - share);
        else  // no sample variance from one item: the largest a 0/1 variable can have
            spread = double(stratum.population) / (4.0 * double(stratum.population - 1));
        variance += weight * weight * (1 - sampledFraction) * spread / n;
    }
    proportion = std::clamp(proportion, 0.0, 1.0);
    estimate.proportion = proportion;
    estimate.standardError = std::sqrt(variance);
    if (complete) {
        estimate.lower = estimate.upper = proportion;
        return estimate;
    }
    double effective;
    if (variance > 0 && proportion > 0 && proportion < 1) {
        effective = proportion * (1 - proportion) / variance;
    } else {  // no spread seen (p = 0 or 1, or every decided stratum unanimous)
        const double decidedFraction = double(estimate.decided) / total;
        effective = double(estimate.decided) / (1 - decidedFraction);
    }
    // Wilson's score interval at the effective sample size.
    const double z2 = kZ95 * kZ95;
    const double denominator = 1 + z2 / effective;
    const double centre = (proportion + z2 / (2 * effective)) / denominator;
    const double half = kZ95
        * std::sqrt(proportion * (1 - proportion) / effective + z2 / (4 * effective * effective))
        / denominator;
    estimate.lower = std::max(0.0, centre - half);
    estimate.upper = std::min(1.0, centre + half);
    return estimate;
}

QJsonObject OverturnEstimate::toJson() const
{
    const auto count = [this](const std::optional<double> &share) {
        return share ? std::optional<double>(*share * double(population)) : std::nullopt;
    };
    QJsonObject json { { QStringLiteral("population"), population },
                       { QStringLiteral("decided"), decided },
                       { QStringLiteral("overturned_in_sample"), overturned },
                       { QStringLiteral("proportion"), optionalNumber(proportion) },
                       { QStringLiteral("standard_error"), optionalNumber(standardError) },
                       { QStringLiteral("proportion_lower"), optionalNumber(lower) },
                       { QStringLiteral("proportion_upper"), optionalNumber(upper) },
                       { QStringLiteral("count"), optionalNumber(count(proportion)) },
                       { QStringLiteral("count_lower"), optionalNumber(count(lower)) },
                       { QStringLiteral("count_upper"), optionalNumber(count(upper)) },
                       { QStringLiteral("confidence"), kAuditConfidence } };
    if (!unavailableReason.isEmpty())
        json.insert(QStringLiteral("unavailable"), unavailableReason);
    return json;
}

AuditReport reportAudit(const AuditSample &sample, const std::vector<ScoredItem> &current)
{
    AuditReport report;
    report.seed = sample.seed;
    report.drawnAt = sample.drawnAt;
    report.drawnThresholds = sample.thresholds;
    report.sampled = sample.size();
    for (const AuditStratum &stratum : sample.strata)
        report.strata.push_back({ stratum, 0, 0 });
    // `current` comes by id (readScoredItems), but nothing here relies on it.
    std::vector<const ScoredItem *> byId;
    byId.reserve(current.size());
    for (const ScoredItem &item : current)
        byId.push_back(&item);
    std::sort(byId.begin(), byId.end(),
              [](const ScoredItem *a, const ScoredItem *b) { return a->id < b->id; });
    for (const AuditSampleItem &sampled : sample.items) {
        const auto found
            = std::lower_bound(byId.begin(), byId.end(), sampled.id,
                               [](const ScoredItem *item, qint64 id) { return item->id < id; });
        if (found == byId.end() || (*found)->id != sampled.id || !(*found)->human) {
            ++report.undecided;
            report.undecidedIds.push_back(sampled.id);
            continue;
        }
        AuditStratumReport &stratum = report.strata[sampled.stratum];
        ++stratum.decided;
        if (*(*found)->human != stratum.stratum.automatic)
            ++stratum.overturned;
    }
    std::vector<StratumObservation> all;
    std::array<std::vector<StratumObservation>, 3> byDecision;
    for (const AuditStratumReport &stratum : report.strata) {
        const StratumObservation observation { stratum.stratum.population, stratum.decided,
                                               stratum.overturned };
        all.push_back(observation);
        byDecision[std::size_t(stratum.stratum.automatic)].push_back(observation);
    }
    report.overall = estimateOverturns(all);
    for (std::size_t decision = 0; decision < 3; ++decision)
        report.byDecision[decision] = estimateOverturns(byDecision[decision]);
    return report;
}

QJsonObject AuditReport::toJson() const
{
    QJsonArray strataJson;
    for (const AuditStratumReport &stratum : strata)
        strataJson.append(QJsonObject {
            { QStringLiteral("stratum"), stratum.stratum.label() },
            { QStringLiteral("automatic_decision"), decisionName(stratum.stratum.automatic) },
            { QStringLiteral("band"), stratum.stratum.band },
            { QStringLiteral("population"), stratum.stratum.population },
            { QStringLiteral("sampled"), stratum.stratum.sampleSize },
            { QStringLiteral("decided"), stratum.decided },
            { QStringLiteral("overturned"), stratum.overturned } });
    QJsonObject decisions;
    for (std::size_t decision = 0; decision < 3; ++decision)
        decisions.insert(decisionName(Decision(decision)), byDecision[decision].toJson());
    QJsonArray undecidedJson;
    for (qint64 id : undecidedIds)
        undecidedJson.append(id);
    return QJsonObject {
        { QStringLiteral("seed"), QString::number(seed) },
        { QStringLiteral("drawn_at"), drawnAt },
        { QStringLiteral("thresholds_when_drawn"),
          QJsonObject { { QStringLiteral("filter"), drawnThresholds.filter },
                        { QStringLiteral("revise"), drawnThresholds.revise } } },
        { QStringLiteral("sampled"), sampled },
        { QStringLiteral("undecided"), undecided },
        { QStringLiteral("undecided_ids"), undecidedJson },
        { QStringLiteral("overturned"), overall.toJson() },
        { QStringLiteral("overturned_by_automatic_decision"), decisions },
        { QStringLiteral("strata"), strataJson },
    };
}

}  // namespace pcs
