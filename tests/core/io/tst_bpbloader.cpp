// The BPB loader reads every layout into the same matrix, exactly.
#include "core/io/bpbloader.h"
#include "tests/common/testdata.h"
#include "tests/core/io/npytestfile.h"

#include <QTest>

#include <charconv>
#include <cmath>
#include <random>

using namespace pcs;
using pcs::test::writeFile;

namespace {

// 3 LLMs x 4 texts; the values are exact in float32 too, so every format can be compared bitwise.
Eigen::MatrixXd referenceValues()
{
    Eigen::MatrixXd m(3, 4);
    m << 0.5, 0.75, 1.25, 2.0,  //
        0.625, 1.5, 0.875, 1.0,  //
        1.125, 0.25, 3.5, 0.0625;
    return m;
}

const QStringList kLlms = { QStringLiteral("('fam', 'org/a')"), QStringLiteral("('fam', 'org/b')"),
                            QStringLiteral("llm c") };
const QStringList kTexts = { QStringLiteral("t1"), QStringLiteral(" t 2"), QStringLiteral("t,3"),
                             QStringLiteral("t\"4") };

QByteArray csvQuote(const QString &s)
{
    QString q = s;
    q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return "\"" + q.toUtf8() + "\"";
}

QByteArray num(double v)
{
    char buffer[64];
    const auto end
        = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::general, 17);
    return QByteArray(buffer, end.ptr - buffer);
}

QByteArray textRowsCsv(const Eigen::MatrixXd &m, const QStringList &llms, const QStringList &texts,
                       char sep = ',')
{
    QByteArray out = "id";
    for (const QString &llm : llms)
        out += sep + csvQuote(llm);
    out += '\n';
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
        out += csvQuote(texts[j]);
        for (Eigen::Index i = 0; i < m.rows(); ++i)
            out += sep + num(m(i, j));
        out += '\n';
    }
    return out;
}

Result<BpbMatrix> load(const QString &path, BpbLoadOptions options = {})
{
    return loadBpbMatrix(path, options);
}

void expectReference(const Result<BpbMatrix> &result, BpbLayout layout)
{
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
    QCOMPARE(result->layout, layout);
    QCOMPARE(result->llms, kLlms);
    QCOMPARE(result->texts, kTexts);
    QVERIFY(pcs::test::sameBits(result->values, referenceValues()));
    QVERIFY(result->warnings.isEmpty());
}

}  // namespace

class TestBpbLoader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void layoutNames();
    void textRows();
    void tsvAndDelimiterOverride();
    void llmRows();
    void longLayout();
    void npy_data();
    void npy();
    void npyNamesBesideFile();
    void quoting();
    void crlfAndBom();
    void labelColumns();
    void missingValues();
    void roundTrip17Digits();
    void parallelEqualsSequential_data();
    void parallelEqualsSequential();
    void llmRowsParallel();
    void errorLineAcrossChunks();
    void progressAndCancel();
    void upstreamFile();

private:
    QTemporaryDir m_dir;
};

void TestBpbLoader::layoutNames()
{
    for (const QString &name : bpbLayoutNames()) {
        BpbLayout layout = BpbLayout::Auto;
        QVERIFY(bpbLayoutFromName(name, &layout));
        QCOMPARE(bpbLayoutName(layout), name);
    }
    QCOMPARE(bpbLayoutName(BpbLayout::TextRows), QStringLiteral("text-rows"));
    BpbLayout layout = BpbLayout::Auto;
    QVERIFY(bpbLayoutFromName(QStringLiteral("llm-rows"), &layout));
    QCOMPARE(layout, BpbLayout::LlmRows);
    QVERIFY(!bpbLayoutFromName(QStringLiteral("columns"), &layout));
}

void TestBpbLoader::textRows()
{
    const QString path = writeFile(m_dir, QStringLiteral("rows.csv"),
                                   textRowsCsv(referenceValues(), kLlms, kTexts));
    expectReference(load(path), BpbLayout::TextRows);
    BpbLoadOptions options;
    options.layout = BpbLayout::TextRows;
    expectReference(load(path, options), BpbLayout::TextRows);
}

