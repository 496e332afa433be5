// Every kind of bad BPB input gives an error naming the file, the line, the column and why.
#include "core/io/benchmarkerrors.h"
#include "core/io/bpbblocksource.h"
#include "core/io/bpbloader.h"
#include "core/io/namedvalues.h"
#include "tests/common/testdata.h"
#include "tests/core/io/npytestfile.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <chrono>
#include <cmath>
#include <future>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace pcs;
using pcs::test::writeFile;

class TestLoadErrors : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void badInput_data();
    void badInput();
    void missingIsNotAnError();
    void negativeGivesOneWarning();
    void nonexistentPath();
    void directoryPath();
    void explicitLayoutMismatch_data();
    void explicitLayoutMismatch();
    void specialFilesAreNotOpened_data();
    void specialFilesAreNotOpened();
    void contentIsDescribedNotEchoed_data();
    void contentIsDescribedNotEchoed();
    void namesFilesInAnotherFolderAreNamedInFull();

private:
    QTemporaryDir m_dir;
};

namespace {

Eigen::MatrixXd twoByThree()
{
    Eigen::MatrixXd m(2, 3);
    m << 1, 2, 3, 4, 5, 6;
    return m;
}

const QByteArray kTexts = "t1\nt2\nt3\n";
const QByteArray kLlms = "a\nb\n";

}  // namespace

