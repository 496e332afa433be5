// The review queue's records from import to export: lines with a duplicate key or a number beyond
// a double are malformed at import (located); the export writes every unchanged record byte for
// byte and a changed one as its input line with only the text's value replaced; "revise" without
// a revision follows its policy; odd stored records never fail an export; the files are one set.
#include "core/review/queuestore.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace pcs;
using pcs::test::writeFile;

namespace {

std::unique_ptr<QueueStore> openStore(const QString &path)
{
    auto opened = QueueStore::open(path);
    if (!opened)
        qFatal("open: %s", qPrintable(opened.error().toString()));
    return std::move(opened).value();
}

AssessmentRecord assessment(double score)
{
    AssessmentRecord record;
    record.score = score;
    record.llmScore = score;
    record.llmReasoning = QStringLiteral("because");
    return record;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QList<QByteArray> fileLines(const QString &path)
{
    QList<QByteArray> lines = readAll(path).split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

// Replaces a stored record behind the store's back, as an older version (or a damaged
// database) could have left it.
void overwriteRecord(const QString &databasePath, qint64 id, const QByteArray &record)
{
    const QString connection = QStringLiteral("overwrite-%1").arg(id);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(databasePath);
        QVERIFY(db.open());
        QSqlQuery query(db);
        query.prepare(QStringLiteral("UPDATE items SET record = ? WHERE id = ?"));
        query.addBindValue(QString::fromUtf8(record));
        query.addBindValue(id);
        QVERIFY(query.exec());
        QCOMPARE(query.numRowsAffected(), 1);
    }
    QSqlDatabase::removeDatabase(connection);
}

}  // namespace

class TestQueueExport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void importRefusesDuplicateKeysAndHugeNumbers();
    void unchangedRecordsAreExportedByteForByte();
    void changedTextReplacesOnlyTheValue();
    void reviseWithoutRevisionPolicies();
    void oddStoredRecordsNeverFailTheExport();
    void outputsArePublishedTogether();
};

// A second "text" (escaped or not) and numbers beyond a double, anywhere in the record, make the
// line malformed: reported as FILE:LINE:COLUMN, not imported. Nested duplicates are fine.
void TestQueueExport::importRefusesDuplicateKeysAndHugeNumbers()
{
    QTemporaryDir dir;
    const QByteArray data = R"({"id":1,"text":"fine"})"
                            "\n"
                            R"({"id":2,"text":"harmless","t\u0065xt":"phishing"})"
                            "\n"
                            R"({"id":3,"meta":{"k":1,"k":2},"text":"nested duplicate is fine"})"
                            "\n"
                            R"({"id":4,"text":"big","meta":{"scores":[1,1e999]}})"
                            "\n"
                            R"({"id":-1e400,"text":"negative"})"
                            "\n"
                            R"({"id":6,"text":"big integer","n":12345678901234567890})"
                            "\n";
    const QString input = writeFile(dir, QStringLiteral("in.jsonl"), data);
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    auto summary = store->importJsonl(input, QStringLiteral("text"));
    QVERIFY2(summary.ok(), summary.ok() ? "" : qPrintable(summary.error().toString()));
    QCOMPARE(summary->lines, 6);
    QCOMPARE(summary->imported, 3);
    QCOMPARE(summary->malformed, 3);
    QCOMPARE(summary->problems,
             (QStringList {
                 input + QStringLiteral(":2:27: duplicate key \"text\" (also at column 9)"),
                 input
                     + QStringLiteral(":4:42: the number 1e999 is beyond the range of a double "
                                      "(readers would turn it into infinity or 0, or refuse the "
                                      "record)"),
                 input
                     + QStringLiteral(":5:7: the number -1e400 is beyond the range of a double "
                                      "(readers would turn it into infinity or 0, or refuse the "
                                      "record)"),
             }));
    auto items = store->pending(10);
    QVERIFY(items.ok());
    QCOMPARE(items->size(), std::size_t(3));
    QCOMPARE((*items)[0].sourceLine, 1);
    QCOMPARE((*items)[1].sourceLine, 3);
    QCOMPARE((*items)[2].sourceLine, 6);
}

