// Sharded selection from the command line: `estimate --shard I/N`, `project --cut-only` and
// `project --cut`, against one `select`, byte for byte (demo data, the upstream data, a tiny
// matrix with ties across shards and more shards than texts); the refusals of bad shard sets;
// and `filter train` over the distribution shards against the single file.
#include "tests/common/faults.h"
#include "tests/common/testdata.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTest>

using namespace pcs;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QByteArray header(const QByteArray &csv)
{
    return csv.left(csv.indexOf('\n') + 1);
}

QByteArray body(const QByteArray &csv)
{
    return csv.mid(csv.indexOf('\n') + 1);
}

// The columns `keep` (0-based) of every line of a CSV without quoted commas.
QByteArray columns(const QByteArray &csv, QList<int> keep)
{
    QByteArray out;
    for (const QByteArray &line : csv.split('\n')) {
        if (line.isEmpty())
            continue;
        const QList<QByteArray> fields = line.split(',');
        QList<QByteArray> kept;
        for (int k : keep)
            kept << fields.value(k);
        out += kept.join(',') + '\n';
    }
    return out;
}

struct Dataset {
    QStringList inputs;  // --bpb ... --errors ... [--estimator ...]
    QStringList caps;  // --keep-ratio ... [--token-counts ...]
};

}  // namespace

