// `pcstudio-cli review calibrate` and `review audit` end to end: queues made by the CLI's own
// import, assessments and human decisions recorded through the queue store.
#include "core/review/queuestore.h"
#include "tests/common/testdata.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace pcs;

namespace {

struct CliRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

CliRun runCli(const QStringList &arguments)
{
    QProcess process;
    process.start(test::cliPath(), arguments);
    CliRun run;
    if (!process.waitForFinished(120000))
        return run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

QJsonObject jsonOf(const CliRun &run)
{
    return QJsonDocument::fromJson(run.out).object();
}

// A queue of `scores.size()` items imported by the CLI, item i assessed with scores[i] (the
// automatic decisions from the default 80/50).
QString makeQueue(const QTemporaryDir &dir, const std::vector<double> &scores)
{
    QByteArray lines;
    for (std::size_t i = 0; i < scores.size(); ++i)
        lines += QStringLiteral("{\"id\":\"d%1\",\"text\":\"document %1\"}\n").arg(i).toUtf8();
    const QString input = test::writeFile(dir, QStringLiteral("in.jsonl"), lines);
    const QString db = dir.filePath(QStringLiteral("queue.sqlite"));
    const CliRun imported
        = runCli({ QStringLiteral("review"), QStringLiteral("import"), QStringLiteral("--db"), db,
                   QStringLiteral("--input"), input });
    if (imported.exitCode != 0)
        return {};
    auto store = QueueStore::open(db);
    if (!store)
        return {};
    for (std::size_t i = 0; i < scores.size(); ++i) {
        AssessmentRecord record;
        record.score = scores[i];
        if (!(*store)->recordAssessment(qint64(i + 1), record).ok())
            return {};
    }
    return db;
}

bool decide(const QString &db, qint64 id, const QString &decision)
{
    const auto parsed = decisionFromName(decision);
    auto store = QueueStore::open(db);
    return parsed && store.ok() && (*store)->setHumanDecision(id, parsed).ok();
}

QStringList args(const QString &sub, const QString &db, const QStringList &more = {})
{
    return QStringList { QStringLiteral("review"), sub, QStringLiteral("--db"), db } + more;
}

}  // namespace

class TestCalibrationCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void calibrateShowsAgreementAndAppliesTheBest()
    {
        QTemporaryDir dir;
        // Items 1..7 decided as in the hand-worked case of tst_calibration (best: filter 60,
        // revise 20, 6 of 7, κ 26/33); items 8..10 assessed but undecided.
        const QString db = makeQueue(dir, { 10, 20, 40, 30, 60, 70, 90, 15, 55, 95 });
        QVERIFY(!db.isEmpty());
        const QStringList human { QStringLiteral("keep"),   QStringLiteral("keep"),
                                  QStringLiteral("keep"),   QStringLiteral("revise"),
                                  QStringLiteral("revise"), QStringLiteral("filter"),
                                  QStringLiteral("filter") };
        for (int i = 0; i < human.size(); ++i)
            QVERIFY(decide(db, i + 1, human[i]));

        const CliRun text = runCli(args(QStringLiteral("calibrate"), db));
        QCOMPARE(text.exitCode, 0);
        const QString out = QString::fromUtf8(text.out);
        QVERIFY2(out.contains(QStringLiteral("7 assessed items with a human decision")),
                 qPrintable(out));
        // Stored decisions by 80/50: keep row 3 0 0; revise row (30 → keep, 60 → revise) 1 1 0;
        // filter row (70 → revise, 90 → filter) 0 1 1.
        QVERIFY(out.contains(QStringLiteral("keep\t3\t0\t0\n")));
        QVERIFY(out.contains(QStringLiteral("revise\t1\t1\t0\n")));
        QVERIFY(out.contains(QStringLiteral("filter\t0\t1\t1\n")));
        QVERIFY(out.contains(QStringLiteral("best thresholds: filter 60, revise 20 — agree on 6 "
                                            "of 7 (85.7%), κ 0.788")));
        QVERIFY(out.contains(QStringLiteral("current thresholds: filter 80, revise 50 — agree on "
                                            "5 of 7")));