// Nested objects, integers above 2^53, unicode escapes, escaped slashes, unusual key orders and
// spacing: exported exactly as read (only a byte order mark and '\r' line ends, which belong to
// the file, are not part of a record).
void TestQueueExport::unchangedRecordsAreExportedByteForByte()
{
    QTemporaryDir dir;
    const QList<QByteArray> records = {
        R"({"zeta":1,"text":"caf\u00e9 \ud83d\ude00 \/ \"q\"","alpha":{"nested":{"deep":[1,2,{"x":null}]}}})",
        R"({"n":12345678901234567890,"text":"big","m":-0.0,"e":1E+2,"f":1.50})",
        R"(  {  "text" :  "spaced"  ,  "id"  :  "a"  }  )",
        "{\"text\":\"raw \xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\",\"id\":\"\\u0041\"}",
        R"({"text":"dup inside","meta":{"k":1,"k":2}})",
        R"({"text":"filtered","tiny":4e-320})",
    };
    const QString input = writeFile(dir, QStringLiteral("in.jsonl"),
                                    "\xef\xbb\xbf" + records.join("\r\n") + "\r\n");
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    auto imported = store->importJsonl(input, QStringLiteral("text"));
    QVERIFY(imported.ok());
    QCOMPARE(imported->imported, records.size());
    for (qint64 id = 1; id <= records.size(); ++id)
        QVERIFY(store->recordAssessment(id, assessment(id == records.size() ? 99 : 1)).ok());
    // A human "keep" with the text it already has changes nothing.
    QVERIFY(store->setHumanDecision(2, Decision::Keep, QStringLiteral("big")).ok());

    const QString curated = dir.filePath(QStringLiteral("curated.jsonl"));
    const QString dropped = dir.filePath(QStringLiteral("dropped.jsonl"));
    auto summary = store->exportCurated(curated, dropped, {}, QStringLiteral("text"));
    QVERIFY2(summary.ok(), summary.ok() ? "" : qPrintable(summary.error().toString()));
    QCOMPARE(summary->curated, records.size() - 1);
    QCOMPARE(summary->textChanged, 0);
    QCOMPARE(summary->unscannable, 0);
    QCOMPARE(readAll(curated), records.mid(0, records.size() - 1).join('\n') + '\n');
    QCOMPARE(readAll(dropped), records.last() + '\n');
}