class TestCliShards : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QMap<QString, Dataset> m_data;
    int m_run = 0;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    test::CliRun cli(const QStringList &arguments) { return test::runCli(arguments); }

    // Runs estimate --shard for every shard into a fresh folder; returns the shard files.
    QStringList estimateShards(const Dataset &data, int count, const QString &folder)
    {
        QDir().mkpath(folder);
        QStringList files;
        for (int i = 0; i < count; ++i) {
            const QString file = folder + QStringLiteral("/E%1.csv").arg(i);
            const test::CliRun run = cli(QStringList { QStringLiteral("estimate") } + data.inputs
                                         + QStringList { QStringLiteral("--shard"),
                                                         QStringLiteral("%1/%2").arg(i).arg(count),
                                                         QStringLiteral("--output"), file });
            if (run.exitCode != 0)
                qWarning("estimate shard %d/%d: %s", i, count, run.err.constData());
            files << file;
        }
        return files;
    }

    static QStringList estimateOptions(const QStringList &files)
    {
        QStringList options;
        for (const QString &file : files)
            options << QStringLiteral("--estimate") << file;
        return options;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // The demo: a pool with token counts.
        const QString demo = path(QStringLiteral("demo"));
        const test::CliRun made
            = cli({ QStringLiteral("demo"), QStringLiteral("--output"), demo,
                    QStringLiteral("--llms"), QStringLiteral("40"), QStringLiteral("--texts"),
                    QStringLiteral("400"), QStringLiteral("--no-filter") });
        QVERIFY2(made.exitCode == 0, made.err.constData());
        const QStringList demoInputs { QStringLiteral("--bpb"), demo + QStringLiteral("/bpb.csv"),
                                       QStringLiteral("--errors"),
                                       demo + QStringLiteral("/errors.csv") };
        m_data.insert(QStringLiteral("demo"),
                      { demoInputs, { QStringLiteral("--keep-ratio"), QStringLiteral("0.2") } });
        // The same matrix as .npy (f64, exact): estimate shards stream only their texts.
        const QString demoNpy = demo + QStringLiteral("/bpb.npy");
        const test::CliRun converted
            = cli({ QStringLiteral("bpb"), QStringLiteral("convert"), QStringLiteral("--bpb"),
                    demo + QStringLiteral("/bpb.csv"), QStringLiteral("--output"), demoNpy });
        QVERIFY2(converted.exitCode == 0, converted.err.constData());
        m_data.insert(QStringLiteral("demo-npy"),
                      { { QStringLiteral("--bpb"), demoNpy, QStringLiteral("--errors"),
                          demo + QStringLiteral("/errors.csv") },
                        { QStringLiteral("--keep-ratio"), QStringLiteral("0.2") } });
        m_data.insert(
            QStringLiteral("demo-tokens"),
            { demoInputs,
              { QStringLiteral("--keep-ratio"), QStringLiteral("0.25"),
                QStringLiteral("--token-counts"), demo + QStringLiteral("/token_counts.csv") } });
        // Twelve texts, six LLMs; sign_sign on repeated columns ties the best texts, so the
        // cut falls inside a tie that spans shards (ties go to the lower global index).
        QByteArray bpb = "id";
        for (int l = 0; l < 6; ++l)
            bpb += ",llm" + QByteArray::number(l);
        bpb += '\n';
        const QList<QList<int>> columns = {
            { 1, 2, 3, 4, 5, 6 }, { 6, 5, 4, 3, 2, 1 }, { 1, 2, 3, 4, 6, 5 }, { 2, 1, 3, 4, 5, 6 }
        };
        const int kinds[12] = { 1, 0, 2, 0, 3, 0, 1, 2, 0, 3, 0, 1 };
        for (int t = 0; t < 12; ++t) {
            bpb += "t" + QByteArray::number(t);
            for (int v : columns[kinds[t]])
                bpb += ',' + QByteArray::number(v + t % 2 * 0.5);
            bpb += '\n';
        }
        const QString tinyBpb = test::writeFile(m_dir, QStringLiteral("tiny-bpb.csv"), bpb);
        const QString tinyErrors = test::writeFile(
            m_dir, QStringLiteral("tiny-errors.csv"),
            "benchmark,llm0,llm1,llm2,llm3,llm4,llm5\nb,0.1,0.2,0.3,0.4,0.5,0.6\n");
        m_data.insert(QStringLiteral("tiny"),
                      { { QStringLiteral("--bpb"), tinyBpb, QStringLiteral("--errors"), tinyErrors,
                          QStringLiteral("--estimator"), QStringLiteral("sign_sign") },
                        { QStringLiteral("--keep-ratio"), QStringLiteral("0.3") } });
        if (!test::upstreamDataDir().isEmpty())
            m_data.insert(
                QStringLiteral("upstream"),
                { { QStringLiteral("--bpb"),
                    test::upstreamFile(QStringLiteral("chunked_synthetic_sample_bpb_id.csv")),
                    QStringLiteral("--errors"), test::upstreamFile(QStringLiteral("error.csv")) },
                  { QStringLiteral("--keep-ratio"), QStringLiteral("0.3") } });
    }

    void shardedSelectionEqualsSelect_data()
    {
        QTest::addColumn<QString>("dataset");
        QTest::addColumn<int>("shards");
        QTest::addColumn<QString>("projection");
        for (const QString &projection : { QStringLiteral("linear"), QStringLiteral("l2") }) {
            for (int n : { 1, 3, 7 })
                QTest::addRow("demo %d %s", n, qPrintable(projection)) << "demo" << n << projection;
            QTest::addRow("demo-npy 3 %s", qPrintable(projection)) << "demo-npy" << 3 << projection;
            QTest::addRow("demo-npy 9 %s", qPrintable(projection)) << "demo-npy" << 9 << projection;
            QTest::addRow("demo-tokens 4 %s", qPrintable(projection))
                << "demo-tokens" << 4 << projection;
            QTest::addRow("tiny 4 %s", qPrintable(projection)) << "tiny" << 4 << projection;
            QTest::addRow("tiny 12 %s", qPrintable(projection)) << "tiny" << 12 << projection;
            QTest::addRow("tiny 17 > D %s", qPrintable(projection)) << "tiny" << 17 << projection;
            QTest::addRow("upstream 2 %s", qPrintable(projection)) << "upstream" << 2 << projection;
            QTest::addRow("upstream 5 %s", qPrintable(projection)) << "upstream" << 5 << projection;
        }
    }

    void shardedSelectionEqualsSelect()
    {
        QFETCH(QString, dataset);
        QFETCH(int, shards);
        QFETCH(QString, projection);
        if (dataset == QLatin1String("upstream"))
            PCS_REQUIRE_UPSTREAM_DATA();
        const Dataset data = m_data.value(dataset);
        const QString folder = path(QStringLiteral("run%1").arg(++m_run));
        const QStringList projectionOptions { QStringLiteral("--projection"), projection };

        const QString one = folder + QStringLiteral("-select.csv");
        const test::CliRun select
            = cli(QStringList { QStringLiteral("select") } + data.inputs + data.caps
                  + projectionOptions + QStringList { QStringLiteral("--output"), one });
        QVERIFY2(select.exitCode == 0, select.err.constData());
        const QByteArray expected = readAll(one);

        const QStringList files = estimateShards(data, shards, folder);
        // The estimate shards: their rows in order are those of one shard 0/1, and their text
        // and estimate columns those of a plain estimate.
        QByteArray estimates;
        for (const QString &file : files) {
            const QByteArray csv = readAll(file);
            QCOMPARE(header(csv), QByteArray("text,estimate,index\n"));
            estimates += body(csv);
        }
        const QString plain = folder + QStringLiteral("-estimate.csv");
        const test::CliRun estimate = cli(QStringList { QStringLiteral("estimate") } + data.inputs
                                          + QStringList { QStringLiteral("--output"), plain });
        QVERIFY2(estimate.exitCode == 0, estimate.err.constData());
        if (dataset != QLatin1String("upstream"))  // names there hold quoted commas
            QCOMPARE(columns(estimates, { 0, 1 }), columns(body(readAll(plain)), { 0, 1 }));
        const QString whole = folder + QStringLiteral("-whole.csv");
        QVERIFY(cli(QStringList { QStringLiteral("estimate") } + data.inputs
                    + QStringList { QStringLiteral("--shard"), QStringLiteral("0/1"),
                                    QStringLiteral("--output"), whole })
                    .exitCode
                == 0);
        QCOMPARE(estimates, body(readAll(whole)));

        const QString cut = folder + QStringLiteral("/cut.json");
        const test::CliRun cutRun
            = cli(QStringList { QStringLiteral("project") } + estimateOptions(files) + data.caps
                  + projectionOptions
                  + QStringList { QStringLiteral("--cut-only"), QStringLiteral("--output"), cut });
        QVERIFY2(cutRun.exitCode == 0, cutRun.err.constData());
        QByteArray concatenated;
        for (int i = 0; i < shards; ++i) {
            const QString part = folder + QStringLiteral("/D%1.csv").arg(i);
            const test::CliRun run
                = cli({ QStringLiteral("project"), QStringLiteral("--estimate"), files[i],
                        QStringLiteral("--cut"), cut, QStringLiteral("--output"), part });
            QVERIFY2(run.exitCode == 0, run.err.constData());
            const QByteArray csv = readAll(part);
            QCOMPARE(header(csv), header(expected));
            concatenated += body(csv);
        }
        QCOMPARE(concatenated, body(expected));

        // A plain project over the same shards, for pools that fit: the same table whole.
        const QString plainProject = folder + QStringLiteral("-project.csv");
        const test::CliRun whole2
            = cli(QStringList { QStringLiteral("project") } + estimateOptions(files) + data.caps
                  + projectionOptions + QStringList { QStringLiteral("--output"), plainProject });
        QVERIFY2(whole2.exitCode == 0, whole2.err.constData());
        QCOMPARE(readAll(plainProject), expected);
    }

    // Ties across shards decide the cut in the tiny matrix (otherwise the test above proves
    // little about tie-breaking).
    void tinyCutFallsInsideATie()
    {
        const Dataset data = m_data.value(QStringLiteral("tiny"));
        const QString one = path(QStringLiteral("tiny-select.csv"));
        QVERIFY(cli(QStringList { QStringLiteral("select") } + data.inputs + data.caps
                    + QStringList { QStringLiteral("--output"), one })
                    .exitCode
                == 0);
        // The weighted texts and the first text left out share their estimate.
        double lastIncluded = 0, firstExcluded = 0;
        bool excludedSeen = false;
        QMap<int, QList<QByteArray>> byRank;
        for (const QByteArray &line : body(readAll(one)).split('\n'))
            if (!line.isEmpty())
                byRank.insert(line.split(',')[2].toInt(), line.split(','));
        for (const QList<QByteArray> &row : byRank) {
            if (row[4].toDouble() > 0)
                lastIncluded = row[1].toDouble();
            else if (!excludedSeen) {
                firstExcluded = row[1].toDouble();
                excludedSeen = true;
            }
        }
        QVERIFY(excludedSeen);
        QCOMPARE(lastIncluded, firstExcluded);
    }

    void badShardSetsAreRefused_data()
    {
        QTest::addColumn<QString>("mutation");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        QTest::newRow("missing shard") << "missing"
                                       << "E2.csv"
                                       << "shard 1 of 4 is missing";
        QTest::newRow("missing last shard") << "missing-last"
                                            << "E2.csv"
                                            << "shards 3..3 of 4 are missing";
        QTest::newRow("out of order") << "swapped"
                                      << "E2.csv"
                                      << "shards out of order";
        QTest::newRow("repeated") << "repeated"
                                  << "E1.csv"
                                  << "comes again or out of order";
        QTest::newRow("mixed estimators") << "mixed"
                                          << "S2.csv"
                                          << "mixed estimators";
        QTest::newRow("rows missing") << "gap"
                                      << "E1.csv"
                                      << "are missing: the rows jump";
        QTest::newRow("rows overlapping") << "overlap"
                                          << "E1.csv"
                                          << "comes again or out of order";
        QTest::newRow("not a shard") << "plain"
                                     << "plain.csv"
                                     << "is not an estimate shard";
        QTest::newRow("other parameters") << "other-ratio"
                                          << "cut.json"
                                          << "made with other parameters";
        QTest::newRow("other projection") << "other-projection"
                                          << "cut.json"
                                          << "made with other parameters";
        QTest::newRow("other caps") << "other-caps"
                                    << "cut.json"
                                    << "made with other parameters";
        QTest::newRow("other shard file") << "changed"
                                          << "E1.csv"
                                          << "not the file the cut was made from";
        QTest::newRow("other estimator's shard") << "foreign"
                                                 << "S2.csv"
                                                 << "is not of the sharded estimate";
    }

    void badShardSetsAreRefused()
    {
        QFETCH(QString, mutation);
        QFETCH(QString, file);
        QFETCH(QString, reason);
        const Dataset data = m_data.value(QStringLiteral("demo-tokens"));
        const QString folder = path(QStringLiteral("bad-") + mutation);
        QStringList files = estimateShards(data, 4, folder);
        const QString cut = folder + QStringLiteral("/cut.json");
        QVERIFY(cli(QStringList { QStringLiteral("project") } + estimateOptions(files) + data.caps
                    + QStringList { QStringLiteral("--cut-only"), QStringLiteral("--output"), cut })
                    .exitCode
                == 0);
        const QString sign = folder + QStringLiteral("/S2.csv");
        QVERIFY(cli(QStringList { QStringLiteral("estimate") } + data.inputs
                    + QStringList { QStringLiteral("--estimator"), QStringLiteral("sign"),
                                    QStringLiteral("--shard"), QStringLiteral("2/4"),
                                    QStringLiteral("--output"), sign })
                    .exitCode
                == 0);
        const auto rewrite = [&](const QString &name, auto edit) {
            QFile target(folder + QLatin1Char('/') + name);
            QVERIFY(target.open(QIODevice::ReadOnly));
            QList<QByteArray> lines = target.readAll().split('\n');
            target.close();
            edit(lines);
            QVERIFY(target.open(QIODevice::WriteOnly | QIODevice::Truncate));
            target.write(lines.join('\n'));
        };

        QStringList arguments;
        const QStringList cutOnly = QStringList { QStringLiteral("project") } + data.caps
            + QStringList { QStringLiteral("--cut-only"), QStringLiteral("--output"),
                            folder + QStringLiteral("/new-cut.json") };
        const QStringList shardProject { QStringLiteral("project"), QStringLiteral("--cut"), cut,
                                         QStringLiteral("--output"),
                                         folder + QStringLiteral("/D.csv") };
        if (mutation == QLatin1String("missing")) {
            files.removeAt(1);
            arguments = cutOnly + estimateOptions(files);
        } else if (mutation == QLatin1String("missing-last")) {
            files.removeAt(3);
            arguments = cutOnly + estimateOptions(files);
        } else if (mutation == QLatin1String("swapped")) {
            files.swapItemsAt(1, 2);
            arguments = cutOnly + estimateOptions(files);
        } else if (mutation == QLatin1String("repeated")) {
            files.insert(1, files[1]);
            arguments = cutOnly + estimateOptions(files);
        } else if (mutation == QLatin1String("mixed")) {
            files[2] = sign;
            arguments = cutOnly + estimateOptions(files);
        } else if (mutation == QLatin1String("gap")) {
            rewrite(QStringLiteral("E1.csv"), [](QList<QByteArray> &lines) { lines.removeAt(5); });
            arguments = cutOnly + estimateOptions(files);
        } else if (mutation == QLatin1String("overlap")) {
            rewrite(QStringLiteral("E1.csv"),
                    [](QList<QByteArray> &lines) { lines.insert(5, lines[4]); });
            arguments = cutOnly + estimateOptions(files);
        } else if (mutation == QLatin1String("plain")) {
            const QString plain = folder + QStringLiteral("/plain.csv");
            QVERIFY(cli(QStringList { QStringLiteral("estimate") } + data.inputs
                        + QStringList { QStringLiteral("--output"), plain })
                        .exitCode
                    == 0);
            files[0] = plain;
            arguments = cutOnly + estimateOptions(files);
        } else if (mutation == QLatin1String("other-ratio")) {
            arguments = shardProject
                + QStringList { QStringLiteral("--estimate"), files[1],
                                QStringLiteral("--keep-ratio"), QStringLiteral("0.3") };
        } else if (mutation == QLatin1String("other-projection")) {
            arguments = shardProject
                + QStringList { QStringLiteral("--estimate"), files[1],
                                QStringLiteral("--projection"), QStringLiteral("l2") };
        } else if (mutation == QLatin1String("other-caps")) {
            const QString tokens = data.caps.last();
            QByteArray counts = readAll(tokens);
            counts.replace(",1", ",2");
            arguments = shardProject
                + QStringList { QStringLiteral("--estimate"), files[1],
                                QStringLiteral("--token-counts"),
                                test::writeFile(m_dir, mutation + QStringLiteral(".csv"), counts) };
        } else if (mutation == QLatin1String("changed")) {
            rewrite(QStringLiteral("E1.csv"), [](QList<QByteArray> &lines) {
                lines[3].replace(",0.", ",0.0");  // the same numbers, other bytes
            });
            arguments = shardProject + QStringList { QStringLiteral("--estimate"), files[1] };
        } else if (mutation == QLatin1String("foreign")) {
            arguments = shardProject + QStringList { QStringLiteral("--estimate"), sign };
        }
        const test::CliRun run = cli(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(file.toUtf8() + ":"), run.err.constData());
        QVERIFY2(run.err.contains(reason.toUtf8()), run.err.constData());
    }

    void shardOptionIsChecked_data()
    {
        QTest::addColumn<QString>("shard");
        QTest::addColumn<QString>("reason");
        QTest::newRow("past the end") << "4/4"
                                      << "the shard must be in 0..3";
        QTest::newRow("negative") << "-1/4"
                                  << "the shard must be in 0..3";
        QTest::newRow("no shards") << "0/0"
                                   << "at least 1";
        QTest::newRow("not I/N") << "2"
                                 << "is not I/N";
    }

    void shardOptionIsChecked()
    {
        QFETCH(QString, shard);
        QFETCH(QString, reason);
        const test::CliRun run = cli(
            QStringList { QStringLiteral("estimate") } + m_data.value(QStringLiteral("tiny")).inputs
            + QStringList { QStringLiteral("--shard"), shard, QStringLiteral("--output"),
                            path(QStringLiteral("never.csv")) });
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(reason.toUtf8()), run.err.constData());
        QVERIFY(!QFile::exists(path(QStringLiteral("never.csv"))));
    }

    // filter train over the distribution shards trains the model of the single file.
    void filterTrainTakesDistributionShards()
    {
        const Dataset data = m_data.value(QStringLiteral("demo"));
        const QString folder = path(QStringLiteral("filter"));
        const QStringList files = estimateShards(data, 3, folder);
        const QString cut = folder + QStringLiteral("/cut.json");
        QVERIFY(cli(QStringList { QStringLiteral("project") } + estimateOptions(files) + data.caps
                    + QStringList { QStringLiteral("--cut-only"), QStringLiteral("--output"), cut })
                    .exitCode
                == 0);
        QStringList distributions;
        for (int i = 0; i < 3; ++i) {
            const QString part = folder + QStringLiteral("/D%1.csv").arg(i);
            QVERIFY(cli({ QStringLiteral("project"), QStringLiteral("--estimate"), files[i],
                          QStringLiteral("--cut"), cut, QStringLiteral("--output"), part })
                        .exitCode
                    == 0);
            distributions << QStringLiteral("--distribution") << part;
        }
        const QString one = folder + QStringLiteral("/select.csv");
        QVERIFY(cli(QStringList { QStringLiteral("select") } + data.inputs + data.caps
                    + QStringList { QStringLiteral("--output"), one })
                    .exitCode
                == 0);
        const QString texts = path(QStringLiteral("demo/texts.jsonl"));
        const auto train = [&](const QStringList &distribution, const QString &model) {
            return cli(QStringList { QStringLiteral("filter"), QStringLiteral("train"),
                                     QStringLiteral("--texts"), texts }
                       + distribution
                       + QStringList { QStringLiteral("--output"), model,
                                       QStringLiteral("--threads"), QStringLiteral("1"),
                                       QStringLiteral("--seed"), QStringLiteral("7"),
                                       QStringLiteral("--bucket"), QStringLiteral("100000") });
        };
        const test::CliRun single
            = train({ QStringLiteral("--distribution"), one }, folder + QStringLiteral("/one.bin"));
        QVERIFY2(single.exitCode == 0, single.err.constData());
        const test::CliRun sharded = train(distributions, folder + QStringLiteral("/sharded.bin"));
        QVERIFY2(sharded.exitCode == 0, sharded.err.constData());
        const QByteArray model = readAll(folder + QStringLiteral("/one.bin"));
        QVERIFY(model.size() > 1000);
        QCOMPARE(QCryptographicHash::hash(readAll(folder + QStringLiteral("/sharded.bin")),
                                          QCryptographicHash::Sha256),
                 QCryptographicHash::hash(model, QCryptographicHash::Sha256));

        // A text in two shards is refused, naming the second file.
        const test::CliRun twice = train(distributions
                                             + QStringList { QStringLiteral("--distribution"),
                                                             folder + QStringLiteral("/D1.csv") },
                                         folder + QStringLiteral("/twice.bin"));
        QCOMPARE(twice.exitCode, 2);
        QVERIFY2(twice.err.contains("D1.csv:") && twice.err.contains("one file only"),
                 twice.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliShards)
#include "tst_clishards.moc"