        const CliRun json
            = runCli(args(QStringLiteral("calibrate"), db, { QStringLiteral("--json") }));
        QCOMPARE(json.exitCode, 0);
        const QJsonObject report = jsonOf(json);
        QCOMPARE(report.value(QStringLiteral("decided")).toInteger(), 7);
        const QJsonObject best = report.value(QStringLiteral("best")).toObject();
        QCOMPARE(best.value(QStringLiteral("filter_threshold")).toDouble(), 60.0);
        QCOMPARE(best.value(QStringLiteral("revise_threshold")).toDouble(), 20.0);
        QVERIFY(qAbs(best.value(QStringLiteral("kappa")).toDouble() - 26.0 / 33.0) < 1e-9);
        QCOMPARE(report.value(QStringLiteral("applied")).toBool(), false);
        {
            auto store = QueueStore::open(db);
            QCOMPARE((*store)->thresholds()->filter, 80.0);  // not applied
        }

        const CliRun applied
            = runCli(args(QStringLiteral("calibrate"), db, { QStringLiteral("--apply") }));
        QCOMPARE(applied.exitCode, 0);
        QVERIFY(applied.err.contains("set filter 60, revise 20"));
        auto store = QueueStore::open(db);
        QCOMPARE((*store)->thresholds()->filter, 60.0);
        QCOMPARE((*store)->thresholds()->revise, 20.0);
        QCOMPARE((*store)->item(6)->autoDecision, std::optional(Decision::Filter));  // 70 > 60
        // Calibrated again: the current thresholds are now the best.
        const QJsonObject again
            = jsonOf(runCli(args(QStringLiteral("calibrate"), db, { QStringLiteral("--json") })));
        QCOMPARE(again.value(QStringLiteral("agreeing")).toInteger(), 6);
        QCOMPARE(again.value(QStringLiteral("current"))
                     .toObject()
                     .value(QStringLiteral("agreeing"))
                     .toInteger(),
                 6);
    }

    void calibrateErrors()
    {
        QTemporaryDir dir;
        const QString db = makeQueue(dir, { 10, 60, 90 });
        QVERIFY(!db.isEmpty());
        const CliRun undecided = runCli(args(QStringLiteral("calibrate"), db));
        QCOMPARE(undecided.exitCode, 2);
        QVERIFY2(undecided.err.contains("no assessed item has a human decision yet"),
                 undecided.err.constData());
        QVERIFY(undecided.err.contains("queue.sqlite"));

        const QString missing = dir.filePath(QStringLiteral("missing.sqlite"));
        for (const QStringList &more :
             { QStringList { QStringLiteral("calibrate") },
               QStringList { QStringLiteral("audit"), QStringLiteral("--report") },
               QStringList { QStringLiteral("audit"), QStringLiteral("--sample"),
                             QStringLiteral("5") } }) {
            const CliRun unknown = runCli(args(more.first(), missing, more.mid(1)));
            QCOMPARE(unknown.exitCode, 2);
            QVERIFY2(unknown.err.contains("missing.sqlite: no such review queue"),
                     unknown.err.constData());
            QVERIFY(!QFileInfo::exists(missing));  // not created
        }
        const CliRun noDb = runCli({ QStringLiteral("review"), QStringLiteral("calibrate") });
        QCOMPARE(noDb.exitCode, 2);
        QVERIFY(noDb.err.contains("--db is required"));
    }

