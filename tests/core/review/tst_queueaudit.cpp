// The audit sample: allocation (hand-worked, invariants), seeded stratified draws (reproducible,
// uniform within a stratum), the stratified estimate (hand-worked; its 95% interval covers the
// truth in about 95% of simulated audits), and its table in the queue file next to the queue.
#include "core/review/calibrationinput.h"
#include "core/review/queueaudit.h"
#include "core/review/queueconnection.h"
#include "core/review/queuestore.h"
#include "tests/common/testdata.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <map>
#include <random>
#include <set>

using namespace pcs;

namespace {

constexpr Decision K = Decision::Keep, R = Decision::Revise, F = Decision::Filter;

// A queue-like population: scores spread over 0–100, decided by 80/50, and a human who
// overturns more often near the thresholds; the truth is known exactly.
std::vector<ScoredItem> population(int count, quint64 seed)
{
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<ScoredItem> items;
    for (int i = 0; i < count; ++i) {
        const double score = 100 * std::pow(uniform(random), 1.5);  // more low scores
        ScoredItem item { i + 1, score, decide(score, Thresholds {}), std::nullopt };
        const double nearThreshold = std::min(std::abs(score - 50), std::abs(score - 80));
        const double overturnChance = nearThreshold < 8 ? 0.45 : 0.08;
        Decision human = item.automatic;
        if (uniform(random) < overturnChance)
            human = item.automatic == K ? R : item.automatic == R ? K : R;
        item.human = human;
        items.push_back(item);
    }
    return items;
}

// The human's decisions only on the sampled items (what an audit sees).
std::vector<ScoredItem> decidedOnly(const std::vector<ScoredItem> &all, const AuditSample &sample)
{
    std::set<qint64> ids;
    for (const AuditSampleItem &item : sample.items)
        ids.insert(item.id);
    std::vector<ScoredItem> seen = all;
    for (ScoredItem &item : seen)
        if (!ids.count(item.id))
            item.human.reset();
    return seen;
}

double trueOverturnShare(const std::vector<ScoredItem> &items)
{
    qint64 overturned = 0;
    for (const ScoredItem &item : items)
        overturned += *item.human != item.automatic ? 1 : 0;
    return double(overturned) / double(items.size());
}

}  // namespace