void TestBpbLoader::tsvAndDelimiterOverride()
{
    const QByteArray tsv = textRowsCsv(referenceValues(), kLlms, kTexts, '\t');
    expectReference(load(writeFile(m_dir, QStringLiteral("rows.tsv"), tsv)), BpbLayout::TextRows);
    // A tab-separated header without commas is detected whatever the extension...
    QByteArray plain = tsv;
    plain.replace("\"('fam', 'org/a')\"", "a").replace("\"('fam', 'org/b')\"", "b");
    plain.replace("\"t,3\"", "t3");
    auto sniffed = load(writeFile(m_dir, QStringLiteral("rows.txt"), plain));
    QVERIFY2(sniffed.ok(), qPrintable(sniffed.ok() ? QString() : sniffed.error().toString()));
    QCOMPARE(sniffed->llms.first(), QStringLiteral("a"));
    QVERIFY(pcs::test::sameBits(sniffed->values, referenceValues()));
    // ...and an explicit delimiter wins over the extension.
    BpbLoadOptions options;
    options.delimiter = ';';
    QByteArray semicolons = textRowsCsv(referenceValues(), kLlms, kTexts, ';');
    expectReference(load(writeFile(m_dir, QStringLiteral("semi.tsv"), semicolons), options),
                    BpbLayout::TextRows);
}

void TestBpbLoader::llmRows()
{
    const Eigen::MatrixXd m = referenceValues();
    for (const char *first : { "llm", "model" }) {
        QByteArray out = first;
        for (const QString &text : kTexts)
            out += "," + csvQuote(text);
        out += "\n";
        for (Eigen::Index i = 0; i < m.rows(); ++i) {
            out += csvQuote(kLlms[i]);
            for (Eigen::Index j = 0; j < m.cols(); ++j)
                out += "," + num(m(i, j));
            out += "\n";
        }
        expectReference(load(writeFile(m_dir, QStringLiteral("llmrows.csv"), out)),
                        BpbLayout::LlmRows);
    }
}

void TestBpbLoader::longLayout()
{
    const Eigen::MatrixXd m = referenceValues();
    // Columns in another order; LLMs and texts appear first in reference order.
    QByteArray out = "text,bpb,model\n";
    for (Eigen::Index j = 0; j < m.cols(); ++j)
        for (Eigen::Index i = 0; i < m.rows(); ++i)
            out += csvQuote(kTexts[j]) + "," + num(m(i, j)) + "," + csvQuote(kLlms[i]) + "\n";
    expectReference(load(writeFile(m_dir, QStringLiteral("long.csv"), out)), BpbLayout::Long);

    // A missing combination is a missing value, not an error.
    auto sparse = load(
        writeFile(m_dir, QStringLiteral("sparse.csv"), "llm,text,bpb\na,x,1\nb,y,2\na,y,3\n"));
    QVERIFY(sparse.ok());
    QCOMPARE(sparse->llms, QStringList({ QStringLiteral("a"), QStringLiteral("b") }));
    QCOMPARE(sparse->texts, QStringList({ QStringLiteral("x"), QStringLiteral("y") }));
    QCOMPARE(sparse->values(0, 0), 1.0);
    QVERIFY(std::isnan(sparse->values(1, 0)));
    QCOMPARE(sparse->values(1, 1), 2.0);
    QCOMPARE(sparse->values(0, 1), 3.0);
}

void TestBpbLoader::npy_data()
{
    QTest::addColumn<bool>("fortran");
    QTest::addColumn<bool>("float32");
    QTest::addColumn<int>("version");
    QTest::addColumn<QByteArray>("descr");
    QTest::newRow("f8 C") << false << false << 1 << QByteArray("<f8");
    QTest::newRow("f8 Fortran") << true << false << 1 << QByteArray("<f8");
    QTest::newRow("f4 C") << false << true << 1 << QByteArray("<f4");
    QTest::newRow("f4 Fortran") << true << true << 1 << QByteArray("<f4");
    QTest::newRow("f8 C v2") << false << false << 2 << QByteArray("<f8");
    QTest::newRow("f4 Fortran v3") << true << true << 3 << QByteArray("<f4");
    QTest::newRow("native =f8") << false << false << 1 << QByteArray("=f8");
    QTest::newRow("|f4") << true << true << 1 << QByteArray("|f4");
}