void TestLoadErrors::badInput_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QByteArray>("texts");  // for .npy: texts file (empty = none)
    QTest::addColumn<QByteArray>("llms");  // for .npy: LLMs file
    QTest::addColumn<QString>("errorFile");  // which file the error names
    QTest::addColumn<qint64>("line");
    QTest::addColumn<qint64>("column");
    QTest::addColumn<QString>("phrase");

    const QString csv = QStringLiteral("bpb.csv");
    const QByteArray none;
    auto row = [&](const char *name, const QByteArray &contents, qint64 line, qint64 column,
                   const char *phrase) {
        QTest::newRow(name) << csv << contents << none << none << csv << line << column
                            << QString::fromUtf8(phrase);
    };
    row("empty file", "", 1, 0, "file is empty");
    row("only blank lines", "  \n\r\n", 1, 0, "empty");
    row("header only", "id,a,b\n", 1, 0, "only a header");
    row("header only after blank lines", "\n\nid,a,b\n\n", 3, 0, "only a header");
    row("ragged row, too few", "id,a,b\nx,1,2\ny,1\n", 3, 3, "expected 3 fields");
    row("ragged row, too many", "id,a,b\nx,1,2,3\n", 2, 4, "found 4");
    row("ragged label-only row", "id,a,b\nx\n", 2, 2, "found 1");
    row("non-numeric cell", "id,a,b\nx,1,abc\n", 2, 3, "not a number: \"abc\"");
    row("number with junk", "id,a,b\nx,1.5x,1\n", 2, 2, "not a number: \"1.5x\"");
    row("long junk is truncated", "id,a\nx," + QByteArray(500, 'z') + "\n", 2, 2, "zzz…");
    row("inf", "id,a,b\nx,inf,1\n", 2, 2, "infinite value \"inf\"");
    row("-inf", "id,a,b\nx,1,-inf\n", 2, 3, "infinite value");
    row("Infinity", "id,a,b\nx,1,Infinity\n", 2, 3, "infinite value");
    row("out of range", "id,a\nx,1e999\n", 2, 2, "out of range");
    row("hex is not a number", "id,a\nx,0x10\n", 2, 2, "not a number");
    row("duplicate LLM", "id,a,b,a\nx,1,2,3\n", 1, 4,
        "duplicate LLM name \"a\" (also in column 2)");
    row("duplicate label column", "domain,id,a,domain\nd,x,1,e\n", 1, 4,
        "duplicate column \"domain\" (also column 1)");
    row("empty LLM name", "id,a,,b\nx,1,2,3\n", 1, 3, "empty LLM name");
    row("duplicate text", "id,a\nx,1\ny,2\nx,3\n", 4, 1,
        "duplicate text name \"x\" (first on line 2)");
    row("duplicate text across CRLF and blank lines", "id,a\r\nx,1\r\n\r\ny,2\r\nx,3\r\n", 5, 1,
        "first on line 2");
    row("empty text name", "id,a\n,1\n", 2, 1, "empty text name");
    row("invalid UTF-8 in header", "id,a\xff\n", 1, 2, "invalid UTF-8");
    row("invalid UTF-8 in label", "id,a\nok,1\nx\xc3(,1\n", 3, 1, "invalid UTF-8");
    row("overlong UTF-8 in label", "id,a\n\xc0\xaf,1\n", 2, 1, "invalid UTF-8");
    row("invalid UTF-8 in extra label", "domain,id,a\n\xed\xa0\x80,x,1\n", 2, 1, "invalid UTF-8");
    row("unterminated quote (truncated)", "id,a\nx,1\n\"y,2\n", 3, 1, "unterminated quoted field");
    row("unterminated quote in header", "id,\"a\n", 1, 2, "unterminated quoted field");
    row("stray quote", "id,a\nx\"y,1\n", 2, 1, "stray quote");
    row("text after closing quote", "id,a\n\"x\"y,1\n", 2, 1, "after the closing quote");
    row("error after multi-line label", "id,a\n\"x\ny\",1\nz,bad\n", 4, 2, "not a number");
    row("error line with CRLF", "id,a\r\nx,1\r\ny,bad\r\n", 3, 2, "not a number");
    row("unknown layout", "foo,bar\n1,2\n", 1, 0, "cannot tell the layout");
    row("only labels, no LLM", "id,domain\nx,y\n", 1, 0, "no LLM columns");
    row("long: duplicate pair", "llm,text,bpb\na,x,1\nb,x,2\na,x,3\n", 4, 0,
        "duplicate value for LLM \"a\" and text \"x\" (first on line 2)");
    row("long: ragged", "llm,text,bpb\na,x\n", 2, 3, "expected 3 fields");
    row("long: bad value", "text,llm,bpb\nx,a,-\n", 2, 3, "not a number");
    row("long: empty llm", "llm,text,bpb\n,x,1\n", 2, 1, "empty LLM name");
    row("long: header only", "llm,text,bpb\n", 1, 0, "only a header");
    row("llm rows: duplicate LLM", "llm,t1,t2\na,1,2\nb,1,2\na,3,4\n", 4, 1,
        "duplicate LLM name \"a\" (first on line 2)");
    row("llm rows: duplicate text", "llm,t1,t2,t1\na,1,2,3\n", 1, 4, "duplicate text name");
    row("llm rows: bad cell", "model,t1,t2\na,1,x\n", 2, 3, "not a number");
    row("llm rows: ragged", "model,t1,t2\na,1,2,3\n", 2, 4, "expected 3 fields");

    // .npy: dtype, shape and size problems, and the names files.
    const QString npy = QStringLiteral("bpb.npy");
    const QString textsFile = QStringLiteral("texts.txt");
    const QString llmsFile = QStringLiteral("llms.txt");
    const QByteArray f8 = pcs::test::npyData(twoByThree(), false, false);
    auto npyRow
        = [&](const char *name, const QByteArray &contents, const QByteArray &texts,
              const QByteArray &llms, const QString &file, qint64 line, const char *phrase) {
              // Names files have one field per line: an error on a line is in column 1.
              QTest::newRow(name) << npy << contents << texts << llms << file << line
                                  << qint64(line > 0 ? 1 : 0) << QString::fromUtf8(phrase);
          };
    using pcs::test::npyFile;
    npyRow("npy: int64", npyFile("<i8", false, { 2, 3 }, f8), kTexts, kLlms, npy, 0,
           "unsupported dtype '<i8'");
    npyRow("npy: big-endian", npyFile(">f8", false, { 2, 3 }, f8), kTexts, kLlms, npy, 0,
           "big-endian dtype '>f8'");
    npyRow("npy: object", npyFile("|O", false, { 2, 3 }, f8), kTexts, kLlms, npy, 0,
           "unsupported dtype '|O'");
    npyRow("npy: float16", npyFile("<f2", false, { 2, 3 }, f8), kTexts, kLlms, npy, 0,
           "unsupported dtype '<f2'");
    npyRow("npy: 1-D", npyFile("<f8", false, { 6 }, f8), kTexts, kLlms, npy, 0, "found shape (6,)");
    npyRow("npy: empty array", npyFile("<f8", false, { 0, 3 }, {}), kTexts, kLlms, npy, 0,
           "empty array (shape (0, 3))");
    npyRow("npy: 3-D", npyFile("<f8", false, { 1, 2, 3 }, f8), kTexts, kLlms, npy, 0, "2-D");
    npyRow("npy: truncated", npyFile("<f8", false, { 2, 3 }, f8.left(40)), kTexts, kLlms, npy, 0,
           "truncated .npy file");
    npyRow("npy: trailing bytes", npyFile("<f8", false, { 2, 3 }, f8 + "xx"), kTexts, kLlms, npy, 0,
           "2 unexpected bytes");
    npyRow("npy: truncated header", QByteArray("\x93NUMPY\x01\x00\x76\x00{'descr'", 17), kTexts,
           kLlms, npy, 0, "truncated .npy header");
    npyRow("npy: not npy", "id,a\nx,1\n", kTexts, kLlms, npy, 0, "not a NumPy .npy file");
    npyRow("npy: bad version", QByteArray("\x93NUMPY\x07\x00\x00\x00", 10), kTexts, kLlms, npy, 0,
           "unsupported .npy format version 7.0");
    npyRow("npy: malformed header",
           npyFile("<f8", false, { 2, 3 }, f8).replace("'shape'", "@shape@"), kTexts, kLlms, npy, 0,
           "malformed .npy header");
    npyRow("npy: too few texts", npyFile("<f8", false, { 2, 3 }, f8), "t1\nt2\n", kLlms, textsFile,
           0, "has 2 text names, but bpb.npy has shape (2, 3): expected 3");
    npyRow("npy: too many LLMs", npyFile("<f8", false, { 2, 3 }, f8), kTexts, "a\nb\nc\n", llmsFile,
           0, "has 3 LLM names");
    npyRow("npy: swapped shape", npyFile("<f8", false, { 3, 2 }, f8), kTexts, kLlms, textsFile, 0,
           "expected 2");
    npyRow("npy: no names files", npyFile("<f8", false, { 2, 3 }, f8), none, none, npy, 0,
           "needs a file of text names");
    npyRow("npy: duplicate text name", npyFile("<f8", false, { 2, 3 }, f8), "t1\nt2\nt1\n", kLlms,
           textsFile, 3, "duplicate text name \"t1\" (first on line 1)");
    npyRow("npy: empty name in the middle", npyFile("<f8", false, { 2, 3 }, f8), "t1\n\nt3\n",
           kLlms, textsFile, 2, "empty text name");
    npyRow("npy: invalid UTF-8 name", npyFile("<f8", false, { 2, 3 }, f8), kTexts, "a\n\xfe\n",
           llmsFile, 2, "invalid UTF-8");
    npyRow("npy: empty names file", npyFile("<f8", false, { 2, 3 }, f8), kTexts, "\n", llmsFile, 0,
           "no LLM names");
    Eigen::MatrixXd infinite = twoByThree();
    infinite(1, 2) = -std::numeric_limits<double>::infinity();
    npyRow("npy: infinite value", pcs::test::npyMatrix(infinite, true, false), kTexts, kLlms, npy,
           0, "infinite value at LLM \"b\" (row 2), text \"t3\" (column 3)");
}

