// review audit (draw a stratified sample, report the overturn estimate) and review calibrate
// (agreement with the human's decisions, the best thresholds).
#include "app/cli/clireviewaudit.h"

#include "app/cli/clisupport.h"
#include "core/review/calibration.h"
#include "core/review/calibrationinput.h"
#include "core/review/queueaudit.h"
#include "core/review/queueconnection.h"
#include "core/review/queuestore.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <cstdio>

namespace pcs::cli {

namespace {

const QString kAudit = QStringLiteral("review audit");
const QString kCalibrate = QStringLiteral("review calibrate");

void printOut(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stdout);
}

void printJson(const QJsonObject &json)
{
    const QByteArray text = QJsonDocument(json).toJson(QJsonDocument::Indented);
    std::fwrite(text.constData(), 1, std::size_t(text.size()), stdout);
}

QCommandLineOption queueOption()
{
    return { QStringLiteral("db"), QStringLiteral("The review queue (SQLite); must exist."),
             QStringLiteral("QUEUE.sqlite") };
}

QCommandLineOption jsonOption()
{
    return { QStringLiteral("json"), QStringLiteral("Print the result as JSON on stdout.") };
}

// The queue both ways: the store (schema checked, thresholds) and a connection of our own (the
// adapter and the audit table). Never creates a queue.
struct OpenQueue {
    std::unique_ptr<QueueConnection> connection;
    std::unique_ptr<QueueStore> store;
};

std::optional<OpenQueue> openQueue(const QCommandLineParser &parser, const QString &command,
                                   int *exitCode)
{
    const QString path = parser.value(QStringLiteral("db"));
    if (path.isEmpty()) {
        *exitCode = usageError(QStringLiteral("--db is required"), command);
        return std::nullopt;
    }
    auto connection = QueueConnection::open(path);  // first: it refuses a missing file
    if (!connection) {
        *exitCode = reportError(connection.error());
        return std::nullopt;
    }
    auto store = QueueStore::open(path);
    if (!store) {
        *exitCode = reportError(store.error());
        return std::nullopt;
    }
    return OpenQueue { std::move(connection).value(), std::move(store).value() };
}

QString percent(double share)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'f', 1);
}

QString optionalNumber(const std::optional<double> &value, int decimals = 3)
{
    return value ? QString::number(*value, 'f', decimals)
                 : QStringLiteral("undefined (every item in one class on both sides)");
}

// "12.3% (95% CI 8.1%–18.0%), about 615 of 5000 (405–900)"
QString estimateLine(const OverturnEstimate &estimate)
{
    if (!estimate.proportion)
        return QStringLiteral("no estimate yet: %1").arg(estimate.unavailableReason);
    const double n = double(estimate.population);
    return QStringLiteral("%1 (%2% CI %3–%4), about %5 of %6 (%7–%8); %9 of %10 decided "
                          "sampled items overturned")
        .arg(percent(*estimate.proportion))
        .arg(qRound(kAuditConfidence * 100))
        .arg(percent(*estimate.lower), percent(*estimate.upper))
        .arg(qRound64(*estimate.proportion * n))
        .arg(estimate.population)
        .arg(qRound64(*estimate.lower * n))
        .arg(qRound64(*estimate.upper * n))
        .arg(estimate.overturned)
        .arg(estimate.decided);
}