// A revision or an edit: the input line with only the text's value replaced (JSON-escaped) and
// the old value, as written, appended as "original_text"; "pcstudio_original_text" when the
// record has its own "original_text".
void TestQueueExport::changedTextReplacesOnlyTheValue()
{
    QTemporaryDir dir;
    const QByteArray data
        = R"({"z":1, "text" : "caf\u00e9 \"q\"" ,"n":12345678901234567890,"o":{"text":"inner"} })"
          "\n"
          R"({"text":"old","original_text":"theirs","id":2})"
          "\n"
          R"({"text":"edited by hand","id":3})"
          "\n"
          R"({"original_text":"theirs","pcstudio_original_text":"also theirs","text":"x"})"
          "\n";
    const QString input = writeFile(dir, QStringLiteral("in.jsonl"), data);
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store->importJsonl(input, QStringLiteral("text")).ok());
    for (qint64 id = 1; id <= 4; ++id)
        QVERIFY(store->recordAssessment(id, assessment(60)).ok());  // revise
    const QString newText = QStringLiteral("new \"text\"\n\u00e9\t\u0001 \\ end");
    QVERIFY(store->recordRevision(1, newText, 10.0).ok());
    QVERIFY(store->recordRevision(2, QStringLiteral("new"), std::nullopt).ok());
    QVERIFY(store->setHumanDecision(3, Decision::Keep, QStringLiteral("mine")).ok());
    QVERIFY(store->recordRevision(4, QStringLiteral("y"), std::nullopt).ok());

    const QString curated = dir.filePath(QStringLiteral("curated.jsonl"));
    const QString log = dir.filePath(QStringLiteral("log.csv"));
    auto summary = store->exportCurated(curated, {}, log, QStringLiteral("text"));
    QVERIFY2(summary.ok(), summary.ok() ? "" : qPrintable(summary.error().toString()));
    QCOMPARE(summary->curated, 3);
    QCOMPARE(summary->revised, 2);
    QCOMPARE(summary->kept, 1);
    QCOMPARE(summary->textChanged, 3);
    QCOMPARE(summary->ownOriginalText, 1);
    // Both names taken: that item alone is left out and listed; the export goes on.
    QCOMPARE(summary->failed, 1);
    QCOMPARE(summary->problems.size(), 1);
    QVERIFY2(summary->problems[0].startsWith(input + QStringLiteral(":4: item 4: not exported")),
             qPrintable(summary->problems[0]));
    QVERIFY(summary->problems[0].contains(QStringLiteral("pcstudio_original_text")));

    const QList<QByteArray> lines = fileLines(curated);
    QCOMPARE(lines.size(), 3);
    // Built outside the macro: moc's preprocessor misreads raw strings in macro arguments.
    const QByteArray expectedFirst = R"({"z":1, "text" : "new \"text\"\n)"
                                     "\xc3\xa9"
                                     R"(\t\u0001 \\ end" ,"n":12345678901234567890,)"
                                     R"("o":{"text":"inner"} ,"original_text":"caf\u00e9 \"q\""})";
    QCOMPARE(lines[0], expectedFirst);
    QCOMPARE(QJsonDocument::fromJson(lines[0]).object().value(QStringLiteral("text")).toString(),
             newText);
    const QByteArray expectedSecond
        = R"({"text":"new","original_text":"theirs","id":2,"pcstudio_original_text":"old"})";
    const QByteArray expectedThird = R"({"text":"mine","id":3,"original_text":"edited by hand"})";
    QCOMPARE(lines[1], expectedSecond);
    QCOMPARE(lines[2], expectedThird);
    const QList<QByteArray> logLines = fileLines(log);
    // ..., decided_by, text_source, output, request_id, logprob_status, logprob_note, source_id
    QVERIFY(logLines[1].endsWith(",auto,revision,curated,,,,1"));
    QVERIFY(logLines[3].endsWith(",human,edit,curated,,,,3"));
    QVERIFY(logLines[4].endsWith(",auto,,failed,,,,4"));
}

