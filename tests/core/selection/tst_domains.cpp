// The per-domain breakdown (selection/domains.h): the sums equal the weights, the three sources
// of domains (BPB domain column, text,domain CSV, JSONL) and their errors, the exported CSV.

#include "core/demo/demodata.h"
#include "core/io/atomicwrite.h"
#include "core/selection/domains.h"
#include "core/selection/selectionrun.h"
#include "tests/common/testdata.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <map>

using Eigen::Index;
using namespace pcs;

class TestDomains : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sumsEqualTheWeights()
    {
        const DemoDataset demo = generateDemoDataset({ 30, 500, 7 });
        const auto domains = domainsFromBpb(demo.bpb);
        QVERIFY(domains.has_value());
        QCOMPARE(domains->domains, demo.domains);
        // Any distribution: the demo's texts with a made-up estimate, projected.
        Eigen::VectorXd estimate(500);
        for (Index j = 0; j < 500; ++j)
            estimate[j] = std::sin(double(j) * 0.37);
        const Eigen::VectorXd tau = *uniformTau(500, 0.15);
        auto table = makeDistributionTable(demo.bpb.texts, estimate, tau, Projection::L2);
        QVERIFY(table.ok());
        const auto summaries = summarizeDomains(*table, domains->domains);

        std::map<QString, double> weight, estimateSum;
        std::map<QString, qint64> texts, selected;
        for (Index j = 0; j < 500; ++j) {
            const QString &domain = demo.domains[j];
            weight[domain] += table->weight[j];
            estimateSum[domain] += estimate[j];
            ++texts[domain];
            selected[domain] += table->weight[j] > 0;
        }
        QCOMPARE(summaries.size(), weight.size());
        double total = 0;
        qint64 totalTexts = 0;
        for (std::size_t i = 0; i < summaries.size(); ++i) {
            const DomainSummary &s = summaries[i];
            QVERIFY(std::abs(s.weight - weight[s.domain]) <= 1e-14);
            QCOMPARE(s.textCount, texts[s.domain]);
            QCOMPARE(s.selectedCount, selected[s.domain]);
            QVERIFY(std::abs(s.meanEstimate - estimateSum[s.domain] / double(texts[s.domain]))
                    <= 1e-14);
            if (i > 0)
                QVERIFY(summaries[i - 1].weight >= s.weight);
            total += s.weight;
            totalTexts += s.textCount;
        }
        QVERIFY(std::abs(total - 1) <= 1e-12);
        QCOMPARE(totalTexts, qint64(500));
        // The JSON and CSV carry the same figures.
        QCOMPARE(domainsToJson(summaries).size(), qsizetype(summaries.size()));
        const QByteArray csv = formatDomainsCsv(summaries);
        QVERIFY(csv.startsWith("domain,texts,selected,weight,mean_estimate\n"));
        QCOMPARE(csv.count('\n'), qsizetype(summaries.size() + 1));
        // An estimate-only table has no breakdown.
        QVERIFY(
            summarizeDomains(makeEstimateTable(demo.bpb.texts, estimate), demo.domains).empty());
    }

    void loadsCsvAndJsonl()
    {
        QTemporaryDir dir;
        const QStringList texts
            = { QStringLiteral("t1"), QStringLiteral("t,2"), QStringLiteral("t3") };
        const QString csv = test::writeFile(dir, QStringLiteral("d.csv"),
                                            "domain,text,extra\nweb,t1,x\nbooks,\"t,2\",y\n"
                                            "web,t3,z\nweb,unused,q\n");
        auto fromCsv = loadTextDomains(csv, texts);
        QVERIFY2(fromCsv.ok(), fromCsv.ok() ? "" : qPrintable(fromCsv.error().reason));
        QCOMPARE(fromCsv->domains, (QStringList { "web", "books", "web" }));
        const QString jsonl
            = test::writeFile(dir, QStringLiteral("m.jsonl"),
                              "{\"id\": \"t1\", \"domain\": \"web\", \"text\": \"...\"}\n\n"
                              "{\"id\": \"t,2\", \"domain\": \"books\"}\n{\"text_id\": \"t3\", "
                              "\"domain\": \"code\"}\n");
        auto fromJsonl = loadTextDomains(jsonl, texts);
        QVERIFY2(fromJsonl.ok(), fromJsonl.ok() ? "" : qPrintable(fromJsonl.error().reason));
        QCOMPARE(fromJsonl->domains, (QStringList { "web", "books", "code" }));
        const QString numeric
            = test::writeFile(dir, QStringLiteral("n.jsonl"), "{\"id\": 7, \"domain\": \"web\"}\n");
        auto fromNumeric = loadTextDomains(numeric, { QStringLiteral("7") });
        QVERIFY(fromNumeric.ok());
    }

    void errorsNameFileLineAndReason_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<qint64>("line");
        QTest::addColumn<QString>("reason");
        QTest::newRow("no domain column")
            << "a.csv" << QByteArray("text,kind\nt1,web\n") << 1LL << "expected columns";
        QTest::newRow("duplicate")
            << "b.csv" << QByteArray("text,domain\nt1,web\nt1,books\n") << 3LL << "duplicate text";
        QTest::newRow("empty domain")
            << "c.csv" << QByteArray("text,domain\nt1,\n") << 2LL << "domain";
        QTest::newRow("missing text") << "d.csv" << QByteArray("text,domain\nt1,web\n") << 0LL
                                      << "no domain for 1 of the 2 texts, first \"t2\"";
        QTest::newRow("jsonl no domain") << "e.jsonl"
                                         << QByteArray("{\"id\": \"t1\", \"domain\": \"w\"}\n"
                                                       "{\"id\": \"t2\"}\n")
                                         << 2LL << "no domain";
        QTest::newRow("jsonl invalid")
            << "f.jsonl" << QByteArray("{\"id\": \"t1\",\n") << 1LL << "invalid JSON";
    }

    void errorsNameFileLineAndReason()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, contents);
        QFETCH(qint64, line);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const QString path = test::writeFile(dir, name, contents);
        auto loaded = loadTextDomains(path, { QStringLiteral("t1"), QStringLiteral("t2") });
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().file, path);
        QCOMPARE(loaded.error().line, line);
        QVERIFY2(loaded.error().reason.contains(reason), qPrintable(loaded.error().reason));
    }

    void exportedBesideTheDistribution()
    {
        QCOMPARE(domainsCsvPath(QStringLiteral("/x/out.csv")),
                 QStringLiteral("/x/out.domains.csv"));
        QCOMPARE(domainsCsvPath(QStringLiteral("/x/out.JSON")),
                 QStringLiteral("/x/out.domains.csv"));
        QCOMPARE(domainsCsvPath(QStringLiteral("/x/out")), QStringLiteral("/x/out.domains.csv"));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("d.domains.csv"));
        OutputSet outputs;
        const std::vector<DomainSummary> summaries
            = { { QStringLiteral("web"), 3, 2, 0.75, 0.5 },
                { QStringLiteral("a,b"), 1, 1, 0.25, -0.125 } };
        QVERIFY(addDomainsCsv(outputs, path, summaries).ok());
        QVERIFY(!QFile::exists(path));  // published with the set, not before
        QVERIFY(outputs.publish().ok());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(),
                 QByteArray("domain,texts,selected,weight,mean_estimate\n"
                            "web,3,2,0.75,0.5\n\"a,b\",1,1,0.25,-0.125\n"));
    }
};

QTEST_GUILESS_MAIN(TestDomains)
#include "tst_domains.moc"