void TestBpbLoader::npy()
{
    QFETCH(bool, fortran);
    QFETCH(bool, float32);
    QFETCH(int, version);
    QFETCH(QByteArray, descr);
    const Eigen::MatrixXd m = referenceValues();
    const QByteArray bytes = pcs::test::npyFile(descr, fortran, { m.rows(), m.cols() },
                                                pcs::test::npyData(m, fortran, float32), version);
    BpbLoadOptions options;
    options.textsFile = writeFile(m_dir, QStringLiteral("texts.txt"),
                                  (kTexts.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8());
    options.llmsFile
        = writeFile(m_dir, QStringLiteral("llms.txt"), kLlms.join(QStringLiteral("\r\n")).toUtf8());
    expectReference(load(writeFile(m_dir, QStringLiteral("m.npy"), bytes), options),
                    BpbLayout::Npy);

    // Not exactly representable values survive float64 bit for bit.
    if (!float32) {
        Eigen::MatrixXd odd = m;
        odd(1, 2) = 0.1 + 1e-17 * 3;
        odd(2, 3) = std::nextafter(1.0 / 3.0, 1.0);
        auto exact = load(writeFile(m_dir, QStringLiteral("odd.npy"),
                                    pcs::test::npyMatrix(odd, fortran, false, version)),
                          options);
        QVERIFY(exact.ok());
        QVERIFY(pcs::test::sameBits(exact->values, odd));
    }
}

void TestBpbLoader::npyNamesBesideFile()
{
    const QString path = writeFile(m_dir, QStringLiteral("beside.npy"),
                                   pcs::test::npyMatrix(referenceValues(), false, false));
    writeFile(m_dir, QStringLiteral("beside.texts.txt"), kTexts.join(QLatin1Char('\n')).toUtf8());
    writeFile(m_dir, QStringLiteral("beside.llms.txt"), kLlms.join(QLatin1Char('\n')).toUtf8());
    expectReference(load(path), BpbLayout::Npy);
    // The signature, not only the extension, marks a .npy file.
    QFile::copy(path, m_dir.filePath(QStringLiteral("renamed.bin")));
    writeFile(m_dir, QStringLiteral("renamed.texts.txt"), kTexts.join(QLatin1Char('\n')).toUtf8());
    writeFile(m_dir, QStringLiteral("renamed.llms.txt"), kLlms.join(QLatin1Char('\n')).toUtf8());
    expectReference(load(m_dir.filePath(QStringLiteral("renamed.bin"))), BpbLayout::Npy);
}

void TestBpbLoader::quoting()
{
    // Quoted LLM names with commas, "" escapes, embedded newlines and delimiters in labels,
    // a quoted number, spaces around numbers, an empty quoted extra label.
    const QByteArray csv = "domain,id,\"a,b\",\"say \"\"hi\"\"\",plain\n"
                           "\"\",\"multi\nline, text\",0.5, 1.5 ,\"2.5\"\n"
                           "d2,\"\"\"quoted\"\"\",  3,4  ,5\n"
                           "d3,simple,6,7,8";
    auto result = load(writeFile(m_dir, QStringLiteral("quotes.csv"), csv));
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
    QCOMPARE(result->llms,
             QStringList(
                 { QStringLiteral("a,b"), QStringLiteral("say \"hi\""), QStringLiteral("plain") }));
    QCOMPARE(result->texts,
             QStringList({ QStringLiteral("multi\nline, text"), QStringLiteral("\"quoted\""),
                           QStringLiteral("simple") }));
    QCOMPARE(result->extraLabels.value(QStringLiteral("domain")),
             QStringList({ QString(), QStringLiteral("d2"), QStringLiteral("d3") }));
    Eigen::MatrixXd expected(3, 3);
    expected << 0.5, 3, 6, 1.5, 4, 7, 2.5, 5, 8;
    QVERIFY(pcs::test::sameBits(result->values, expected));
}

void TestBpbLoader::crlfAndBom()
{
    QByteArray csv = textRowsCsv(referenceValues(), kLlms, kTexts);
    csv.replace("\n", "\r\n");
    expectReference(load(writeFile(m_dir, QStringLiteral("crlf.csv"), "\xEF\xBB\xBF" + csv)),
                    BpbLayout::TextRows);
    // Blank lines (also with spaces and CR) are skipped; a missing final newline is fine.
    csv.insert(csv.indexOf("\r\n") + 2, "\r\n   \r\n");
    csv.chop(2);
    expectReference(load(writeFile(m_dir, QStringLiteral("blank.csv"), csv + "\r\n\r\n")),
                    BpbLayout::TextRows);
}

void TestBpbLoader::labelColumns()
{
    const QByteArray csv = "chunk,m1,domain,m2\nc1,1,web,2\nc2,3,books,4\n";
    const QString path = writeFile(m_dir, QStringLiteral("labels.csv"), csv);
    auto byChunk = load(path);
    QVERIFY(byChunk.ok());
    QCOMPARE(byChunk->texts, QStringList({ QStringLiteral("c1"), QStringLiteral("c2") }));
    QCOMPARE(byChunk->llms, QStringList({ QStringLiteral("m1"), QStringLiteral("m2") }));
    QCOMPARE(byChunk->extraLabels.value(QStringLiteral("domain")),
             QStringList({ QStringLiteral("web"), QStringLiteral("books") }));
    QCOMPARE(byChunk->values(1, 1), 4.0);

    BpbLoadOptions options;
    options.textColumn = QStringLiteral("domain");
    auto byDomain = load(path, options);
    QVERIFY(byDomain.ok());
    QCOMPARE(byDomain->texts, QStringList({ QStringLiteral("web"), QStringLiteral("books") }));
    QCOMPARE(byDomain->extraLabels.value(QStringLiteral("chunk")),
             QStringList({ QStringLiteral("c1"), QStringLiteral("c2") }));
    QCOMPARE(byDomain->values(0, 1), 3.0);
}

void TestBpbLoader::missingValues()
{
    const QByteArray csv = "id,a,b,c,d,e,f\nx,,NaN,nan,NA,N/A,  \ny,1,2,3,4,5,6\n";
    auto result = load(writeFile(m_dir, QStringLiteral("missing.csv"), csv));
    QVERIFY(result.ok());
    for (int i = 0; i < 6; ++i) {
        QVERIFY2(std::isnan(result->values(i, 0)), qPrintable(QString::number(i)));
        QCOMPARE(result->values(i, 1), double(i + 1));
    }
    QVERIFY(result->warnings.isEmpty());
}

void TestBpbLoader::roundTrip17Digits()
{
    std::mt19937_64 random(42);
    std::uniform_real_distribution<double> mantissa(0.0, 2.0);
    std::uniform_int_distribution<int> exponent(-30, 30);
    Eigen::MatrixXd m(7, 500);
    for (Eigen::Index k = 0; k < m.size(); ++k)
        m.data()[k] = std::ldexp(mantissa(random), exponent(random));
    m(0, 0) = 5e-324;  // the smallest subnormal
    m(1, 0) = std::numeric_limits<double>::max();
    m(2, 0) = 0.1;
    QStringList llms, texts;
    for (int i = 0; i < m.rows(); ++i)
        llms << QStringLiteral("llm%1").arg(i);
    for (int j = 0; j < m.cols(); ++j)
        texts << QStringLiteral("text%1").arg(j);
    const QString path
        = writeFile(m_dir, QStringLiteral("digits.csv"), textRowsCsv(m, llms, texts));
    for (int threads : { 1, 2 }) {
        BpbLoadOptions options;
        options.threads = threads;
        options.chunkBytes = 2048;
        auto result = load(path, options);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
        QVERIFY(pcs::test::sameBits(result->values, m));
    }
}

void TestBpbLoader::parallelEqualsSequential_data()
{
    QTest::addColumn<bool>("quotedLabels");
    QTest::newRow("plain labels") << false;
    QTest::newRow("quoted labels with newlines") << true;
}

void TestBpbLoader::parallelEqualsSequential()
{
    QFETCH(bool, quotedLabels);
    std::mt19937_64 random(7);
    std::uniform_real_distribution<double> bpb(0.4, 1.6);
    QByteArray csv = "domain,id";
    const int llms = 20;
    for (int i = 0; i < llms; ++i)
        csv += ",\"('org', 'org/model-" + QByteArray::number(i) + "')\"";
    csv += "\n";
    for (int row = 0; row < 6000; ++row) {
        csv += "d" + QByteArray::number(row % 7) + ",";
        if (quotedLabels)
            csv += "\"text " + QByteArray::number(row) + "\n\"\"part\"\", two\"";
        else
            csv += "text " + QByteArray::number(row);
        for (int i = 0; i < llms; ++i)
            csv += "," + (row % 97 == i ? QByteArray() : num(bpb(random)));
        csv += row % 500 == 0 ? "\n\n" : "\n";
    }
    QVERIFY(csv.size() > 400 * 1024);
    const QString path = writeFile(m_dir, QStringLiteral("big.csv"), csv);

    BpbLoadOptions sequential;
    sequential.threads = 1;
    sequential.chunkBytes = qint64(1) << 40;  // a single chunk
    auto one = load(path, sequential);
    QVERIFY2(one.ok(), qPrintable(one.ok() ? QString() : one.error().toString()));
    QCOMPARE(one->texts.size(), 6000);
    QCOMPARE(one->texts[3],
             quotedLabels ? QStringLiteral("text 3\n\"part\", two") : QStringLiteral("text 3"));
    QVERIFY(std::isnan(one->values(0, 0)));

    for (const qint64 chunk : { qint64(0), qint64(1000), qint64(4096), qint64(65536) }) {
        BpbLoadOptions parallel;
        parallel.threads = 2;
        parallel.chunkBytes = chunk;
        auto two = load(path, parallel);
        QVERIFY2(two.ok(), qPrintable(two.ok() ? QString() : two.error().toString()));
        QCOMPARE(two->texts, one->texts);
        QCOMPARE(two->llms, one->llms);
        QCOMPARE(two->extraLabels, one->extraLabels);
        QVERIFY(pcs::test::sameBits(two->values, one->values));
    }
}

void TestBpbLoader::llmRowsParallel()
{
    std::mt19937_64 random(3);
    std::uniform_real_distribution<double> bpb(0.4, 1.6);
    QByteArray csv = "model";
    for (int j = 0; j < 3000; ++j)
        csv += ",\"t" + QByteArray::number(j) + (j % 10 == 0 ? ",\nx" : "") + "\"";
    csv += "\n";
    for (int i = 0; i < 40; ++i) {
        csv += "\"m\n" + QByteArray::number(i) + "\"";
        for (int j = 0; j < 3000; ++j)
            csv += "," + num(bpb(random));
        csv += "\r\n";
    }
    const QString path = writeFile(m_dir, QStringLiteral("llmrows-big.csv"), csv);
    BpbLoadOptions sequential;
    sequential.threads = 1;
    sequential.chunkBytes = qint64(1) << 40;
    auto one = load(path, sequential);
    QVERIFY2(one.ok(), qPrintable(one.ok() ? QString() : one.error().toString()));
    QCOMPARE(one->llms.size(), 40);
    QCOMPARE(one->texts.size(), 3000);
    BpbLoadOptions parallel;
    parallel.threads = 2;
    parallel.chunkBytes = 10000;
    auto two = load(path, parallel);
    QVERIFY2(two.ok(), qPrintable(two.ok() ? QString() : two.error().toString()));
    QCOMPARE(two->llms, one->llms);
    QCOMPARE(two->texts, one->texts);
    QVERIFY(pcs::test::sameBits(two->values, one->values));
}

void TestBpbLoader::errorLineAcrossChunks()
{
    // Line numbers stay right when the error is in a later chunk after multi-line labels.
    QByteArray csv = "id,a,b\n";
    for (int row = 0; row < 3000; ++row)
        csv += "\"row\n" + QByteArray::number(row) + "\",0.5,0.25\n";
    csv += "last,0.5,oops\n";
    const QString path = writeFile(m_dir, QStringLiteral("late-error.csv"), csv);
    for (const int threads : { 1, 2 }) {
        BpbLoadOptions options;
        options.threads = threads;
        options.chunkBytes = threads == 1 ? 0 : 3000;
        auto result = load(path, options);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().line, qint64(1 + 2 * 3000 + 1));
        QCOMPARE(result.error().column, qint64(3));
        QVERIFY(result.error().reason.contains(QLatin1String("oops")));
    }
}