void TestLoadErrors::badInput()
{
    QFETCH(QString, fileName);
    QFETCH(QByteArray, contents);
    QFETCH(QByteArray, texts);
    QFETCH(QByteArray, llms);
    QFETCH(QString, errorFile);
    QFETCH(qint64, line);
    QFETCH(qint64, column);
    QFETCH(QString, phrase);

    QTemporaryDir dir;
    const QString path = writeFile(dir, fileName, contents);
    BpbLoadOptions options;
    if (!texts.isNull())
        options.textsFile = writeFile(dir, QStringLiteral("texts.txt"), texts);
    if (!llms.isNull())
        options.llmsFile = writeFile(dir, QStringLiteral("llms.txt"), llms);
    for (const int threads : { 1, 2 }) {
        options.threads = threads;
        options.chunkBytes = threads == 1 ? 0 : 4;  // tiny chunks: every row its own
        const auto result = loadBpbMatrix(path, options);
        QVERIFY2(!result.ok(), "expected an error");
        const Error &error = result.error();
        QCOMPARE(error.kind, ErrorKind::BadInput);
        QCOMPARE(error.file, dir.filePath(errorFile));
        QCOMPARE(error.line, line);
        QCOMPARE(error.column, column);
        QVERIFY2(error.reason.contains(phrase), qPrintable(error.reason));
        QVERIFY(error.toString().startsWith(error.file));
        // The streamed reader of text-rows files gives the loader's error, word for word.
        if (fileName.endsWith(QLatin1String(".csv")) && io::isBlockReadableBpb(path, options)) {
            auto streamed = io::openBpbBlockSource(path, options, true);
            QVERIFY2(!streamed.ok(), "expected the streamed reader to fail too");
            QCOMPARE(streamed.error().toString(), error.toString());
        }
    }
}