class TestQueueAudit : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void scoreBands()
    {
        QCOMPARE(auditScoreBand(0), 0);
        QCOMPARE(auditScoreBand(9.99), 0);
        QCOMPARE(auditScoreBand(10), 1);
        QCOMPARE(auditScoreBand(99.9), 9);
        QCOMPARE(auditScoreBand(100), 9);
        QCOMPARE(auditScoreBand(-3), 0);
        QCOMPARE(auditScoreBand(250), 9);
        QCOMPARE((AuditStratum { R, 5, 10, 2 }.label()), QStringLiteral("revise 50–60"));
    }

    void allocationOfAHandWorkedCase()
    {
        // N = 154. Shares of 20: 12.99, 6.49, 0.39, 0, 0.13: the last two non-empty strata are
        // raised to their minimum (2, and 1: all it has), the other 17 go 11.33/5.67 → 11 + 6.
        auto sizes = allocateAuditSample({ 100, 50, 3, 0, 1 }, 20, 2);
        QVERIFY(sizes.ok());
        QCOMPARE(*sizes, (std::vector<qint64> { 11, 6, 2, 0, 1 }));
    }

    void allocationInvariants()
    {
        std::mt19937_64 random(5);
        std::uniform_int_distribution<int> strataCount(1, 25), stratumSize(0, 400);
        for (int trial = 0; trial < 500; ++trial) {
            std::vector<qint64> populations(std::size_t(strataCount(random)));
            qint64 total = 0, floors = 0;
            for (qint64 &size : populations) {
                size = random() % 4 == 0 ? random() % 3 : stratumSize(random);
                total += size;
                floors += std::min<qint64>(2, size);
            }
            if (total == 0)
                continue;
            std::uniform_int_distribution<qint64> sampleSize(std::max<qint64>(1, floors), total);
            const qint64 size = sampleSize(random);
            auto sizes = allocateAuditSample(populations, size, 2);
            QVERIFY2(sizes.ok(), qPrintable(sizes.ok() ? QString() : sizes.error().reason));
            qint64 sum = 0;
            for (std::size_t h = 0; h < populations.size(); ++h) {
                QVERIFY((*sizes)[h] >= std::min<qint64>(2, populations[h]));
                QVERIFY((*sizes)[h] <= populations[h]);
                sum += (*sizes)[h];
            }
            QCOMPARE(sum, size);
        }
        // Strata big enough for their share get it, to within rounding.
        auto proportional = allocateAuditSample({ 5000, 3000, 2000 }, 101, 2);
        QVERIFY(proportional.ok());
        // Shares 50.5, 30.3, 20.2: the one left over goes to the largest fraction.
        QCOMPARE(*proportional, (std::vector<qint64> { 51, 30, 20 }));
    }

    void allocationErrors()
    {
        auto tooLarge = allocateAuditSample({ 3, 4 }, 8, 2);
        QVERIFY(!tooLarge.ok());
        QVERIFY(tooLarge.error().reason.contains(QStringLiteral("larger than the queue's 7")));
        auto tooSmall = allocateAuditSample({ 30, 40, 50 }, 5, 2);
        QVERIFY(!tooSmall.ok());
        QVERIFY(tooSmall.error().reason.contains(QStringLiteral("draw at least 6")));
        QVERIFY(!allocateAuditSample({ 3 }, 0, 2).ok());
        QVERIFY(!allocateAuditSample({ 0, 0 }, 1, 2).ok());
    }

    void drawIsStratifiedAndSeeded()
    {
        const auto items = population(3000, 1);
        auto first = drawAuditSample(items, 200, 42, Thresholds {});
        auto again = drawAuditSample(items, 200, 42, Thresholds {});
        auto other = drawAuditSample(items, 200, 43, Thresholds {});
        QVERIFY(first.ok() && again.ok() && other.ok());
        QCOMPARE(first->size(), 200);
        QCOMPARE(first->population(), 3000);
        std::vector<qint64> firstIds, againIds, otherIds;
        for (const auto &item : first->items)
            firstIds.push_back(item.id);
        for (const auto &item : again->items)
            againIds.push_back(item.id);
        for (const auto &item : other->items)
            otherIds.push_back(item.id);
        QCOMPARE(firstIds, againIds);
        QVERIFY(firstIds != otherIds);
        QCOMPARE(std::set<qint64>(firstIds.begin(), firstIds.end()).size(), std::size_t(200));

        // Every sampled item belongs to its stratum, and the strata hold their sample sizes.
        std::map<qint64, const ScoredItem *> byId;
        for (const ScoredItem &item : items)
            byId[item.id] = &item;
        std::vector<qint64> counted(first->strata.size(), 0);
        for (const AuditSampleItem &sampled : first->items) {
            const AuditStratum &stratum = first->strata[sampled.stratum];
            QCOMPARE(byId[sampled.id]->automatic, stratum.automatic);
            QCOMPARE(auditScoreBand(byId[sampled.id]->score), stratum.band);
            ++counted[sampled.stratum];
        }
        qint64 population = 0;
        for (std::size_t h = 0; h < first->strata.size(); ++h) {
            QCOMPARE(counted[h], first->strata[h].sampleSize);
            QVERIFY(first->strata[h].sampleSize >= 2);
            population += first->strata[h].population;
        }
        QCOMPARE(population, 3000);
        // Bands that a threshold cuts are two strata: revise 50–60 holds only scores above 50.
        QVERIFY(first->strata.size() >= 10);
    }

    void drawIsUniformWithinAStratum()
    {
        // One stratum of 20 items, samples of 5: each item's inclusion rate is 1/4.
        std::vector<ScoredItem> items;
        for (int i = 0; i < 20; ++i)
            items.push_back({ i + 1, 12.0, K, std::nullopt });
        std::vector<int> hits(21, 0);
        const int trials = 8000;
        for (int seed = 0; seed < trials; ++seed) {
            auto sample = drawAuditSample(items, 5, quint64(seed), Thresholds {});
            QVERIFY(sample.ok());
            for (const auto &item : sample->items)
                ++hits[std::size_t(item.id)];
        }
        // Binomial(8000, 0.25): sd ≈ 38.7; 5 sd either way.
        for (int id = 1; id <= 20; ++id)
            QVERIFY2(std::abs(hits[std::size_t(id)] - trials / 4) < 195,
                     qPrintable(QStringLiteral("item %1 drawn %2 times").arg(id).arg(hits[id])));
    }

    void estimateOfAHandWorkedCase()
    {
        // Stratum 1: N = 100, 10 decided, 2 overturned; stratum 2: N = 50, 5 decided, none.
        // p = (2/3)(0.2) = 2/15; s1² = (10/9)(0.16); v = (2/3)²(1 − 0.1)s1²/10 = 6.4/900;
        // n_eff = (2/15)(13/15)/v = 16.25; Wilson at p = 2/15, n = 16.25, z = 1.959964:
        // [0.0390955387, 0.3677834354] (computed separately).
        const OverturnEstimate estimate = estimateOverturns({ { 100, 10, 2 }, { 50, 5, 0 } });
        QVERIFY(estimate.proportion);
        QVERIFY(qAbs(*estimate.proportion - 2.0 / 15.0) < 1e-12);
        QVERIFY(qAbs(*estimate.standardError - std::sqrt(6.4 / 900)) < 1e-12);
        QVERIFY(qAbs(*estimate.lower - 0.0390955387) < 1e-9);
        QVERIFY(qAbs(*estimate.upper - 0.3677834354) < 1e-9);
        QCOMPARE(estimate.population, 150);
        QCOMPARE(estimate.decided, 15);
        QCOMPARE(estimate.overturned, 2);
        const QJsonObject json = estimate.toJson();
        QVERIFY(qAbs(json.value(QStringLiteral("count")).toDouble() - 20.0) < 1e-9);
        QVERIFY(qAbs(json.value(QStringLiteral("count_upper")).toDouble() - 150 * 0.3677834354)
                < 1e-6);
    }

    void estimateEdgeCases()
    {
        // No overturn seen: the interval still has width (Wilson), from 0.
        const OverturnEstimate none = estimateOverturns({ { 1000, 100, 0 } });
        QCOMPARE(*none.proportion, 0.0);
        QCOMPARE(*none.lower, 0.0);
        QVERIFY(*none.upper > 0.02 && *none.upper < 0.05);
        // Every item decided: exact.
        const OverturnEstimate exact = estimateOverturns({ { 4, 4, 1 }, { 6, 6, 3 } });
        QCOMPARE(*exact.proportion, 0.4);
        QCOMPARE(*exact.lower, 0.4);
        QCOMPARE(*exact.upper, 0.4);
        // A stratum without any decision: no estimate, and why.
        const OverturnEstimate missing = estimateOverturns({ { 100, 5, 1 }, { 100, 0, 0 } });
        QVERIFY(!missing.proportion);
        QVERIFY(missing.unavailableReason.contains(QStringLiteral("1 of the 2")));
        // One decision in a stratum: the widest variance a 0/1 variable can have is assumed.
        const OverturnEstimate single = estimateOverturns({ { 100, 1, 0 }, { 100, 50, 5 } });
        QVERIFY(*single.standardError >= std::sqrt(0.25 * 0.25 * 0.99 * (100.0 / 99.0)) - 1e-12);
        QVERIFY(*single.lower >= 0 && *single.upper <= 1);
    }

    void confidenceIntervalCoversTheTruthAboutNinetyFivePercent()
    {
        // 1000 audits of 200 items from one population of 5000 with a known overturn share: the
        // 95% interval should miss the truth in about 50 of them (binomial sd ≈ 6.9).
        const auto items = population(5000, 99);
        const double truth = trueOverturnShare(items);
        const int trials = 1000;
        int covered = 0, coveredKeep = 0;
        double keepTruthOverturned = 0, keepCount = 0;
        for (const ScoredItem &item : items)
            if (item.automatic == K) {
                keepCount += 1;
                keepTruthOverturned += *item.human != K ? 1 : 0;
            }
        const double keepTruth = keepTruthOverturned / keepCount;
        for (int trial = 0; trial < trials; ++trial) {
            auto sample = drawAuditSample(items, 200, quint64(1000 + trial), Thresholds {});
            QVERIFY(sample.ok());
            const AuditReport report = reportAudit(*sample, decidedOnly(items, *sample));
            QCOMPARE(report.undecided, 0);
            QVERIFY(report.overall.proportion);
            covered += (*report.overall.lower <= truth && truth <= *report.overall.upper) ? 1 : 0;
            const OverturnEstimate &keep = report.byDecision[std::size_t(K)];
            coveredKeep += (*keep.lower <= keepTruth && keepTruth <= *keep.upper) ? 1 : 0;
        }
        const double coverage = double(covered) / trials;
        const double keepCoverage = double(coveredKeep) / trials;
        qInfo("truth %.4f, coverage %.3f; keep truth %.4f, coverage %.3f", truth, coverage,
              keepTruth, keepCoverage);
        QVERIFY2(coverage >= 0.93 && coverage <= 0.97, qPrintable(QString::number(coverage)));
        QVERIFY2(keepCoverage >= 0.93 && keepCoverage <= 0.975,
                 qPrintable(QString::number(keepCoverage)));
    }

    void reportCountsUndecidedAndOverturned()
    {
        std::vector<ScoredItem> items;
        for (int i = 0; i < 10; ++i)
            items.push_back({ i + 1, 5.0, K, std::nullopt });
        for (int i = 10; i < 20; ++i)
            items.push_back({ i + 1, 95.0, F, std::nullopt });
        auto sample = drawAuditSample(items, 6, 1, Thresholds {});
        QVERIFY(sample.ok());
        QCOMPARE(sample->strata.size(), std::size_t(2));
        // Decide every sampled keep item as revise, leave the filter ones undecided.
        std::vector<ScoredItem> current = items;
        for (const AuditSampleItem &sampled : sample->items)
            if (sample->strata[sampled.stratum].automatic == K)
                current[std::size_t(sampled.id - 1)].human = R;
        const AuditReport report = reportAudit(*sample, current);
        QCOMPARE(report.sampled, 6);
        QCOMPARE(report.undecided, 3);
        QCOMPARE(report.undecidedIds.size(), std::size_t(3));
        QVERIFY(!report.overall.proportion);  // the filter stratum has no decision yet
        QCOMPARE(*report.byDecision[std::size_t(K)].proportion, 1.0);
        QCOMPARE(report.strata[0].overturned, 3);
        QCOMPARE(report.toJson().value(QStringLiteral("undecided")).toInteger(), 3);
    }

    void sampleLivesInItsOwnTableOfTheQueue()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("queue.sqlite"));
        QByteArray lines;
        for (int i = 0; i < 40; ++i)
            lines += QStringLiteral("{\"text\":\"document %1\"}\n").arg(i).toUtf8();
        const QString input = test::writeFile(dir, QStringLiteral("in.jsonl"), lines);
        {
            auto store = QueueStore::open(path);
            QVERIFY(store.ok());
            QVERIFY((*store)->importJsonl(input, QStringLiteral("text")).ok());
            for (qint64 id = 1; id <= 30; ++id) {
                AssessmentRecord record;
                record.score = double(id * 3);
                QVERIFY((*store)->recordAssessment(id, record).ok());
            }
            QVERIFY((*store)->setHumanDecision(2, Decision::Filter).ok());
            QVERIFY((*store)->setHumanDecision(40, Decision::Keep).ok());  // not assessed
        }
        checkSampleRoundTrip(path);

        // The queue's own schema is untouched and still opens.
        auto reopened = QueueStore::open(path);
        QVERIFY(reopened.ok());
        QCOMPARE((*reopened)->counts()->total, 40);
        {
            QSqlDatabase db
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("SELECT max(version) FROM schema_version")));
            QVERIFY(query.next());
            QCOMPARE(query.value(0).toInt(), QueueStore::kSchemaVersion);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("check"));
    }

    // The automatic decision the audit and calibration read is derived from the stored
    // thresholds by the store's own rule: after each threshold change it equals the store's
    // item().autoDecision and decide(score, thresholds), also for scores exactly at a threshold.
    void scoredItemsFollowTheStoredThresholds()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("queue.sqlite"));
        QByteArray lines;
        const std::vector<double> scores { 0,  10, 29.5,  30, 30.000001, 49.999, 50, 50.5,
                                           60, 70, 79.99, 80, 80.01,     95,     100 };
        for (std::size_t i = 0; i < scores.size(); ++i)
            lines += QStringLiteral("{\"text\":\"document %1\"}\n").arg(i).toUtf8();
        const QString input = test::writeFile(dir, QStringLiteral("in.jsonl"), lines);
        auto store = QueueStore::open(path);
        QVERIFY(store.ok());
        QVERIFY((*store)->importJsonl(input, QStringLiteral("text")).ok());
        for (std::size_t i = 0; i < scores.size(); ++i) {
            AssessmentRecord record;
            record.score = scores[i];
            QVERIFY((*store)->recordAssessment(qint64(i + 1), record).ok());
        }
        for (const Thresholds thresholds : { Thresholds {}, Thresholds { 60, 30 },
                                             Thresholds { 70, 70 }, Thresholds { 100, 0 } }) {
            QVERIFY((*store)->setThresholds(thresholds.filter, thresholds.revise).ok());
            auto queue = QueueConnection::open(path);
            QVERIFY(queue.ok());
            auto items = readScoredItems(**queue);
            QVERIFY(items.ok());
            QCOMPARE(items->size(), scores.size());
            for (std::size_t i = 0; i < scores.size(); ++i) {
                const ScoredItem &item = (*items)[i];
                QCOMPARE(item.score, scores[i]);
                QCOMPARE(item.automatic, decide(scores[i], thresholds));
                QCOMPARE(std::optional(item.automatic), (*store)->item(item.id)->autoDecision);
            }
            if (thresholds.filter == 60) {  // by hand: a score at a threshold takes the milder
                QCOMPARE((*items)[3].automatic, K);  // 30
                QCOMPARE((*items)[4].automatic, R);  // 30.000001
                QCOMPARE((*items)[8].automatic, R);  // 60
                QCOMPARE((*items)[9].automatic, F);  // 70
            }
        }
    }

    void connectionErrors()
    {
        QTemporaryDir dir;
        auto missing = QueueConnection::open(dir.filePath(QStringLiteral("nope.sqlite")));
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().reason.contains(QStringLiteral("no such review queue")));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("nope.sqlite"))));
        // A SQLite file that is not a queue.
        const QString other = dir.filePath(QStringLiteral("other.sqlite"));
        {
            QSqlDatabase db
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("other"));
            db.setDatabaseName(other);
            QVERIFY(db.open());
            QSqlQuery(db).exec(QStringLiteral("CREATE TABLE t (x)"));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("other"));
        auto queue = QueueConnection::open(other);
        QVERIFY(queue.ok());
        auto items = readScoredItems(**queue);
        QVERIFY(!items.ok());
        QCOMPARE(items.error().kind, ErrorKind::BadInput);
        QVERIFY(items.error().reason.contains(QStringLiteral("not a review queue")));
        // Not a database at all.
        const QString text
            = test::writeFile(dir, QStringLiteral("text.sqlite"), QByteArray(4096, 'x'));
        auto garbage = QueueConnection::open(text);
        QVERIFY(!garbage.ok());
    }

