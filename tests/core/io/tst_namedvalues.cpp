// text,tokens / text,tau / text,estimate tables.
#include "core/io/namedvalues.h"
#include "tests/common/testdata.h"

#include <QTest>

using namespace pcs;
using pcs::test::writeFile;

class TestNamedValues : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void reads();
    void tsvAndExtraColumns();
    void errors_data();
    void errors();
};

void TestNamedValues::reads()
{
    QTemporaryDir dir;
    const QString path
        = writeFile(dir, QStringLiteral("tokens.csv"),
                    "\xEF\xBB\xBFtext,tokens\r\n\" a, b\",1200\r\n\r\nc, 3.5e3 \r\nd,0");
    const auto table = loadNamedValues(path, QStringLiteral("text"), QStringLiteral("tokens"));
    QVERIFY2(table.ok(), qPrintable(table.ok() ? QString() : table.error().toString()));
    QCOMPARE(table->names,
             QStringList({ QStringLiteral(" a, b"), QStringLiteral("c"), QStringLiteral("d") }));
    QCOMPARE(table->values, std::vector<double>({ 1200, 3500, 0 }));
}

void TestNamedValues::tsvAndExtraColumns()
{
    QTemporaryDir dir;
    const QString path = writeFile(dir, QStringLiteral("estimate.tsv"),
                                   "rank\testimate\ttext\tnote\n1\t0.25\tx\tfoo\n2\t-0.5\ty\t\n");
    const auto table = loadNamedValues(path, QStringLiteral("text"), QStringLiteral("estimate"));
    QVERIFY2(table.ok(), qPrintable(table.ok() ? QString() : table.error().toString()));
    QCOMPARE(table->names, QStringList({ QStringLiteral("x"), QStringLiteral("y") }));
    QCOMPARE(table->values, std::vector<double>({ 0.25, -0.5 }));
}

void TestNamedValues::errors_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<qint64>("line");
    QTest::addColumn<qint64>("column");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("missing column") << QByteArray("text,count\nx,1\n") << qint64(1) << qint64(0)
                                    << "expected columns \"text\" and \"tau\"; the header has: "
                                       "\"text\", \"count\"";
    QTest::newRow("non-numeric") << QByteArray("text,tau\nx,1\ny,abc\n") << qint64(3) << qint64(2)
                                 << "not a number";
    QTest::newRow("inf") << QByteArray("text,tau\nx,inf\n") << qint64(2) << qint64(2) << "infinite";
    QTest::newRow("NaN") << QByteArray("text,tau\nx,NaN\n") << qint64(2) << qint64(2)
                         << "missing tau value";
    QTest::newRow("empty value") << QByteArray("text,tau\nx,\n") << qint64(2) << qint64(2)
                                 << "missing tau value";
    QTest::newRow("duplicate") << QByteArray("text,tau\nx,1\ny,2\nx,3\n") << qint64(4) << qint64(1)
                               << "duplicate name \"x\" (first on line 2)";
    QTest::newRow("empty name") << QByteArray("tau,text\n1,\n") << qint64(2) << qint64(2)
                                << "empty name";
    QTest::newRow("ragged") << QByteArray("text,tau\nx,1,2\n") << qint64(2) << qint64(3)
                            << "expected 2 fields";
    QTest::newRow("header only") << QByteArray("text,tau\n") << qint64(1) << qint64(0)
                                 << "only a header";
    QTest::newRow("empty file") << QByteArray() << qint64(1) << qint64(0) << "empty";
    QTest::newRow("invalid UTF-8")
        << QByteArray("text,tau\n\xff,1\n") << qint64(2) << qint64(1) << "invalid UTF-8";
}

void TestNamedValues::errors()
{
    QFETCH(QByteArray, contents);
    QFETCH(qint64, line);
    QFETCH(qint64, column);
    QFETCH(QString, phrase);
    QTemporaryDir dir;
    const QString path = writeFile(dir, QStringLiteral("tau.csv"), contents);
    const auto table = loadNamedValues(path, QStringLiteral("text"), QStringLiteral("tau"));
    QVERIFY(!table.ok());
    QCOMPARE(table.error().file, path);
    QCOMPARE(table.error().line, line);
    QCOMPARE(table.error().column, column);
    QVERIFY2(table.error().reason.contains(phrase), qPrintable(table.error().reason));
}

QTEST_GUILESS_MAIN(TestNamedValues)
#include "tst_namedvalues.moc"