    void auditDrawsTheSameSampleForTheSameSeed()
    {
        QTemporaryDir dir;
        std::vector<double> scores;
        for (int i = 0; i < 60; ++i)
            scores.push_back(double((i * 37) % 100));
        const QString db = makeQueue(dir, scores);
        QVERIFY(!db.isEmpty());

        const CliRun text = runCli(args(QStringLiteral("audit"), db,
                                        { QStringLiteral("--sample"), QStringLiteral("24"),
                                          QStringLiteral("--seed"), QStringLiteral("5") }));
        QCOMPARE(text.exitCode, 0);
        // One line per stratum, "label<TAB>sampled<TAB>of", adding up to the sample.
        const QList<QByteArray> lines = text.out.trimmed().split('\n');
        QCOMPARE(lines.first(), QByteArray("stratum\tsampled\tof"));
        qint64 sampled = 0, population = 0;
        for (const QByteArray &line : lines.mid(1)) {
            const QList<QByteArray> cells = line.split('\t');
            QCOMPARE(cells.size(), 3);
            sampled += cells[1].toLongLong();
            population += cells[2].toLongLong();
        }
        QCOMPARE(sampled, 24);
        QCOMPARE(population, 60);
        QVERIFY(text.err.contains("seed 5"));

        const auto idsOf = [&](const QString &seed) {
            const CliRun run
                = runCli(args(QStringLiteral("audit"), db,
                              { QStringLiteral("--sample"), QStringLiteral("24"),
                                QStringLiteral("--seed"), seed, QStringLiteral("--json") }));
            return jsonOf(run).value(QStringLiteral("ids")).toArray();
        };
        const QJsonArray first = idsOf(QStringLiteral("5"));
        QCOMPARE(first.size(), 24);
        QCOMPARE(idsOf(QStringLiteral("5")), first);
        QVERIFY(idsOf(QStringLiteral("6")) != first);
        // The last draw (seed 6) is the one stored, in the audit's own table.
        {
            QSqlDatabase check
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
            check.setDatabaseName(db);
            QVERIFY(check.open());
            QSqlQuery query(check);
            QVERIFY(query.exec(QStringLiteral("SELECT count(*), min(seed) FROM audit_sample")));
            QVERIFY(query.next());
            QCOMPARE(query.value(0).toInt(), 24);
            QCOMPARE(query.value(1).toString(), QStringLiteral("6"));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("check"));
    }

    void auditErrors()
    {
        QTemporaryDir dir;
        const QString db = makeQueue(dir, { 5, 15, 25, 55, 85, 95 });
        QVERIFY(!db.isEmpty());
        const CliRun early
            = runCli(args(QStringLiteral("audit"), db, { QStringLiteral("--report") }));
        QCOMPARE(early.exitCode, 2);
        QVERIFY2(early.err.contains("no audit sample yet"), early.err.constData());

        const CliRun large = runCli(
            args(QStringLiteral("audit"), db, { QStringLiteral("--sample"), QStringLiteral("7") }));
        QCOMPARE(large.exitCode, 2);
        QVERIFY2(large.err.contains("queue.sqlite: a sample of 7 is larger than the queue's 6 "
                                    "assessed items"),
                 large.err.constData());
        const CliRun neither = runCli(args(QStringLiteral("audit"), db));
        QCOMPARE(neither.exitCode, 2);
        const CliRun both = runCli(
            args(QStringLiteral("audit"), db,
                 { QStringLiteral("--sample"), QStringLiteral("3"), QStringLiteral("--report") }));
        QCOMPARE(both.exitCode, 2);
        const CliRun badSeed = runCli(args(QStringLiteral("audit"), db,
                                           { QStringLiteral("--sample"), QStringLiteral("3"),
                                             QStringLiteral("--seed"), QStringLiteral("x") }));
        QCOMPARE(badSeed.exitCode, 2);
        QVERIFY(badSeed.err.contains("--seed"));
    }