void TestLoadErrors::missingIsNotAnError()
{
    const QString path = writeFile(m_dir, QStringLiteral("missing.csv"),
                                   "id,a,b\nx,NaN,\ny,NA,N/A\nz,nan, 0.5 \n");
    const auto result = loadBpbMatrix(path);
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
    QCOMPARE(result->values.array().isNaN().count(), 5);
    QCOMPARE(result->values(1, 2), 0.5);
    QVERIFY(result->warnings.isEmpty());
}

void TestLoadErrors::negativeGivesOneWarning()
{
    const QString path = writeFile(m_dir, QStringLiteral("negative.csv"),
                                   "id,a,b\nx,0.5,0.5\ny,-0.25,1\nz,1,-2\n");
    const auto result = loadBpbMatrix(path);
    QVERIFY(result.ok());
    QCOMPARE(result->values(0, 1), -0.25);
    QCOMPARE(result->warnings.size(), 1);
    const Error &warning = result->warnings.first();
    QCOMPARE(warning.file, path);
    QCOMPARE(warning.line, qint64(3));
    QCOMPARE(warning.column, qint64(2));
    QVERIFY2(warning.reason.startsWith(QLatin1String("2 negative")), qPrintable(warning.reason));

    // The same for .npy, where the location is the LLM and text.
    Eigen::MatrixXd m = twoByThree();
    m(1, 0) = -1;
    BpbLoadOptions options;
    options.textsFile = writeFile(m_dir, QStringLiteral("t.txt"), kTexts);
    options.llmsFile = writeFile(m_dir, QStringLiteral("l.txt"), kLlms);
    const auto npy = loadBpbMatrix(
        writeFile(m_dir, QStringLiteral("neg.npy"), pcs::test::npyMatrix(m, false, false)),
        options);
    QVERIFY(npy.ok());
    QCOMPARE(npy->warnings.size(), 1);
    QVERIFY2(npy->warnings.first().reason.contains(QLatin1String("LLM \"b\"")),
             qPrintable(npy->warnings.first().reason));
}

void TestLoadErrors::nonexistentPath()
{
    for (const char *name : { "nothing.csv", "nothing.npy" }) {
        const QString path = m_dir.filePath(QLatin1String(name));
        const auto result = loadBpbMatrix(path);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().file, path);
        QVERIFY(result.error().reason.contains(QLatin1String("does not exist")));
    }
}

void TestLoadErrors::directoryPath()
{
    const auto result = loadBpbMatrix(m_dir.path());
    QVERIFY(!result.ok());
    QCOMPARE(result.error().file, m_dir.path());
    QVERIFY(result.error().reason.contains(QLatin1String("directory")));
}

void TestLoadErrors::explicitLayoutMismatch_data()
{
    QTest::addColumn<QString>("layout");
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("text-rows without label")
        << "text-rows" << QByteArray("llm,a\nx,1\n") << "not a text-rows BPB file";
    QTest::newRow("llm-rows without llm")
        << "llm-rows" << QByteArray("id,a\nx,1\n") << "first column must be named llm or model";
    QTest::newRow("long with 4 columns")
        << "long" << QByteArray("llm,text,bpb,x\na,b,1,2\n") << "exactly llm,text,bpb";
    QTest::newRow("text column missing")
        << "text-rows" << QByteArray("id,a\nx,1\n") << "no column named \"name\"";
}

void TestLoadErrors::explicitLayoutMismatch()
{
    QFETCH(QString, layout);
    QFETCH(QByteArray, contents);
    QFETCH(QString, phrase);
    BpbLoadOptions options;
    QVERIFY(bpbLayoutFromName(layout, &options.layout));
    if (QByteArray(QTest::currentDataTag()) == "text column missing")
        options.textColumn = QStringLiteral("name");
    const QString path = writeFile(m_dir, QStringLiteral("mismatch.csv"), contents);
    const auto result = loadBpbMatrix(path, options);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().file, path);
    QCOMPARE(result.error().line, qint64(1));
    QVERIFY2(result.error().reason.contains(phrase), qPrintable(result.error().reason));
}