int drawAudit(OpenQueue &queue, const QCommandLineParser &parser, bool json)
{
    bool numeric = false;
    const qint64 size = parser.value(QStringLiteral("sample")).toLongLong(&numeric);
    if (!numeric || size < 1)
        return usageError(QStringLiteral("--sample needs a whole number ≥ 1, not '%1'")
                              .arg(parser.value(QStringLiteral("sample"))),
                          kAudit);
    quint64 seed = QRandomGenerator::system()->generate64();
    if (parser.isSet(QStringLiteral("seed"))) {
        seed = parser.value(QStringLiteral("seed")).toULongLong(&numeric);
        if (!numeric)
            return usageError(QStringLiteral("--seed needs a whole number from 0 to 2^64 − 1, "
                                             "not '%1'")
                                  .arg(parser.value(QStringLiteral("seed"))),
                              kAudit);
    }
    auto thresholds = queue.store->thresholds();
    if (!thresholds)
        return reportError(thresholds.error());
    auto items = readScoredItems(*queue.connection);
    if (!items)
        return reportError(items.error());
    auto sample = drawAuditSample(*items, size, seed, *thresholds);
    if (!sample) {
        Error error = sample.error();
        error.file = queue.connection->path();
        return reportError(error);
    }
    auto previous = loadAuditSample(*queue.connection);
    if (!previous)
        return reportError(previous.error());
    if (Status saved = saveAuditSample(*queue.connection, *sample); !saved)
        return reportError(saved.error());

    if (json) {
        QJsonArray strata;
        for (const AuditStratum &stratum : sample->strata)
            strata.append(QJsonObject { { QStringLiteral("stratum"), stratum.label() },
                                        { QStringLiteral("population"), stratum.population },
                                        { QStringLiteral("sampled"), stratum.sampleSize } });
        QJsonArray ids;
        for (const AuditSampleItem &item : sample->items)
            ids.append(item.id);
        printJson({ { QStringLiteral("seed"), QString::number(seed) },
                    { QStringLiteral("sampled"), sample->size() },
                    { QStringLiteral("population"), sample->population() },
                    { QStringLiteral("strata"), strata },
                    { QStringLiteral("ids"), ids } });
    } else {
        QString table = QStringLiteral("stratum\tsampled\tof\n");
        for (const AuditStratum &stratum : sample->strata)
            table += QStringLiteral("%1\t%2\t%3\n")
                         .arg(stratum.label())
                         .arg(stratum.sampleSize)
                         .arg(stratum.population);
        printOut(table);
    }
    if (*previous)
        printInfo(QStringLiteral("audit: replaced the previous sample of %1 items (seed %2)")
                      .arg((*previous)->size())
                      .arg((*previous)->seed));
    printInfo(QStringLiteral("audit: drew %1 of %2 assessed items in %3 score bands, seed %4 "
                             "(--seed %4 draws the same sample again); decide them, then "
                             "`review audit --report`")
                  .arg(sample->size())
                  .arg(sample->population())
                  .arg(sample->strata.size())
                  .arg(seed));
    return ExitOk;
}

int reportAuditEstimate(OpenQueue &queue, bool json)
{
    auto sample = loadAuditSample(*queue.connection);
    if (!sample)
        return reportError(sample.error());
    if (!*sample)
        return reportError(Error::badInput(
            QStringLiteral("no audit sample yet; draw one with `pcstudio-cli review audit --db "
                           "%1 --sample N`")
                .arg(queue.connection->path()),
            queue.connection->path()));
    auto items = readScoredItems(*queue.connection, ScoredItemScope::HumanDecided);
    if (!items)
        return reportError(items.error());
    auto thresholds = queue.store->thresholds();
    if (!thresholds)
        return reportError(thresholds.error());
    auto counts = queue.store->counts();
    if (!counts)
        return reportError(counts.error());
    const AuditReport report = reportAudit(**sample, *items);
    const bool thresholdsMoved = thresholds->filter != report.drawnThresholds.filter
        || thresholds->revise != report.drawnThresholds.revise;
    const bool queueGrew = counts->assessed != (*sample)->population();
    if (json) {
        QJsonObject out = report.toJson();
        out.insert(QStringLiteral("assessed_now"), counts->assessed);
        out.insert(QStringLiteral("thresholds_changed_since_drawn"), thresholdsMoved);
        printJson(out);
    } else {
        QString text = QStringLiteral("sampled %1, decided %2, undecided %3 (seed %4, drawn %5)\n")
                           .arg(report.sampled)
                           .arg(report.sampled - report.undecided)
                           .arg(report.undecided)
                           .arg(report.seed)
                           .arg(report.drawnAt);
        text += QStringLiteral("overturned: %1\n").arg(estimateLine(report.overall));
        for (std::size_t decision = 0; decision < 3; ++decision)
            text += QStringLiteral("  of automatic %1: %2\n")
                        .arg(decisionName(Decision(decision)),
                             estimateLine(report.byDecision[decision]));
        text += QStringLiteral("stratum\tof\tsampled\tdecided\toverturned\n");
        for (const AuditStratumReport &stratum : report.strata)
            text += QStringLiteral("%1\t%2\t%3\t%4\t%5\n")
                        .arg(stratum.stratum.label())
                        .arg(stratum.stratum.population)
                        .arg(stratum.stratum.sampleSize)
                        .arg(stratum.decided)
                        .arg(stratum.overturned);
        printOut(text);
    }
    if (thresholdsMoved)
        printInfo(QStringLiteral("audit: the thresholds changed since the sample was drawn "
                                 "(filter %1, revise %2 then): the estimate is about the "
                                 "automatic decisions as they were; draw a new sample for today's")
                      .arg(report.drawnThresholds.filter)
                      .arg(report.drawnThresholds.revise));
    if (queueGrew)
        printInfo(QStringLiteral("audit: the queue has %1 assessed items now, %2 when the sample "
                                 "was drawn: the estimate is about those %2")
                      .arg(counts->assessed)
                      .arg((*sample)->population()));
    return ExitOk;
}

QString matrixTable(const ConfusionMatrix &matrix)
{
    QString text = QStringLiteral("human \\ automatic\tkeep\trevise\tfilter\n");
    for (int human = 0; human < 3; ++human) {
        text += decisionName(Decision(human));
        for (int automatic = 0; automatic < 3; ++automatic)
            text += QStringLiteral("\t%1").arg(matrix.at(Decision(human), Decision(automatic)));
        text += QLatin1Char('\n');
    }
    return text;
}