private:
    void checkSampleRoundTrip(const QString &path)
    {
        auto queue = QueueConnection::open(path);
        QVERIFY(queue.ok());
        auto items = readScoredItems(**queue);
        QVERIFY(items.ok());
        QCOMPARE(items->size(), std::size_t(30));  // the assessed ones only
        QCOMPARE((*items)[1].id, 2);
        QCOMPARE((*items)[1].score, 6.0);
        QCOMPARE((*items)[1].automatic, K);
        QCOMPARE(*(*items)[1].human, F);
        QCOMPARE((*items)[29].automatic, F);  // 90 > 80
        QVERIFY(!(*items)[0].human);
        QCOMPARE(humanDecidedRows(*items).size(), std::size_t(1));
        auto decided = readScoredItems(**queue, ScoredItemScope::HumanDecided);
        QVERIFY(decided.ok());
        QCOMPARE(decided->size(), std::size_t(1));  // item 40's decision has no score
        QCOMPARE(decided->front().id, 2);
        QCOMPARE(*decided->front().human, F);

        auto none = loadAuditSample(**queue);
        QVERIFY(none.ok());
        QVERIFY(!none->has_value());
        // Scores 3, 6, ..., 90: ten non-empty strata, one of them (filter 90–100) a single item,
        // so at least 2·9 + 1 = 19.
        QVERIFY(!drawAuditSample(*items, 18, 7, Thresholds {}).ok());
        QVERIFY(drawAuditSample(*items, 19, 7, Thresholds {}).ok());
        auto sample = drawAuditSample(*items, 24, 7, Thresholds {});
        QVERIFY(sample.ok());
        QVERIFY(saveAuditSample(**queue, *sample).ok());
        auto loaded = loadAuditSample(**queue);
        QVERIFY(loaded.ok() && loaded->has_value());
        const AuditSample &back = **loaded;
        QCOMPARE(back.seed, quint64(7));
        QCOMPARE(back.drawnAt, sample->drawnAt);
        QCOMPARE(back.size(), 24);
        QCOMPARE(back.strata.size(), sample->strata.size());
        for (std::size_t h = 0; h < back.strata.size(); ++h) {
            QCOMPARE(back.strata[h].label(), sample->strata[h].label());
            QCOMPARE(back.strata[h].population, sample->strata[h].population);
            QCOMPARE(back.strata[h].sampleSize, sample->strata[h].sampleSize);
        }
        for (std::size_t i = 0; i < back.items.size(); ++i) {
            QCOMPARE(back.items[i].id, sample->items[i].id);
            QCOMPARE(back.items[i].stratum, sample->items[i].stratum);
        }
        // A new draw replaces the old one.
        auto smaller = drawAuditSample(*items, 20, 8, Thresholds {});
        QVERIFY(smaller.ok());
        QVERIFY(saveAuditSample(**queue, *smaller).ok());
        QCOMPARE((*loadAuditSample(**queue))->size(), 20);
    }
};

QTEST_GUILESS_MAIN(TestQueueAudit)
#include "tst_queueaudit.moc"