// "revise" without a revision or an edit is never curated silently: hold (default), keep the
// original, or drop.
void TestQueueExport::reviseWithoutRevisionPolicies()
{
    QTemporaryDir dir;
    QByteArray data;
    for (int i = 1; i <= 30; ++i)
        data += "{\"id\":" + QByteArray::number(i) + ",\"text\":\"t" + QByteArray::number(i)
            + "\"}\n";
    const QString input = writeFile(dir, QStringLiteral("in.jsonl"), data);
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store->importJsonl(input, QStringLiteral("text")).ok());
    // 1..25: revise without a revision; 26: revise with one; 27: human revise with an edit;
    // 28: keep; 29: filter; 30: human revise without anything.
    for (qint64 id = 1; id <= 30; ++id)
        QVERIFY(store->recordAssessment(id, assessment(id == 28 ? 10 : id == 29 ? 90 : 60)).ok());
    QVERIFY(store->recordRevision(26, QStringLiteral("revised"), std::nullopt).ok());
    QVERIFY(store->setHumanDecision(27, Decision::Revise, QStringLiteral("edit")).ok());
    QVERIFY(store->setHumanDecision(30, Decision::Revise).ok());

    const QString curated = dir.filePath(QStringLiteral("curated.jsonl"));
    const QString dropped = dir.filePath(QStringLiteral("dropped.jsonl"));
    const QList<QByteArray> inputLines = data.split('\n');
    for (const ReviseMissingPolicy policy :
         { ReviseMissingPolicy::Hold, ReviseMissingPolicy::KeepOriginal,
           ReviseMissingPolicy::Drop }) {
        auto summary = store->exportCurated(curated, dropped, {}, QStringLiteral("text"), policy);
        QVERIFY(summary.ok());
        QCOMPARE(summary->reviseMissing, 26);
        QCOMPARE(summary->reviseMissingIds.size(), ExportSummary::kMaxListedIds);
        QCOMPARE(summary->reviseMissingIds.first(), 1);
        QCOMPARE(summary->reviseMissingPolicy, policy);
        QCOMPARE(summary->revised, 2);
        const QList<QByteArray> curatedLines = fileLines(curated);
        const QList<QByteArray> droppedLines = fileLines(dropped);
        switch (policy) {
        case ReviseMissingPolicy::Hold:
            QCOMPARE(summary->held, 26);
            QCOMPARE(summary->curated, 3);
            QCOMPARE(summary->dropped, 1);
            QCOMPARE(curatedLines[2], inputLines[27]);  // id 28, kept
            QCOMPARE(droppedLines, QList<QByteArray> { inputLines[28] });
            QCOMPARE(summary->toJson().value(QStringLiteral("held")).toInteger(), 26);
            break;
        case ReviseMissingPolicy::KeepOriginal:
            QCOMPARE(summary->held, 0);
            QCOMPARE(summary->curated, 29);
            QCOMPARE(summary->kept, 27);
            QCOMPARE(curatedLines[0], inputLines[0]);
            QCOMPARE(curatedLines.last(), inputLines[29]);
            break;
        case ReviseMissingPolicy::Drop:
            QCOMPARE(summary->held, 0);
            QCOMPARE(summary->curated, 3);
            QCOMPARE(summary->dropped, 27);
            QCOMPARE(droppedLines.first(), inputLines[0]);
            QCOMPARE(droppedLines.last(), inputLines[29]);
            break;
        }
    }
    QCOMPARE(reviseMissingPolicyFromName(QStringLiteral("keep-original")),
             ReviseMissingPolicy::KeepOriginal);
    QVERIFY(!reviseMissingPolicyFromName(QStringLiteral("keep")));
}