void TestBpbLoader::progressAndCancel()
{
    QByteArray csv = "id,a\n";
    for (int row = 0; row < 20000; ++row)
        csv += "t" + QByteArray::number(row) + ",0.5\n";
    const QString path = writeFile(m_dir, QStringLiteral("progress.csv"), csv);
    qint64 last = -1;
    qint64 total = 0;
    bool monotonic = true;
    TaskControl control(
        [&](qint64 done, qint64 all) {
            monotonic = monotonic && done >= last;
            last = done;
            total = all;
        },
        {});
    BpbLoadOptions options;
    options.chunkBytes = 4096;
    auto result = loadBpbMatrix(path, options, control);
    QVERIFY(result.ok());
    QVERIFY(monotonic);
    QCOMPARE(total, qint64(csv.size()));
    QCOMPARE(last, total);

    TaskControl canceled;
    canceled.requestCancel();
    auto stopped = loadBpbMatrix(path, options, canceled);
    QVERIFY(!stopped.ok());
    QCOMPARE(stopped.error().kind, ErrorKind::Canceled);

    // Canceled while parsing (from the first progress report after the start).
    TaskControl *self = nullptr;
    TaskControl midway(
        [&](qint64 done, qint64) {
            if (done > 0)
                self->requestCancel();
        },
        {});
    self = &midway;
    options.threads = 2;
    auto interrupted = loadBpbMatrix(path, options, midway);
    QVERIFY(!interrupted.ok());
    QCOMPARE(interrupted.error().kind, ErrorKind::Canceled);

    // The .npy reader reports bytes of the file too.
    qint64 npyLast = 0;
    qint64 npyTotal = 0;
    TaskControl npyControl(
        [&](qint64 done, qint64 all) {
            npyLast = done;
            npyTotal = all;
        },
        {});
    const Eigen::MatrixXd m = Eigen::MatrixXd::Constant(3, 5000, 0.5);
    const QByteArray npy = pcs::test::npyMatrix(m, false, false);
    QStringList texts;
    for (int j = 0; j < 5000; ++j)
        texts << QString::number(j);
    BpbLoadOptions npyOptions;
    npyOptions.textsFile
        = writeFile(m_dir, QStringLiteral("p.texts"), texts.join(QLatin1Char('\n')).toUtf8());
    npyOptions.llmsFile = writeFile(m_dir, QStringLiteral("p.llms"), "a\nb\nc\n");
    auto fromNpy
        = loadBpbMatrix(writeFile(m_dir, QStringLiteral("p.npy"), npy), npyOptions, npyControl);
    QVERIFY(fromNpy.ok());
    QCOMPARE(npyTotal, qint64(npy.size()));
    QCOMPARE(npyLast, npyTotal);
}

