// How much to trust a selection, from the CLI: select --bootstrap (columns, report, the same
// bytes for any thread count), --standardize and the product warning, --domains and the
// domain table beside the output, and `validate` with its JSON.

#include "tests/common/testdata.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace pcs;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run cli(const QStringList &arguments)
{
    QProcess process;
    process.start(test::cliPath(), arguments);
    if (!process.waitForFinished(240000))
        qFatal("pcstudio-cli did not finish");
    return { process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
             process.readAllStandardOutput(), process.readAllStandardError() };
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QJsonObject readJson(const QString &path)
{
    return QJsonDocument::fromJson(readAll(path)).object();
}

QStringList upstream()
{
    return { QStringLiteral("--bpb"), test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"),
             QStringLiteral("--errors"), test::upstreamFile("error.csv") };
}

}  // namespace

class TestCliTrust : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void selectWithBootstrap()
    {
        PCS_REQUIRE_UPSTREAM_DATA();
        QTemporaryDir dir;
        const QString one = dir.filePath(QStringLiteral("one.csv"));
        const QString two = dir.filePath(QStringLiteral("two.csv"));
        const QString report = dir.filePath(QStringLiteral("report.json"));
        const QStringList common
            = upstream() + QStringList { "--keep-ratio", "0.2", "--bootstrap", "40",
                                         "--seed",       "7",   "--ci",        "0.8" };
        const Run a = cli(QStringList { "select" } + common
                          + QStringList { "--threads", "1", "--output", one, "--report", report });
        QVERIFY2(a.exitCode == 0, a.err.constData());
        const Run b = cli(QStringList { "select" } + common
                          + QStringList { "--threads", "2", "--output", two });
        QVERIFY2(b.exitCode == 0, b.err.constData());
        const QByteArray csv = readAll(one);
        QVERIFY(csv.startsWith("text,estimate,rank,tau,weight,ci_low,ci_high,p_selected\n"));
        QCOMPARE(csv, readAll(two));  // identical for any thread count
        QCOMPARE(csv.count('\n'), qsizetype(264));
        QVERIFY(a.err.contains("bootstrap (40 resamples"));
        QVERIFY(a.err.contains("mean Jaccard"));
        const QJsonObject bootstrap
            = readJson(report).value(QStringLiteral("bootstrap")).toObject();
        QCOMPARE(bootstrap.value(QStringLiteral("resamples")).toInt(), 40);
        QCOMPARE(bootstrap.value(QStringLiteral("seed")).toString(), QStringLiteral("7"));
        QCOMPARE(bootstrap.value(QStringLiteral("level")).toDouble(), 0.8);
        const double jaccard = bootstrap.value(QStringLiteral("mean_jaccard")).toDouble();
        QVERIFY(jaccard > 0 && jaccard <= 1);
        QVERIFY(readJson(report)
                    .value(QStringLiteral("timings"))
                    .toObject()
                    .contains(QStringLiteral("bootstrap_s")));
        // Every row: ci_low <= ci_high, p_selected in [0, 1]; texts with p_selected >= 0.9 are
        // the report's stable count.
        int stable = 0;
        const QList<QByteArray> lines = csv.split('\n');
        for (qsizetype i = 1; i < lines.size(); ++i) {
            if (lines[i].isEmpty())
                continue;
            const QList<QByteArray> fields = lines[i].split(',');
            const double low = fields[fields.size() - 3].toDouble();
            const double high = fields[fields.size() - 2].toDouble();
            const double p = fields.last().toDouble();
            QVERIFY(low <= high);
            QVERIFY(p >= 0 && p <= 1);
            stable += p >= 0.9;
        }
        QCOMPARE(bootstrap.value(QStringLiteral("stable_selected")).toInt(), stable);
        // JSON output carries the same fields.
        const QString json = dir.filePath(QStringLiteral("three.json"));
        const Run c = cli(QStringList { "select" } + common + QStringList { "--output", json });
        QVERIFY2(c.exitCode == 0, c.err.constData());
        const QJsonObject first
            = readJson(json).value(QStringLiteral("texts")).toArray().first().toObject();
        QVERIFY(first.contains(QStringLiteral("ci_low"))
                && first.contains(QStringLiteral("p_selected")));
    }

    void usageErrors()
    {
        PCS_REQUIRE_UPSTREAM_DATA();
        const QStringList base
            = QStringList { "select" } + upstream() + QStringList { "--keep-ratio", "0.2" };
        const Run seedAlone = cli(base + QStringList { "--seed", "3" });
        QCOMPARE(seedAlone.exitCode, 2);
        QVERIFY(seedAlone.err.contains("--bootstrap"));
        const Run zero = cli(base + QStringList { "--bootstrap", "0" });
        QCOMPARE(zero.exitCode, 2);
        const Run level = cli(base + QStringList { "--bootstrap", "5", "--ci", "1.5" });
        QCOMPARE(level.exitCode, 2);
        QVERIFY(level.err.contains("--ci must be in (0, 1)"));
    }

    void productWarnsUnlessStandardized()
    {
        PCS_REQUIRE_UPSTREAM_DATA();
        QTemporaryDir dir;
        const QString report = dir.filePath(QStringLiteral("r.json"));
        const Run raw
            = cli(QStringList { "estimate" } + upstream()
                  + QStringList { "--estimator", "product", "--output",
                                  dir.filePath(QStringLiteral("raw.csv")), "--report", report });
        QVERIFY2(raw.exitCode == 0, raw.err.constData());
        QVERIFY(raw.err.contains("warning: product is uncentred"));
        QVERIFY(readJson(report)
                    .value(QStringLiteral("estimator_warning"))
                    .toString()
                    .contains(QStringLiteral("uncentred")));
        const QString report2 = dir.filePath(QStringLiteral("r2.json"));
        const Run standardized
            = cli(QStringList { "estimate" } + upstream()
                  + QStringList { "--estimator", "product", "--standardize", "--output",
                                  dir.filePath(QStringLiteral("std.csv")), "--report", report2 });
        QVERIFY2(standardized.exitCode == 0, standardized.err.constData());
        QVERIFY(!standardized.err.contains("uncentred"));
        const QJsonObject parameters
            = readJson(report2).value(QStringLiteral("parameters")).toObject();
        QCOMPARE(parameters.value(QStringLiteral("standardize")).toBool(), true);
        QVERIFY(!readJson(report2).contains(QStringLiteral("estimator_warning")));
        // Standardized product is a correlation: every estimate in [-1, 1].
        const QList<QByteArray> lines
            = readAll(dir.filePath(QStringLiteral("std.csv"))).split('\n');
        for (qsizetype i = 1; i < lines.size(); ++i) {
            if (lines[i].isEmpty())
                continue;
            const QList<QByteArray> fields = lines[i].split(',');
            const double value = fields[fields.size() - 2].toDouble();
            QVERIFY(value >= -1 && value <= 1);
        }
    }

    void domainsBesideTheOutput()
    {
        QTemporaryDir dir;
        // The demo's BPB file has a domain column: the breakdown comes by itself.
        const Run demo = cli({ "demo", "--output", dir.filePath(QStringLiteral("demo")),
                               "--no-filter", "--llms", "40", "--texts", "300" });
        QVERIFY2(demo.exitCode == 0, demo.err.constData());
        const QString bpb = dir.filePath(QStringLiteral("demo/bpb.csv"));
        const QString errors = dir.filePath(QStringLiteral("demo/errors.csv"));
        const QString out = dir.filePath(QStringLiteral("sel.csv"));
        const QString report = dir.filePath(QStringLiteral("sel.json"));
        const Run run = cli({ "select", "--bpb", bpb, "--errors", errors, "--keep-ratio", "0.2",
                              "--output", out, "--report", report });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(run.err.contains("per domain"));
        const QByteArray table = readAll(dir.filePath(QStringLiteral("sel.domains.csv")));
        QVERIFY(table.startsWith("domain,texts,selected,weight,mean_estimate\n"));
        double total = 0;
        for (const QByteArray &line : table.split('\n').mid(1))
            if (!line.isEmpty())
                total += line.split(',').at(3).toDouble();
        QVERIFY(std::abs(total - 1) < 1e-9);
        QVERIFY(readJson(report)
                    .value(QStringLiteral("domains"))
                    .toObject()
                    .contains(QStringLiteral("per_domain")));
        // --domains overrides it; a text without a domain is a clear error naming the file.
        const QString file = test::writeFile(dir, QStringLiteral("d.csv"), "text,domain\nnone,x\n");
        const Run missing
            = cli({ "select", "--bpb", bpb, "--errors", errors, "--keep-ratio", "0.2", "--domains",
                    file, "--output", dir.filePath(QStringLiteral("sel2.csv")) });
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains(file.toUtf8()));
        QVERIFY(missing.err.contains("no domain for 300 of the 300 texts"));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("sel2.csv"))));
    }

    void validateCommand()
    {
        PCS_REQUIRE_UPSTREAM_DATA();
        QTemporaryDir dir;
        const QString json = dir.filePath(QStringLiteral("v.json"));
        const Run run = cli(QStringList { "validate" } + upstream()
                            + QStringList { "--keep-ratio", "0.2", "--folds", "5", "--seed", "1",
                                            "--group-by", "family", "--output", json });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(run.out.contains("selected") && run.out.contains("uniform"));
        QVERIFY(run.out.contains("held-out LLMs"));
        const QJsonObject v = readJson(json);
        for (const char *key : { "selected", "uniform", "random" }) {
            const QJsonObject summary = v.value(QLatin1String(key)).toObject();
            QVERIFY(summary.contains(QStringLiteral("mean"))
                    && summary.contains(QStringLiteral("sd")));
        }
        const QJsonArray folds = v.value(QStringLiteral("folds")).toArray();
        QCOMPARE(folds.size(), 5);
        QCOMPARE(v.value(QStringLiteral("group_by")).toString(), QStringLiteral("family"));
        // Whole families: no family on two folds.
        QHash<QString, int> foldOf;
        for (int f = 0; f < folds.size(); ++f) {
            for (const QJsonValue &name :
                 folds[f].toObject().value(QStringLiteral("held_out")).toArray()) {
                const QString family = name.toString().section(QLatin1Char('\''), 1, 1);
                QVERIFY(!foldOf.contains(family) || foldOf.value(family) == f);
                foldOf.insert(family, f);
            }
        }
        const Run bad = cli(QStringList { "validate" } + upstream()
                            + QStringList { "--keep-ratio", "0.2", "--group-by", "org" });
        QCOMPARE(bad.exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliTrust)
#include "tst_clitrust.moc"