    void auditReportEstimatesFromTheDecisions()
    {
        QTemporaryDir dir;
        // 40 keep items (score 5) and 40 filter items (score 95): two strata.
        std::vector<double> scores(40, 5.0);
        scores.insert(scores.end(), 40, 95.0);
        const QString db = makeQueue(dir, scores);
        QVERIFY(!db.isEmpty());
        const CliRun drawn = runCli(
            args(QStringLiteral("audit"), db,
                 { QStringLiteral("--sample"), QStringLiteral("20"), QStringLiteral("--seed"),
                   QStringLiteral("3"), QStringLiteral("--json") }));
        QCOMPARE(drawn.exitCode, 0);
        const QJsonArray ids = jsonOf(drawn).value(QStringLiteral("ids")).toArray();
        QCOMPARE(ids.size(), 20);

        // Nothing decided yet: no estimate, all 20 undecided.
        QJsonObject report
            = jsonOf(runCli(args(QStringLiteral("audit"), db,
                                 { QStringLiteral("--report"), QStringLiteral("--json") })));
        QCOMPARE(report.value(QStringLiteral("undecided")).toInteger(), 20);
        QVERIFY(report.value(QStringLiteral("overturned"))
                    .toObject()
                    .value(QStringLiteral("proportion"))
                    .isNull());

        // Keep items (ids 1..40): the first two sampled are overturned to filter, the rest
        // confirmed; filter items all confirmed except one left undecided.
        int keepSeen = 0;
        qint64 leftOut = 0;
        for (const QJsonValue &value : ids) {
            const qint64 id = value.toInteger();
            if (id <= 40) {
                QVERIFY(decide(db, id,
                               keepSeen < 2 ? QStringLiteral("filter") : QStringLiteral("keep")));
                ++keepSeen;
            } else if (leftOut == 0) {
                leftOut = id;
            } else {
                QVERIFY(decide(db, id, QStringLiteral("filter")));
            }
        }
        QCOMPARE(keepSeen, 10);  // proportional: 10 of each
        const CliRun json = runCli(args(QStringLiteral("audit"), db,
                                        { QStringLiteral("--report"), QStringLiteral("--json") }));
        QCOMPARE(json.exitCode, 0);
        report = jsonOf(json);
        QCOMPARE(report.value(QStringLiteral("undecided")).toInteger(), 1);
        QCOMPARE(report.value(QStringLiteral("undecided_ids")).toArray().first().toInteger(),
                 leftOut);
        const QJsonObject overall = report.value(QStringLiteral("overturned")).toObject();
        // p = ½·(2/10) + ½·(0/9) = 0.1 of 80 items: 8.
        QVERIFY(qAbs(overall.value(QStringLiteral("proportion")).toDouble() - 0.1) < 1e-12);
        QVERIFY(qAbs(overall.value(QStringLiteral("count")).toDouble() - 8.0) < 1e-9);
        QVERIFY(overall.value(QStringLiteral("proportion_lower")).toDouble() < 0.1);
        QVERIFY(overall.value(QStringLiteral("proportion_upper")).toDouble() > 0.1);
        const QJsonObject keep = report.value(QStringLiteral("overturned_by_automatic_decision"))
                                     .toObject()
                                     .value(QStringLiteral("keep"))
                                     .toObject();
        QVERIFY(qAbs(keep.value(QStringLiteral("proportion")).toDouble() - 0.2) < 1e-12);

        const CliRun text
            = runCli(args(QStringLiteral("audit"), db, { QStringLiteral("--report") }));
        QCOMPARE(text.exitCode, 0);
        const QString out = QString::fromUtf8(text.out);
        QVERIFY2(out.contains(QStringLiteral("sampled 20, decided 19, undecided 1")),
                 qPrintable(out));
        QVERIFY(out.contains(QStringLiteral("overturned: 10.0% (95% CI ")));
        QVERIFY(out.contains(QStringLiteral("about 8 of 80")));
        QVERIFY(out.contains(QStringLiteral("keep 0–10\t40\t10\t10\t2\n")));

        // Thresholds moved after the draw: said so.
        {
            auto store = QueueStore::open(db);
            QVERIFY((*store)->setThresholds(90, 40).ok());
        }
        const CliRun moved
            = runCli(args(QStringLiteral("audit"), db, { QStringLiteral("--report") }));
        QCOMPARE(moved.exitCode, 0);
        QVERIFY(moved.err.contains("the thresholds changed since the sample was drawn"));
    }
};

QTEST_GUILESS_MAIN(TestCalibrationCli)
#include "tst_calibrationcli.moc"