void TestBpbLoader::upstreamFile()
{
    PCS_REQUIRE_UPSTREAM_DATA();
    const QString path
        = pcs::test::upstreamFile(QStringLiteral("chunked_synthetic_sample_bpb_id.csv"));
    auto result = loadBpbMatrix(path);
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
    QCOMPARE(result->layout, BpbLayout::TextRows);
    QCOMPARE(result->llms.size(), 90);
    QCOMPARE(result->texts.size(), 263);
    QCOMPARE(result->values.rows(), 90);
    QCOMPARE(result->values.cols(), 263);
    QVERIFY(result->values.allFinite());
    QVERIFY(result->warnings.isEmpty());
    QCOMPARE(result->llms.first(),
             QStringLiteral("('stabilityai', 'stabilityai/stablelm-2-1_6b')"));
    QCOMPARE(result->texts.first(), QStringLiteral(" Defining Decay Down by David Plotz"));
    QCOMPARE(result->values(0, 0), 0.6894926893503897);
    QCOMPARE(result->values(1, 0), 0.6671294101262626);
    QCOMPARE(result->values(0, 1), 0.7296909656729598);
    BpbLoadOptions options;
    options.threads = 2;
    options.chunkBytes = 5000;
    auto split = loadBpbMatrix(path, options);
    QVERIFY(split.ok());
    QCOMPARE(split->texts, result->texts);
    QVERIFY(pcs::test::sameBits(split->values, result->values));
}

QTEST_GUILESS_MAIN(TestBpbLoader)
#include "tst_bpbloader.moc"