namespace {

// The loaders a path can be given to, by name.
Error loadWith(const QString &loader, const QString &path, const QTemporaryDir &dir)
{
    auto errorOf = [](const auto &result) {
        return result.ok() ? Error::internal(QStringLiteral("no error")) : result.error();
    };
    if (loader == QLatin1String("bpb"))
        return errorOf(loadBpbMatrix(path));
    if (loader == QLatin1String("npy names")) {
        BpbLoadOptions options;
        options.textsFile = path;
        options.llmsFile = writeFile(dir, QStringLiteral("names-llms.txt"), kLlms);
        return errorOf(loadBpbMatrix(writeFile(dir, QStringLiteral("names.npy"),
                                               pcs::test::npyMatrix(twoByThree(), false, false)),
                                     options));
    }
    if (loader == QLatin1String("errors"))
        return errorOf(loadBenchmarkErrors(path));
    return errorOf(loadNamedValues(path, QStringLiteral("text"), QStringLiteral("tokens")));
}

const QStringList kLoaders { QStringLiteral("bpb"), QStringLiteral("npy names"),
                             QStringLiteral("errors"), QStringLiteral("named values") };

}  // namespace

// A FIFO, a device or a folder where a file is expected is refused from stat() alone: opening a
// FIFO for reading would block the load until some writer appeared.
void TestLoadErrors::specialFilesAreNotOpened_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("loader");
    QTest::addColumn<QString>("phrase");
    for (const QString &loader : kLoaders) {
        for (const QString &suffix : { QStringLiteral(""), QStringLiteral(".npy") }) {
            if (!suffix.isEmpty() && loader != QLatin1String("bpb"))
                continue;
            QTest::addRow("FIFO%s, %s", qPrintable(suffix), qPrintable(loader))
                << QStringLiteral("fifo") + suffix << loader
                << QStringLiteral("not a regular file (a FIFO)");
            QTest::addRow("device, %s", qPrintable(loader))
                << QStringLiteral("device") << loader
                << QStringLiteral("not a regular file (a character device)");
            if (loader != QLatin1String("errors"))  // a folder of lm-eval results is fine there
                QTest::addRow("folder%s, %s", qPrintable(suffix), qPrintable(loader))
                    << QStringLiteral("folder") + suffix << loader
                    << QStringLiteral("not a regular file (a directory)");
        }
    }
}

void TestLoadErrors::specialFilesAreNotOpened()
{
    QFETCH(QString, kind);
    QFETCH(QString, loader);
    QFETCH(QString, phrase);
    QTemporaryDir dir;
    QString path = dir.filePath(kind);
    if (kind.startsWith(QLatin1String("fifo")))
        QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
    else if (kind.startsWith(QLatin1String("folder")))
        QVERIFY(QDir().mkdir(path));
    else
        path = QStringLiteral("/dev/null");
    auto load = std::async(std::launch::async, [&] { return loadWith(loader, path, dir); });
    if (load.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
        // It opened the FIFO and blocks there: a writer that closes at once releases it.
        const int writer = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_NONBLOCK);
        if (writer >= 0)
            ::close(writer);
        load.wait();
        QFAIL("the loader opened a FIFO and blocked");
    }
    const Error error = load.get();
    QCOMPARE(error.kind, ErrorKind::BadInput);
    QCOMPARE(error.file, path);
    QVERIFY2(error.reason.contains(phrase), qPrintable(error.toString()));
}

