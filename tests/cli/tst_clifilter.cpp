// `pcstudio-cli filter train|apply` end to end, the cluster recipes in scripts/cluster that need no
// cluster (the Slurm array job runs on a real one in tests/cli/cluster/tst_slurmcluster.cpp), and
// the scores against the `fasttext predict-prob` CLI.
#include "core/filter/cleaning.h"
#include "tests/common/filtershards.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace pcs;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QString &program, const QStringList &arguments, const QByteArray &input = {},
        const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(program, arguments);
    if (!process.waitForStarted(30000))
        return {};
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(300000))
        qFatal("%s did not finish", qPrintable(program));
    return { process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
             process.readAllStandardOutput(), process.readAllStandardError() };
}

Run cli(const QStringList &arguments, const QByteArray &input = {})
{
    return run(test::cliPath(), arguments, input);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString scriptPath(const QString &name)
{
    return QStringLiteral(PCSTUDIO_SOURCE_DIR "/scripts/cluster/") + name;
}

}  // namespace

class TestCliFilter : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    test::FilterCorpus m_corpus;
    QString m_texts;
    QString m_model;
    QString m_threshold;
    QList<QByteArray> m_lines;

private Q_SLOTS:
    void initTestCase()
    {
        m_corpus = test::writeFilterCorpus(m_dir);
        m_texts = m_corpus.texts;
        m_lines = m_corpus.lines;
    }

    void trainWritesTheModelAndManifest()
    {
        m_model = m_dir.filePath(QStringLiteral("filter.bin"));
        const QString report = m_dir.filePath(QStringLiteral("train-report.json"));
        const Run r = cli(test::filterTrainArguments(m_corpus, m_model, report));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.err.contains("held out: precision"));
        QVERIFY(QFile::exists(m_model));
        const QJsonObject manifest
            = QJsonDocument::fromJson(readAll(m_model + QStringLiteral(".manifest.json"))).object();
        QCOMPARE(QJsonDocument::fromJson(readAll(report)).object().value(QStringLiteral("model")),
                 manifest.value(QStringLiteral("model")));
        const double f1 = manifest.value(QStringLiteral("evaluation"))
                              .toObject()
                              .value(QStringLiteral("f1"))
                              .toDouble();
        QVERIFY2(f1 > 0.95,
                 qPrintable(QStringLiteral("F1 %1; %2").arg(f1).arg(QString::fromUtf8(r.err))));
        m_threshold = test::manifestThreshold(m_model);
    }

    void applyStreamsStdinToStdout()
    {
        QVERIFY(!m_model.isEmpty());
        const QByteArray input = readAll(m_texts);
        const Run piped
            = cli({ QStringLiteral("filter"), QStringLiteral("apply"), QStringLiteral("--model"),
                    m_model, QStringLiteral("--threshold"), m_threshold },
                  input);
        QCOMPARE(piped.exitCode, 0);
        const QString output = m_dir.filePath(QStringLiteral("kept.jsonl"));
        const Run files
            = cli({ QStringLiteral("filter"), QStringLiteral("apply"), QStringLiteral("--model"),
                    m_model, QStringLiteral("--threshold"), m_threshold, QStringLiteral("--input"),
                    m_texts, QStringLiteral("--output"), output });
        QCOMPARE(files.exitCode, 0);
        QCOMPARE(readAll(output), piped.out);
        const QList<QByteArray> kept = piped.out.split('\n');
        QVERIFY(kept.size() > 400 && kept.size() < 800);  // about the science quarter
    }

    // Scores equal `fasttext predict-prob` on the cleaned texts, within its printed precision.
    void scoresMatchTheFastTextCli()
    {
        const QString fasttext = QStandardPaths::findExecutable(QStringLiteral("fasttext"));
        if (fasttext.isEmpty())
            QSKIP("the fasttext command (Debian package fasttext) is not installed");
        QByteArray cleaned;
        for (const QByteArray &line : m_lines.mid(0, 600))
            cleaned += QByteArray::fromStdString(cleanForFastText(QJsonDocument::fromJson(line)
                                                                      .object()
                                                                      .value(QStringLiteral("text"))
                                                                      .toString()
                                                                      .toStdString()))
                + '\n';
        const QString cleanedPath = test::writeFile(m_dir, QStringLiteral("cleaned.txt"), cleaned);
        QByteArray input;
        for (const QByteArray &line : m_lines.mid(0, 600))
            input += line + '\n';
        const Run ours
            = cli({ QStringLiteral("filter"), QStringLiteral("apply"), QStringLiteral("--model"),
                    m_model, QStringLiteral("--threshold"), QStringLiteral("0.5"),
                    QStringLiteral("--mode"), QStringLiteral("score") },
                  input);
        QCOMPARE(ours.exitCode, 0);
        const Run theirs
            = run(fasttext,
                  { QStringLiteral("predict-prob"), m_model, cleanedPath, QStringLiteral("2") });
        QCOMPARE(theirs.exitCode, 0);
        const QList<QByteArray> ourLines = ours.out.trimmed().split('\n');
        const QList<QByteArray> theirLines = theirs.out.trimmed().split('\n');
        QCOMPARE(ourLines.size(), 600);
        QCOMPARE(theirLines.size(), 600);
        double worst = 0;
        for (int i = 0; i < 600; ++i) {
            const QList<QByteArray> fields = theirLines[i].split(' ');
            double include = -1;
            for (int f = 0; f + 1 < fields.size(); f += 2)
                if (fields[f] == "__label__include")
                    include = fields[f + 1].toDouble();
            QVERIFY2(include >= 0, theirLines[i].constData());
            worst = std::max(worst, std::abs(include - ourLines[i].toDouble()));
        }
        qInfo("largest |ours - fasttext predict-prob| = %g over 600 documents", worst);
        QVERIFY(worst <= 1e-5);
    }

    // The README's cluster recipes give exactly the lines of one pass (the Slurm one: see
    // tests/cli/cluster/tst_slurmcluster.cpp).
    void clusterRecipesMatchOnePass()
    {
        const QString onePath = m_dir.filePath(QStringLiteral("one-pass.jsonl"));
        QCOMPARE(cli({ QStringLiteral("filter"), QStringLiteral("apply"), QStringLiteral("--model"),
                       m_model, QStringLiteral("--threshold"), m_threshold,
                       QStringLiteral("--input"), m_texts, QStringLiteral("--output"), onePath })
                     .exitCode,
                 0);
        const QByteArray onePass = readAll(onePath);
        const QStringList shards = test::writeFilterShards(m_dir, m_lines).paths;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("PCSTUDIO_CLI"), test::cliPath());

        auto concatenated = [&](const QString &folder) {
            QByteArray all;
            for (const QString &shard : shards)
                all += readAll(folder + QLatin1Char('/') + QFileInfo(shard).fileName()
                               + QStringLiteral(".kept.jsonl"));
            return all;
        };

        // GNU parallel.
        if (!QStandardPaths::findExecutable(QStringLiteral("parallel")).isEmpty()) {
            const QString out = m_dir.filePath(QStringLiteral("out-parallel"));
            const Run r = run(QStringLiteral("bash"),
                              QStringList { scriptPath(QStringLiteral("apply-parallel.sh")),
                                            m_model, m_threshold, out }
                                  + shards,
                              {}, environment);
            QVERIFY2(r.exitCode == 0, r.err.constData());
            QCOMPARE(concatenated(out), onePass);
        } else {
            qWarning("GNU parallel is not installed; its recipe is not tested here");
        }

        // What Spark's RDD.pipe does: each partition through standard input and output.
        QByteArray piped;
        for (int partition = 0; partition < 6; ++partition) {
            QByteArray part;
            for (qsizetype i = partition * 400; i < (partition + 1) * 400; ++i)
                part += m_lines[i] + '\n';
            const Run r = cli({ QStringLiteral("filter"), QStringLiteral("apply"),
                                QStringLiteral("--model"), m_model, QStringLiteral("--threshold"),
                                m_threshold, QStringLiteral("--threads"), QStringLiteral("1") },
                              part);
            QCOMPARE(r.exitCode, 0);
            piped += r.out;
        }
        QCOMPARE(piped, onePass);
    }

    void badInputAndUsage()
    {
        auto apply = [&](const QStringList &extra, const QByteArray &input = {}) {
            return cli(QStringList { QStringLiteral("filter"), QStringLiteral("apply"),
                                     QStringLiteral("--model"), m_model }
                           + extra,
                       input);
        };
        QCOMPARE(apply({}).exitCode, 2);  // neither --threshold nor --keep-fraction
        QCOMPARE(apply({ QStringLiteral("--threshold"), QStringLiteral("0.5"),
                         QStringLiteral("--keep-fraction"), QStringLiteral("0.1") })
                     .exitCode,
                 2);
        QCOMPARE(apply({ QStringLiteral("--threshold"), QStringLiteral("0.5"),
                         QStringLiteral("--mode"), QStringLiteral("sideways") })
                     .exitCode,
                 2);
        QCOMPARE(apply({ QStringLiteral("--keep-fraction"), QStringLiteral("1.5") }).exitCode, 2);
        // Malformed lines: reported with their line, skipped; the run succeeds.
        const QByteArray input = m_lines[0] + "\n{\"text\": \"unterminated\n" + m_lines[1]
            + "\n{\"id\":1}\n\xff\xfe\n";
        const Run r = apply({ QStringLiteral("--threshold"), QStringLiteral("0") }, input);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.count('\n'), 2);
        QVERIFY2(r.err.contains("-:2:"), r.err.constData());
        QVERIFY2(r.err.contains("-:4:"), r.err.constData());
        QVERIFY2(r.err.contains("-:5:"), r.err.constData());
        const Run passed = apply({ QStringLiteral("--threshold"), QStringLiteral("0"),
                                   QStringLiteral("--on-malformed"), QStringLiteral("pass") },
                                 input);
        QCOMPARE(passed.out, input);
        // Two "text" members: malformed, located at the second; passed through unchanged on
        // request (then it is the downstream reader's to judge).
        const QByteArray twoTexts = R"({"text":"a harmless text","text":"another text"})";
        const Run duplicate
            = apply({ QStringLiteral("--threshold"), QStringLiteral("0") }, twoTexts + '\n');
        QCOMPARE(duplicate.exitCode, 0);
        QCOMPARE(duplicate.out, QByteArray());
        QVERIFY2(duplicate.err.contains("-:1:27: duplicate key \"text\" (also at column 2)"),
                 duplicate.err.constData());
        const Run duplicatePassed
            = apply({ QStringLiteral("--threshold"), QStringLiteral("0"),
                      QStringLiteral("--on-malformed"), QStringLiteral("pass") },
                    twoTexts + '\n');
        QCOMPARE(duplicatePassed.out, twoTexts + '\n');
        // A file that is not a model.
        const QString garbage
            = test::writeFile(m_dir, QStringLiteral("garbage.bin"), "not a model");
        const Run bad
            = cli({ QStringLiteral("filter"), QStringLiteral("apply"), QStringLiteral("--model"),
                    garbage, QStringLiteral("--threshold"), QStringLiteral("0.5") },
                  m_lines[0] + '\n');
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.startsWith(garbage.toUtf8()), bad.err.constData());
        // Train: required options, a distribution that matches nothing.
        QCOMPARE(cli({ QStringLiteral("filter"), QStringLiteral("train"), QStringLiteral("--texts"),
                       m_texts })
                     .exitCode,
                 2);
        const QString other
            = test::writeFile(m_dir, QStringLiteral("other.csv"), "text,weight\nx,1\ny,0\n");
        const Run nothing
            = cli({ QStringLiteral("filter"), QStringLiteral("train"), QStringLiteral("--texts"),
                    m_texts, QStringLiteral("--distribution"), other, QStringLiteral("--output"),
                    m_dir.filePath(QStringLiteral("never.bin")) });
        QCOMPARE(nothing.exitCode, 2);
        QVERIFY2(nothing.err.contains("no usable document"), nothing.err.constData());
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("never.bin"))));
        QCOMPARE(cli({ QStringLiteral("filter"), QStringLiteral("sideways") }).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliFilter)
#include "tst_clifilter.moc"
