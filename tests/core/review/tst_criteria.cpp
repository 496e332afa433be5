// Criteria files: the shipped default loads and is sensible, bad files give located errors, and
// toJson()/save() round-trip through load().

#include "core/review/criteria.h"

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using pcs::Criteria;
using pcs::FewShotExample;

namespace {

const QString kDefaultCriteriaPath
    = QStringLiteral(PCSTUDIO_SOURCE_DIR "/resources/criteria/deceptive-content.json");

}  // namespace

class TestCriteria : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaultCriteriaLoad()
    {
        const pcs::Result<Criteria> criteria = Criteria::load(kDefaultCriteriaPath);
        QVERIFY2(criteria.ok(), qPrintable(criteria ? QString() : criteria.error().toString()));
        QCOMPARE(criteria->name, QStringLiteral("Deceptive content"));
        for (const char *topic : { "urgency", "Impersonation", "statistics", "Clickbait", "Scams" })
            QVERIFY2(criteria->principles.contains(QLatin1String(topic)), topic);
        QVERIFY(criteria->examples.size() >= 4 && criteria->examples.size() <= 6);
        int lowest = 100;
        int highest = 0;
        for (const FewShotExample &example : criteria->examples) {
            QVERIFY(!example.text.isEmpty());
            QVERIFY(!example.reasoning.isEmpty());
            lowest = std::min(lowest, example.score);
            highest = std::max(highest, example.score);
        }
        // The examples span the scale, so the model sees both ends and the middle.
        QVERIFY(lowest <= 10);
        QVERIFY(highest >= 90);
        QVERIFY(!criteria->revisionGuidance.isEmpty());
    }

    void invalidFiles_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expectedReason");
        QTest::addColumn<qint64>("expectedLine");

        const QByteArray valid = R"({"name": "n", "principles": "p", "examples": [)"
                                 R"({"text": "t", "score": 10, "reasoning": "r"}]})";
        QTest::newRow("syntax") << QByteArray("{\n  \"name\": \"n\",\n  \"principles\" \"p\"\n}")
                                << QStringLiteral("invalid JSON") << qint64(3);
        QTest::newRow("not an object")
            << QByteArray("[1, 2]") << QStringLiteral("top level must be a JSON object")
            << qint64(0);
        QTest::newRow("missing name") << QByteArray(R"({"principles": "p"})")
                                      << QStringLiteral("name is missing") << qint64(0);
        QTest::newRow("empty principles")
            << QByteArray(R"({"name": "n", "principles": "  "})")
            << QStringLiteral("principles must not be empty") << qint64(0);
        QTest::newRow("name not a string") << QByteArray(R"({"name": 3, "principles": "p"})")
                                           << QStringLiteral("name must be a string") << qint64(0);
        QTest::newRow("unknown key")
            << QByteArray(R"({"name": "n", "principles": "p", "exmples": []})")
            << QStringLiteral("exmples is not a known key") << qint64(0);
        QTest::newRow("examples not an array")
            << QByteArray(R"({"name": "n", "principles": "p", "examples": {}})")
            << QStringLiteral("examples must be an array") << qint64(0);
        QByteArray badScore = valid;
        badScore.replace(
            "]}",
            R"(, {"text": "a", "score": 1, "reasoning": "b"}, {"text": "c", "score": 101, "reasoning": "d"}]})");
        QTest::newRow("score too high")
            << badScore << QStringLiteral("examples[2].score must be an integer 0–100")
            << qint64(0);
        QByteArray fractional = valid;
        fractional.replace("10", "10.5");
        QTest::newRow("fractional score")
            << fractional << QStringLiteral("examples[0].score must be an integer 0–100")
            << qint64(0);
        QByteArray textScore = valid;
        textScore.replace("10", "\"10\"");
        QTest::newRow("score as text")
            << textScore << QStringLiteral("examples[0].score must be an integer 0–100")
            << qint64(0);
        QByteArray noReasoning = valid;
        noReasoning.replace(R"(, "reasoning": "r")", "");
        QTest::newRow("missing reasoning")
            << noReasoning << QStringLiteral("examples[0].reasoning is missing") << qint64(0);
        QByteArray extraExampleKey = valid;
        extraExampleKey.replace(R"("score": 10)", R"("score": 10, "label": "x")");
        QTest::newRow("unknown example key")
            << extraExampleKey << QStringLiteral("examples[0].label is not a known key")
            << qint64(0);
        QTest::newRow("guidance not a string")
            << QByteArray(R"({"name": "n", "principles": "p", "revision_guidance": []})")
            << QStringLiteral("revision_guidance must be a string") << qint64(0);
    }

    void invalidFiles()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expectedReason);
        QFETCH(qint64, expectedLine);
        QTemporaryDir directory;
        QVERIFY(directory.isValid());
        const QString path = directory.filePath(QStringLiteral("criteria.json"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(json);
        file.close();

        const pcs::Result<Criteria> criteria = Criteria::load(path);
        QVERIFY(!criteria.ok());
        QCOMPARE(criteria.error().kind, pcs::ErrorKind::BadInput);
        QCOMPARE(criteria.error().file, path);
        QVERIFY2(criteria.error().reason.contains(expectedReason),
                 qPrintable(criteria.error().toString()));
        QCOMPARE(criteria.error().line, expectedLine);
    }

    void missingFile()
    {
        const pcs::Result<Criteria> criteria
            = Criteria::load(QStringLiteral("/nonexistent/c.json"));
        QVERIFY(!criteria.ok());
        QCOMPARE(criteria.error().file, QStringLiteral("/nonexistent/c.json"));
    }

    void roundTrip()
    {
        const pcs::Result<Criteria> original = Criteria::load(kDefaultCriteriaPath);
        QVERIFY(original.ok());
        QTemporaryDir directory;
        const QString path = directory.filePath(QStringLiteral("copy.json"));
        QVERIFY(original->save(path).ok());
        const pcs::Result<Criteria> copy = Criteria::load(path);
        QVERIFY2(copy.ok(), qPrintable(copy ? QString() : copy.error().toString()));
        QVERIFY(*copy == *original);

        // Without examples or guidance too, and with text that needs escaping.
        Criteria minimal;
        minimal.name = QStringLiteral("Tone \"polite\"");
        minimal.principles = QStringLiteral("No insults.\nNo shouting — ever.");
        const pcs::Result<Criteria> reparsed = Criteria::fromJson(
            QJsonDocument(minimal.toJson()).toJson(QJsonDocument::Compact), QStringLiteral("mem"));
        QVERIFY(reparsed.ok());
        QVERIFY(*reparsed == minimal);
        QVERIFY(!minimal.toJson().contains(QStringLiteral("revision_guidance")));
    }
};

QTEST_GUILESS_MAIN(TestCriteria)
#include "tst_criteria.moc"
