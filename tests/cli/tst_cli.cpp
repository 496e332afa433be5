#include "common/testdata.h"
#include "io/namedvalues.h"
#include "selection/selectionrun.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <sys/stat.h>

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
    if (!process.waitForFinished(120000))
        qFatal("pcstudio-cli did not finish");
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardOutput(),
            process.readAllStandardError()};
}

// 5 LLMs × 4 texts, in the package's text-rows layout, with a quoted LLM name holding a comma.
const QByteArray kBpb = "id,\"('f', 'a')\",b,c,d,e\n"
                        "t1,1.0,1.1,1.2,1.3,1.4\n"
                        "t2,1.4,1.3,1.2,1.1,1.0\n"
                        "t3,2.0,2.5,2.1,2.4,2.2\n"
                        "t4,0.5,0.6,0.6,0.7,0.9\n";
const QByteArray kErrors = "benchmark,e,d,c,b,\"('f', 'a')\"\n"
                           "arc,0.5,0.4,0.3,0.2,0.1\n"
                           "piqa,0.6,0.4,0.35,0.3,0.2\n";

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

}  // namespace

class TestCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_bpb, m_errors;

private Q_SLOTS:
    void initTestCase()
    {
        m_bpb = test::writeFile(m_dir, "bpb.csv", kBpb);
        m_errors = test::writeFile(m_dir, "errors.csv", kErrors);
    }

    void versionAndHelp()
    {
        const Run version = cli({"--version"});
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.startsWith("pcstudio-cli "));
        const Run help = cli({"select", "--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("--keep-ratio"));
        QCOMPARE(cli({}).exitCode, 2);
        QCOMPARE(cli({"frobnicate"}).exitCode, 2);
    }

    void estimateMatchesCore()
    {
        const Run run = cli({"estimate", "--bpb", m_bpb, "--errors", m_errors, "--benchmark", "arc"});
        QCOMPARE(run.exitCode, 0);
        const QList<QByteArray> lines = run.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 5);
        QCOMPARE(lines[0], QByteArray("text,estimate,rank"));
        // Errors rise a→e; t1's BPB rises a→e too: a perfect positive correlation, rank 1.
        QCOMPARE(lines[1], QByteArray("t1,1,1"));
        QCOMPARE(lines[2], QByteArray("t2,-1,4"));
        const auto inputs = loadSelectionInputs(m_bpb, {}, m_errors, {"arc"});
        QVERIFY(inputs.ok());
        const auto core = estimateSelection(*inputs, {});
        QVERIFY(core.ok());
        QCOMPARE(lines[3].split(',')[1].toDouble(), (*core)[2]);
    }

    void selectEqualsEstimateThenProject()
    {
        const QString estimate = m_dir.filePath("estimate.csv");
        const QString viaProject = m_dir.filePath("dist_project.csv");
        const QString viaSelect = m_dir.filePath("dist_select.csv");
        for (const QString estimator : {"spearmanr", "sign_cdf", "sign", "sign_sign", "product"}) {
            for (const QString projection : {"linear", "l2"}) {
                QCOMPARE(cli({"estimate", "--bpb", m_bpb, "--errors", m_errors, "--estimator", estimator, "--output", estimate}).exitCode, 0);
                QCOMPARE(cli({"project", "--estimate", estimate, "--keep-ratio", "0.5", "--projection", projection, "--output", viaProject}).exitCode, 0);
                QCOMPARE(cli({"select", "--bpb", m_bpb, "--errors", m_errors, "--estimator", estimator, "--keep-ratio", "0.5",
                              "--projection", projection, "--output", viaSelect}).exitCode, 0);
                const QByteArray a = readAll(viaProject), b = readAll(viaSelect);
                QVERIFY(a.startsWith("text,estimate,rank,tau,weight\n"));
                QCOMPARE(a, b);
            }
        }
    }

    void jsonOutput()
    {
        const Run run = cli({"select", "--bpb", m_bpb, "--errors", m_errors, "--keep-ratio", "0.5", "--format", "json"});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject root = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(root["format"].toString(), QString("pcstudio-distribution"));
        const QJsonArray texts = root["texts"].toArray();
        QCOMPARE(texts.size(), 4);
        double sum = 0;
        for (const auto &t : texts)
            sum += t.toObject()["weight"].toDouble();
        QVERIFY(std::abs(sum - 1.0) < 1e-12);
    }

    void reportHasProvenanceAndTimings()
    {
        const QString report = m_dir.filePath("report.json");
        const QString tokens = test::writeFile(m_dir, "tokens.csv", "text,tokens\nt1,10\nt2,20\nt3,30\nt4,40\n");
        const Run run = cli({"select", "--bpb", m_bpb, "--errors", m_errors, "--token-counts", tokens, "--keep-ratio", "0.4",
                             "--output", m_dir.filePath("d.csv"), "--report", report});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject r = QJsonDocument::fromJson(readAll(report)).object();
        QVERIFY(!r["version"].toString().isEmpty());
        QCOMPARE(r["n_llms"].toInt(), 5);
        QCOMPARE(r["n_texts"].toInt(), 4);
        QCOMPARE(r["llms"].toObject()["used"].toArray().size(), 5);
        QCOMPARE(r["llms"].toObject()["dropped"].toArray().size(), 0);
        QCOMPARE(r["parameters"].toObject()["estimator"].toString(), QString("spearmanr"));
        QCOMPARE(r["parameters"].toObject()["projection"].toString(), QString("linear"));
        QCOMPARE(r["parameters"].toObject()["keep_ratio"].toDouble(), 0.4);
        QCOMPARE(r["parameters"].toObject()["benchmarks"].toArray().size(), 2);
        for (const QString phase : {"load_s", "estimate_s", "project_s", "write_s"})
            QVERIFY2(r["timings"].toObject()[phase].isDouble(), qPrintable(phase));
        const QJsonArray inputs = r["inputs"].toArray();
        QCOMPARE(inputs.size(), 3);
        const QJsonObject bpb = inputs[0].toObject();
        QCOMPARE(bpb["role"].toString(), QString("bpb"));
        QCOMPARE(bpb["size_bytes"].toInt(), int(kBpb.size()));
        QCOMPARE(bpb["sha256"].toString(), QString(QCryptographicHash::hash(kBpb, QCryptographicHash::Sha256).toHex()));
    }

    void droppedLlmsAreReported()
    {
        const QString errors = test::writeFile(m_dir, "errors_missing.csv",
                                               "benchmark,e,d,c,b,\"('f', 'a')\",z\narc,0.5,,0.3,0.2,0.1,0.9\n");
        const QString report = m_dir.filePath("report_dropped.json");
        const Run run = cli({"estimate", "--bpb", m_bpb, "--errors", errors, "--report", report});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.err.contains("dropped LLM d: no value for benchmark arc"), run.err.constData());
        const QJsonArray dropped = QJsonDocument::fromJson(readAll(report)).object()["llms"].toObject()["dropped"].toArray();
        QCOMPARE(dropped.size(), 2);
    }

    void badInputGivesOneLocatedLine_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<QString>("phrase");
        const QString ragged = test::writeFile(m_dir, "ragged.csv", "id,a,b,c\nt1,1,2,3\nt2,1,2\n");
        const QString nonNumeric = test::writeFile(m_dir, "nonnumeric.csv", "id,a,b,c\nt1,1,2,3\nt2,1,x,3\n");
        QTest::newRow("missing file") << QStringList{"estimate", "--bpb", m_dir.filePath("nope.csv"), "--errors", m_errors}
                                      << m_dir.filePath("nope.csv") + ":" << "";
        QTest::newRow("ragged row") << QStringList{"estimate", "--bpb", ragged, "--errors", m_errors} << ragged + ":3" << "";
        QTest::newRow("non-numeric") << QStringList{"estimate", "--bpb", nonNumeric, "--errors", m_errors}
                                     << nonNumeric + ":3:3: " << "";
        QTest::newRow("unknown benchmark") << QStringList{"estimate", "--bpb", m_bpb, "--errors", m_errors, "--benchmark", "mmlu"}
                                           << m_errors + ": " << "arc, piqa";
        QTest::newRow("keep ratio 0") << QStringList{"select", "--bpb", m_bpb, "--errors", m_errors, "--keep-ratio", "0"}
                                      << "pcstudio-cli select: " << "(0, 1]";
        QTest::newRow("unknown estimator") << QStringList{"estimate", "--bpb", m_bpb, "--errors", m_errors, "--estimator", "pearson"}
                                           << "pcstudio-cli estimate: " << "spearmanr";
        QTest::newRow("missing option") << QStringList{"estimate", "--bpb", m_bpb} << "pcstudio-cli estimate: " << "--errors";
        // Not regular files: refused by stat() before anything opens them (a FIFO would block).
        const QString fifo = m_dir.filePath("bpb-fifo");
        QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
        QTest::newRow("FIFO as --bpb")
            << QStringList{"select", "--bpb", fifo, "--errors", m_errors, "--keep-ratio", "0.5"}
            << fifo + ": " << "not a regular file (a FIFO)";
        QTest::newRow("device as --errors")
            << QStringList{"estimate", "--bpb", m_bpb, "--errors", "/dev/null"} << "/dev/null: "
            << "not a regular file (a character device)";
        const QString png
            = test::writeFile(m_dir, "chart.png", QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
        QTest::newRow("PNG as --bpb") << QStringList{"estimate", "--bpb", png, "--errors", m_errors}
                                      << png + ": "
                                      << "not a CSV/TSV file: it looks like a PNG image";
        QTest::newRow("no caps") << QStringList{"select", "--bpb", m_bpb, "--errors", m_errors} << "pcstudio-cli select: " << "--keep-ratio";
    }

    void badInputGivesOneLocatedLine()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, prefix);
        QFETCH(QString, phrase);
        const Run run = cli(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        const QString err = QString::fromUtf8(run.err).trimmed();
        QVERIFY2(!err.contains('\n'), qPrintable(err));
        QVERIFY2(err.startsWith(prefix), qPrintable(err));
        QVERIFY2(err.contains(phrase), qPrintable(err));
    }

    void demoFindsTheGoodDomains()
    {
        const QString folder = m_dir.filePath("demo");
        const Run run = cli({"demo", "--output", folder, "--llms", "120", "--texts", "800"});
        QCOMPARE(run.exitCode, 0);
        const auto weights = loadNamedValues(folder + "/distribution.csv", "text", "weight");
        QVERIFY(weights.ok());
        int included = 0, good = 0;
        for (qsizetype j = 0; j < weights->names.size(); ++j) {
            if (weights->values[size_t(j)] > 0) {
                ++included;
                good += weights->names[j].startsWith("science/") || weights->names[j].startsWith("encyclopedia/");
            }
        }
        QVERIFY(included > 0);
        // The good domains hold ~25% of the pool; a working selection is nearly all good.
        QVERIFY2(good >= 0.9 * included, qPrintable(QString("%1 of %2 included texts are good").arg(good).arg(included)));
        QVERIFY(QFile::exists(folder + "/report.json"));
    }

    void realDataSelect()
    {
        PCS_REQUIRE_UPSTREAM_DATA();
        const Run run = cli({"select", "--bpb", test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"), "--errors",
                             test::upstreamFile("error.csv"), "--benchmark", "lambada_openai,lambada_standard",
                             "--keep-ratio", "0.2"});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out.count('\n'), 264);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