QString choiceLine(const QString &name, const ThresholdAgreement &choice, qint64 decided)
{
    return QStringLiteral("%1 thresholds: filter %2, revise %3 — agree on %4 of %5 (%6), κ %7\n")
        .arg(name)
        .arg(choice.thresholds.filter)
        .arg(choice.thresholds.revise)
        .arg(choice.agreeing)
        .arg(decided)
        .arg(percent(double(choice.agreeing) / double(decided)))
        .arg(optionalNumber(choice.kappa));
}

}  // namespace

int runReviewAuditCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions(
        { queueOption(),
          { QStringLiteral("sample"),
            QStringLiteral("Draw a sample of N assessed items, stratified by automatic decision "
                           "and 10-point score band (replaces any earlier sample)."),
            QStringLiteral("N") },
          { QStringLiteral("seed"),
            QStringLiteral("Seed of the draw: the same queue and seed give the same sample "
                           "(default: random, printed)."),
            QStringLiteral("S") },
          { QStringLiteral("report"),
            QStringLiteral("Estimate, from the human decisions on the sample, how many automatic "
                           "decisions a human would overturn (95% confidence interval).") },
          jsonOption() });
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, kAudit,
                    QStringLiteral("Audit the automatic decisions with a stratified random sample "
                                   "of the queue."),
                    &exitCode))
        return exitCode;
    const bool draw = parser.isSet(QStringLiteral("sample"));
    const bool report = parser.isSet(QStringLiteral("report"));
    if (draw == report)
        return usageError(QStringLiteral("give either --sample N (draw) or --report (estimate)"),
                          kAudit);
    if (report && parser.isSet(QStringLiteral("seed")))
        return usageError(QStringLiteral("--seed goes with --sample"), kAudit);
    auto queue = openQueue(parser, kAudit, &exitCode);
    if (!queue)
        return exitCode;
    const bool json = parser.isSet(QStringLiteral("json"));
    return draw ? drawAudit(*queue, parser, json) : reportAuditEstimate(*queue, json);
}

int runReviewCalibrateCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions({ queueOption(),
                        { QStringLiteral("apply"),
                          QStringLiteral("Set the best thresholds (re-derives every automatic "
                                         "decision; human decisions stay).") },
                        jsonOption() });
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, kCalibrate,
                    QStringLiteral("Compare the automatic decisions with the human's: confusion "
                                   "matrix, Cohen's κ, and the thresholds that agree best."),
                    &exitCode))
        return exitCode;
    auto queue = openQueue(parser, kCalibrate, &exitCode);
    if (!queue)
        return exitCode;
    auto thresholds = queue->store->thresholds();
    if (!thresholds)
        return reportError(thresholds.error());
    auto items = readScoredItems(*queue->connection, ScoredItemScope::HumanDecided);
    if (!items)
        return reportError(items.error());
    const std::vector<CalibrationRow> rows = humanDecidedRows(*items);
    if (rows.empty())
        return reportError(Error::badInput(
            QStringLiteral("no assessed item has a human decision yet: nothing to calibrate "
                           "against (decide some in the Review page, e.g. an audit sample)"),
            queue->connection->path()));
    auto summary = summarizeCalibration(rows, *thresholds);
    if (!summary)
        return reportError(summary.error());
    if (parser.isSet(QStringLiteral("apply"))) {
        if (Status set = queue->store->setThresholds(summary->best.thresholds.filter,
                                                     summary->best.thresholds.revise);
            !set)
            return reportError(set.error());
    }
    const qint64 decided = summary->matrix.total();
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonObject out = summary->toJson();
        out.insert(QStringLiteral("applied"), parser.isSet(QStringLiteral("apply")));
        printJson(out);
    } else {
        QString text = QStringLiteral("%1 assessed items with a human decision\n").arg(decided);
        text += matrixTable(summary->matrix);
        text += QStringLiteral("agreement %1, Cohen's κ %2, linearly weighted κ %3\n")
                    .arg(percent(double(summary->matrix.agreeing()) / double(decided)),
                         optionalNumber(summary->kappa), optionalNumber(summary->weightedKappa));
        text += choiceLine(QStringLiteral("current"), summary->current, decided);
        text += choiceLine(QStringLiteral("best"), summary->best, decided);
        printOut(text);
    }
    if (parser.isSet(QStringLiteral("apply")))
        printInfo(QStringLiteral("calibrate: set filter %1, revise %2")
                      .arg(summary->best.thresholds.filter)
                      .arg(summary->best.thresholds.revise));
    return ExitOk;
}

}  // namespace pcs::cli