// Files of the wrong kind are described ("a PNG image", "NUL bytes", "not UTF-8 text"), and none
// of their bytes appear in the message.
void TestLoadErrors::contentIsDescribedNotEchoed_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("loader");
    QTest::addColumn<QString>("phrase");
    const QByteArray marker = "SECRET_7f3a";
    QByteArray highBytes;
    for (int i = 0; i < 300; ++i)
        highBytes += char(0x80 + (i * 37) % 0x7F);
    const struct {
        const char *name;
        QByteArray contents;
        const char *phrase;
        bool textLoadersOnly;  // JSON and HTML are text: a names file may hold such lines
    } kinds[] = {
        { "PNG", QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + marker + ",x\n",
          "it looks like a PNG image", false },
        { "NUL bytes", marker + QByteArray(",a\n\0\x01\x02\x03,1\n", 11), "it contains NUL bytes",
          false },
        { "not UTF-8", marker + ",a\n" + highBytes + "\n", "it is not UTF-8 text", false },
        { "UTF-16", QByteArray("\xFF\xFEi\0d\0,\0", 8) + marker, "UTF-16 text", false },
        { "gzip", QByteArray("\x1F\x8B\x08\0", 4) + marker, "gzip-compressed", false },
        { "HTML", "<!DOCTYPE html>\n<html><title>" + marker + ",x</title>\n",
          "HTML or XML document", true },
        { "JSON", "{\"" + marker + "\": [1, 2]}\n", "it looks like JSON", true },
        { "prose", "This is not a table but " + marker + " and more words\n1\n",
          "does not look like a column name", true },
    };
    for (const auto &kind : kinds) {
        for (const QString &loader : kLoaders) {
            if (kind.textLoadersOnly && loader == QLatin1String("npy names"))
                continue;
            // The errors loader reads JSON as lm-evaluation-harness results (tested elsewhere).
            if (loader == QLatin1String("errors") && QByteArray(kind.name) == "JSON")
                continue;
            QTest::addRow("%s, %s", kind.name, qPrintable(loader))
                << kind.contents << loader << QString::fromLatin1(kind.phrase);
        }
        QTest::addRow("%s, as .npy", kind.name)
            << kind.contents << QStringLiteral("bpb .npy")
            << QString::fromLatin1(kind.textLoadersOnly ? "looks like text" : kind.phrase);
    }
    // A CSV header's names are shown, but escaped: never raw terminal escapes or bad bytes.
    QTest::addRow("invalid byte in a header, bpb")
        << QByteArray("id,caf\xe9\n") << QStringLiteral("bpb")
        << QStringLiteral("invalid UTF-8 in column name \"caf\\xe9\"");
    QTest::addRow("escape sequences in a header, bpb")
        << QByteArray("foo,\x1b]0;title\x07"
                      "bar\n1,2\n")
        << QStringLiteral("bpb") << QStringLiteral("\"\\x1b]0;title\\x07bar\"");
}

void TestLoadErrors::contentIsDescribedNotEchoed()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, loader);
    QFETCH(QString, phrase);
    QTemporaryDir dir;
    const bool npy = loader == QLatin1String("bpb .npy");
    const QString path
        = writeFile(dir, npy ? QStringLiteral("input.npy") : QStringLiteral("input.csv"), contents);
    const Error error = loadWith(npy ? QStringLiteral("bpb") : loader, path, dir);
    QCOMPARE(error.kind, ErrorKind::BadInput);
    QCOMPARE(error.file, path);
    const QString message = error.toString();
    QVERIFY2(message.contains(phrase), qPrintable(message));
    QVERIFY2(!message.contains(QLatin1String("SECRET")), qPrintable(message));
    for (const QChar c : message)
        QVERIFY2(c.unicode() >= 0x20 && c != QChar(0x7F) && c != QChar::ReplacementCharacter,
                 qPrintable(message));
}

// When the names files are not beside the matrix, a mismatch names both files in full.
void TestLoadErrors::namesFilesInAnotherFolderAreNamedInFull()
{
    QTemporaryDir dir;
    const QString npy = writeFile(dir, QStringLiteral("m/bpb.npy"),
                                  pcs::test::npyMatrix(twoByThree(), false, false));
    BpbLoadOptions options;
    options.textsFile = writeFile(dir, QStringLiteral("names/texts.txt"), "t1\nt2\n");
    options.llmsFile = writeFile(dir, QStringLiteral("names/llms.txt"), kLlms);
    const auto result = loadBpbMatrix(npy, options);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().file, options.textsFile);
    QVERIFY2(result.error().reason.contains(QStringLiteral("has 2 text names, but %1 has shape "
                                                           "(2, 3): expected 3")
                                                .arg(npy)),
             qPrintable(result.error().reason));
}

QTEST_GUILESS_MAIN(TestLoadErrors)
#include "tst_loaderrors.moc"
