#include "core/io/namedvalues.h"
#include "core/io/selectionwriter.h"
#include "tests/common/testdata.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>

using namespace pcs;

namespace {

SelectionTable sampleTable(bool withDistribution)
{
    SelectionTable t;
    t.texts = { QStringLiteral("plain"), QStringLiteral("with,comma"),
                QStringLiteral("with \"quote\""), QStringLiteral("ünïcode ✓") };
    t.estimate.resize(4);
    t.estimate << 0.1, -1.0 / 3.0, 1e-300, 6.02214076e23;
    t.rank.resize(4);
    t.rank << 3, 4, 2, 1;
    if (withDistribution) {
        t.tau = Eigen::VectorXd::Constant(4, 0.5);
        t.weight.resize(4);
        t.weight << 0.0, 0.0, 0.5, 0.5;
    }
    return t;
}

QByteArray format(const SelectionTable &t, TableFormat f)
{
    QByteArray out;
    formatSelectionTable(t, f, QJsonObject { { "estimator", "spearmanr" } },
                         [&](const char *d, qint64 n) {
                             out.append(d, n);
                             return true;
                         });
    return out;
}

}  // namespace

class TestSelectionWriter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void csvLayoutAndQuoting()
    {
        const QByteArray csv = format(sampleTable(false), TableFormat::Csv);
        const QList<QByteArray> lines = csv.split('\n');
        QCOMPARE(lines[0], QByteArray("text,estimate,rank"));
        QCOMPARE(lines[1], QByteArray("plain,0.1,3"));
        QCOMPARE(lines[2], QByteArray("\"with,comma\",-0.3333333333333333,4"));
        QCOMPARE(lines[3], QByteArray("\"with \"\"quote\"\"\",1e-300,2"));
        QCOMPARE(lines[4], QString::fromUtf8("ünïcode ✓,6.02214076e+23,1").toUtf8());
        const QByteArray dist = format(sampleTable(true), TableFormat::Csv);
        QVERIFY(dist.startsWith("text,estimate,rank,tau,weight\nplain,0.1,3,0.5,0\n"));
    }

    void csvReadsBackBitIdentical()
    {
        QTemporaryDir dir;
        SelectionTable t = sampleTable(true);
        t.estimate[0] = std::nextafter(0.1, 1.0);
        const QString path = dir.filePath("out.csv");
        QVERIFY(writeSelectionTable(path, t, TableFormat::Csv).ok());
        const auto back = loadNamedValues(path, "text", "estimate");
        QVERIFY2(back.ok(), back.ok() ? "" : qPrintable(back.error().toString()));
        QCOMPARE(back->names, t.texts);
        for (int j = 0; j < 4; ++j)
            QCOMPARE(back->values[size_t(j)], t.estimate[j]);  // exact, not fuzzy
    }

    void jsonIsValidAndComplete()
    {
        const QByteArray json = format(sampleTable(true), TableFormat::Json);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QJsonObject root = doc.object();
        QCOMPARE(root["format"].toString(), QString("pcstudio-distribution"));
        QCOMPARE(root["metadata"].toObject()["estimator"].toString(), QString("spearmanr"));
        const QJsonArray texts = root["texts"].toArray();
        QCOMPARE(texts.size(), 4);
        QCOMPARE(texts[2].toObject()["text"].toString(), QString("with \"quote\""));
        QCOMPARE(texts[3].toObject()["text"].toString(), QString::fromUtf8("ünïcode ✓"));
        QCOMPARE(texts[1].toObject()["estimate"].toDouble(), -1.0 / 3.0);
        QCOMPARE(texts[3].toObject()["weight"].toDouble(), 0.5);
        QCOMPARE(texts[0].toObject()["rank"].toInt(), 3);
        const QByteArray estimateOnly = format(sampleTable(false), TableFormat::Json);
        QVERIFY(!QJsonDocument::fromJson(estimateOnly)
                     .object()["texts"]
                     .toArray()[0]
                     .toObject()
                     .contains("weight"));
    }

    // Rows are formatted in chunks of 32768 on a second thread: across chunk boundaries every
    // row comes once, in order, with the header first and the JSON closed once.
    void manyRowsAcrossChunks()
    {
        const int count = 100003;
        SelectionTable t;
        t.estimate.resize(count);
        t.rank.resize(count);
        t.tau = Eigen::VectorXd::Constant(count, 2.0 / count);
        t.weight.resize(count);
        for (int j = 0; j < count; ++j) {
            t.texts << QStringLiteral("t%1").arg(j);
            t.estimate[j] = 1.0 / (j + 3);
            t.rank[j] = j + 1;
            t.weight[j] = j < count / 2 ? 2.0 / count : 0.0;
        }
        const QList<QByteArray> lines = format(t, TableFormat::Csv).split('\n');
        QCOMPARE(lines.size(), count + 2);  // the header, the rows, the empty end
        QCOMPARE(lines.first(), QByteArray("text,estimate,rank,tau,weight"));
        for (int j = 0; j < count; ++j) {
            const QList<QByteArray> fields = lines[j + 1].split(',');
            QCOMPARE(fields[0], QStringLiteral("t%1").arg(j).toUtf8());
            QCOMPARE(fields[1].toDouble(), 1.0 / (j + 3));
            QCOMPARE(fields[2].toInt(), j + 1);
        }
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(format(t, TableFormat::Json), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QJsonArray texts = doc.object()["texts"].toArray();
        QCOMPARE(texts.size(), count);
        for (int j : { 0, 32767, 32768, 65536, count - 1 }) {
            QCOMPARE(texts[j].toObject()["text"].toString(), QStringLiteral("t%1").arg(j));
            QCOMPARE(texts[j].toObject()["rank"].toInt(), j + 1);
        }
        // No rows at all: the header alone, and an empty JSON list.
        SelectionTable empty;
        QCOMPARE(format(empty, TableFormat::Csv), QByteArray("text,estimate,rank\n"));
        QVERIFY(QJsonDocument::fromJson(format(empty, TableFormat::Json))
                    .object()["texts"]
                    .toArray()
                    .isEmpty());
    }

    void jsonEscapesControlCharacters()
    {
        QByteArray out;
        appendJsonString(out,
                         QStringLiteral("a\tb\nc\x01"
                                        "d\\"));
        QCOMPARE(out, QByteArray("\"a\\tb\\nc\\u0001d\\\\\""));
    }

    void missingFolderIsAnError()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("no/such/folder/out.csv");
        const Status written = writeSelectionTable(path, sampleTable(false), TableFormat::Csv);
        QVERIFY(!written.ok());
        QCOMPARE(written.error().file, path);
        QVERIFY(written.error().reason.contains("folder does not exist"));
    }

    void failedWriteKeepsTheOldFile()
    {
        QTemporaryDir dir;
        const QString path = test::writeFile(dir, "out.csv", "precious\n");
        // A producer that dies half-way: QSaveFile must leave the old content in place.
        bool threw = false;
        try {
            writeAtomically(path, [](const ByteSink &sink) {
                sink("partial", 7);
                throw std::runtime_error("simulated failure");
            });
        } catch (const std::runtime_error &) {
            threw = true;
        }
        QVERIFY(threw);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("precious\n"));
    }
};

QTEST_GUILESS_MAIN(TestSelectionWriter)
#include "tst_selectionwriter.moc"