// Records an older version stored (a duplicate key, 1e999, even broken JSON): unchanged ones go
// out byte for byte and are reported; one that must change but cannot be scanned is left out
// and listed; the export itself succeeds.
void TestQueueExport::oddStoredRecordsNeverFailTheExport()
{
    QTemporaryDir dir;
    QByteArray data;
    for (int i = 1; i <= 6; ++i)
        data += "{\"id\":" + QByteArray::number(i) + ",\"text\":\"t" + QByteArray::number(i)
            + "\"}\n";
    const QString input = writeFile(dir, QStringLiteral("in.jsonl"), data);
    const QString database = dir.filePath(QStringLiteral("queue.sqlite"));
    auto store = openStore(database);
    QVERIFY(store->importJsonl(input, QStringLiteral("text")).ok());
    const QByteArray huge = R"({"id":1,"text":"t1","x":1e999})";
    const QByteArray duplicate = R"({"id":2,"text":"t2","text":"other"})";
    const QByteArray broken = R"({"id":3,"text":"t3")";
    const QByteArray hugeToRevise = R"({"id":4,"text":"t4","x":-1e999})";
    const QByteArray brokenToRevise = R"({"id":5,"text":"t5",)";
    overwriteRecord(database, 1, huge);
    overwriteRecord(database, 2, duplicate);
    overwriteRecord(database, 3, broken);
    overwriteRecord(database, 4, hugeToRevise);
    overwriteRecord(database, 5, brokenToRevise);
    for (qint64 id = 1; id <= 6; ++id)
        QVERIFY(store->recordAssessment(id, assessment(id >= 4 ? 60 : 1)).ok());
    QVERIFY(store->recordRevision(4, QStringLiteral("r4"), std::nullopt).ok());
    QVERIFY(store->recordRevision(5, QStringLiteral("r5"), std::nullopt).ok());
    QVERIFY(store->recordRevision(6, QStringLiteral("r6"), std::nullopt).ok());

    const QString curated = dir.filePath(QStringLiteral("curated.jsonl"));
    auto summary = store->exportCurated(curated, {}, {}, QStringLiteral("text"));
    QVERIFY2(summary.ok(), summary.ok() ? "" : qPrintable(summary.error().toString()));
    QCOMPARE(summary->curated, 5);
    QCOMPARE(summary->failed, 1);
    QCOMPARE(summary->unscannable, 3);
    QCOMPARE(summary->problems.size(), 4);
    QVERIFY2(summary->problems[0].startsWith(input
                                             + QStringLiteral(":1:25: item 1: exported "
                                                              "unchanged")),
             qPrintable(summary->problems[0]));
    QVERIFY(summary->problems[1].contains(QStringLiteral("duplicate key \"text\"")));
    QVERIFY2(summary->problems[3].startsWith(input + QStringLiteral(":5:21: item 5: not exported")),
             qPrintable(summary->problems[3]));
    const QByteArray revisedHuge = R"({"id":4,"text":"r4","x":-1e999,"original_text":"t4"})";
    const QByteArray revised = R"({"id":6,"text":"r6","original_text":"t6"})";
    QCOMPARE(fileLines(curated),
             (QList<QByteArray> { huge, duplicate, broken, revisedHuge, revised }));
}

// Curated, dropped and log are one set: when one of them cannot be written, none is replaced.
void TestQueueExport::outputsArePublishedTogether()
{
    QTemporaryDir dir;
    const QString input
        = writeFile(dir, QStringLiteral("in.jsonl"), "{\"text\":\"a\"}\n{\"text\":\"b\"}\n");
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store->importJsonl(input, QStringLiteral("text")).ok());
    QVERIFY(store->recordAssessment(1, assessment(1)).ok());
    QVERIFY(store->recordAssessment(2, assessment(99)).ok());
    const QString curated = writeFile(dir, QStringLiteral("curated.jsonl"), "old curated\n");
    const QString log = writeFile(dir, QStringLiteral("log.csv"), "old log\n");
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("a-folder")));
    for (const QString &badDropped : { dir.filePath(QStringLiteral("a-folder")),
                                       dir.filePath(QStringLiteral("no/such.jsonl")) }) {
        auto failed = store->exportCurated(curated, badDropped, log, QStringLiteral("text"));
        QVERIFY(!failed.ok());
        QCOMPARE(failed.error().kind, ErrorKind::BadInput);
        QCOMPARE(readAll(curated), QByteArray("old curated\n"));
        QCOMPARE(readAll(log), QByteArray("old log\n"));
    }
    const QString dropped = dir.filePath(QStringLiteral("dropped.jsonl"));
    QVERIFY(store->exportCurated(curated, dropped, log, QStringLiteral("text")).ok());
    QCOMPARE(readAll(curated), QByteArray("{\"text\":\"a\"}\n"));
    QCOMPARE(readAll(dropped), QByteArray("{\"text\":\"b\"}\n"));
    QCOMPARE(fileLines(log).size(), 3);
    QCOMPARE(
        QDir(dir.path()).entryList({ QStringLiteral(".*pcstudio*") }, QDir::Files | QDir::Hidden),
        QStringList());
}

QTEST_GUILESS_MAIN(TestQueueExport)
#include "tst_queueexport.moc"
