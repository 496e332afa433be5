// LineReader: plain, gzip and zstd text read line by line, whole lines across block boundaries,
// and truncated or corrupt compressed files reported with the line reached.
#include "core/io/linereader.h"
#include "tests/common/testdata.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>
#include <zstd.h>

#include <thread>

#include <fcntl.h>
#include <unistd.h>

using namespace pcs;
using pcs::test::writeFile;

namespace {

enum class Format { Plain, Gzip, Zstd };

QByteArray gzipped(const QByteArray &data, int level = 6)
{
    z_stream stream {};
    // 15 + 16: a gzip header and trailer instead of zlib's.
    if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        qFatal("deflateInit2 failed");
    QByteArray out(qsizetype(deflateBound(&stream, uLong(data.size()))), Qt::Uninitialized);
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = uInt(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    if (deflate(&stream, Z_FINISH) != Z_STREAM_END)
        qFatal("deflate did not finish");
    out.resize(qsizetype(stream.total_out));
    deflateEnd(&stream);
    return out;
}

QByteArray zstdCompressed(const QByteArray &data, bool checksum = false)
{
    ZSTD_CCtx *context = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, 3);
    ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, checksum ? 1 : 0);
    QByteArray out(qsizetype(ZSTD_compressBound(std::size_t(data.size()))), Qt::Uninitialized);
    const std::size_t size = ZSTD_compress2(context, out.data(), std::size_t(out.size()),
                                            data.constData(), std::size_t(data.size()));
    ZSTD_freeCCtx(context);
    if (ZSTD_isError(size))
        qFatal("ZSTD_compress2: %s", ZSTD_getErrorName(size));
    out.resize(qsizetype(size));
    return out;
}

QByteArray encoded(const QByteArray &data, Format format)
{
    switch (format) {
    case Format::Plain:
        return data;
    case Format::Gzip:
        return gzipped(data);
    case Format::Zstd:
        return zstdCompressed(data);
    }
    return {};
}

const char *extensionOf(Format format)
{
    return format == Format::Gzip ? ".jsonl.gz" : format == Format::Zstd ? ".jsonl.zst" : ".jsonl";
}

// What a reader should return: split at '\n', a '\r' before it dropped, no line after a final
// '\n'.
QList<QByteArray> naiveLines(const QByteArray &data)
{
    QList<QByteArray> lines;
    qsizetype start = 0;
    while (start < data.size()) {
        const qsizetype newline = data.indexOf('\n', start);
        if (newline < 0) {
            lines << data.mid(start);
            break;
        }
        QByteArray line = data.mid(start, newline - start);
        if (line.endsWith('\r'))
            line.chop(1);
        lines << line;
        start = newline + 1;
    }
    return lines;
}

struct ReadResult {
    QList<QByteArray> lines;
    std::optional<Error> error;
    qint64 lastLineNumber = 0;
    qint64 compressedBytes = 0;
    qint64 fileSize = 0;
};

ReadResult readAll(const QString &path)
{
    ReadResult result;
    auto reader = LineReader::open(path);
    if (!reader) {
        result.error = reader.error();
        return result;
    }
    std::string_view line;
    while ((*reader)->next(line)) {
        result.lines << QByteArray(line.data(), qsizetype(line.size()));
        if ((*reader)->lineNumber() != result.lines.size())
            qFatal("line number %lld after %lld lines", (*reader)->lineNumber(),
                   qint64(result.lines.size()));
    }
    // Once at the end, it stays there.
    if ((*reader)->next(line))
        qFatal("a line after the end");
    result.error = (*reader)->error();
    result.lastLineNumber = (*reader)->lineNumber();
    result.compressedBytes = (*reader)->compressedBytesRead();
    result.fileSize = (*reader)->fileSize();
    return result;
}

QByteArray randomText(QRandomGenerator &random, qsizetype size)
{
    QByteArray text(size, Qt::Uninitialized);
    for (char &c : text)
        c = char(' ' + random.bounded(95));
    return text;
}

// Lines of random lengths (some empty, some longer than a read block), some with CRLF, and
// random bytes (never '\n') in them.
QByteArray randomLines(QRandomGenerator &random, qsizetype totalSize)
{
    QByteArray data;
    while (data.size() < totalSize) {
        const int kind = random.bounded(100);
        const qsizetype length = kind < 5 ? 0
            : kind < 90                   ? random.bounded(200)
            : kind < 98                   ? random.bounded(70000)
                                          : random.bounded(3 << 20);
        QByteArray line(length, Qt::Uninitialized);
        for (char &c : line) {
            c = char(random.bounded(256));
            if (c == '\n')
                c = 'n';
        }
        data += line;
        data += random.bounded(4) == 0 ? "\r\n" : "\n";
    }
    if (random.bounded(2) == 0)
        data.chop(1);  // sometimes no final '\n' (or a lone '\r' left at the end)
    return data;
}

QByteArray numberedLines(int count)
{
    QByteArray data;
    for (int i = 1; i <= count; ++i)
        data += "{\"line\": " + QByteArray::number(i) + ", \"text\": \"some words to compress\"}\n";
    return data;
}

}  // namespace

Q_DECLARE_METATYPE(Format)

class TestLineReader : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void smallFiles_data();
    void smallFiles();
    void multiMemberGzip();
    void multiFrameZstd();
    void tenMegabyteLine_data();
    void tenMegabyteLine();
    void randomLinesAcrossBlocks_data();
    void randomLinesAcrossBlocks();
    void progressAndSize_data();
    void progressAndSize();
    void truncated_data();
    void truncated();
    void corruptGzip();
    void corruptZstd();
    void trailingGarbageAfterGzip();
    void missingFile();
    void directory();
    void renamedExtensions();
    void standardInputPipe();
    void standardInputFile();

private:
    QTemporaryDir m_dir;
};

void TestLineReader::smallFiles_data()
{
    QTest::addColumn<Format>("format");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QList<QByteArray>>("expected");
    using Lines = QList<QByteArray>;
    const struct {
        const char *name;
        QByteArray data;
        Lines expected;
    } cases[] = {
        { "two lines", "a\nbc\n", Lines { "a", "bc" } },
        { "no final newline", "a\nbc", Lines { "a", "bc" } },
        { "crlf", "a\r\nbc\r\n", Lines { "a", "bc" } },
        { "crlf without final newline", "a\r\nbc", Lines { "a", "bc" } },
        { "cr inside a line stays", "a\rb\r\n", Lines { "a\rb" } },
        { "empty file", "", Lines {} },
        { "only a newline", "\n", Lines { "" } },
        { "only crlf", "\r\n", Lines { "" } },
        { "empty lines", "\n\nx\n\n", Lines { "", "", "x", "" } },
        { "one byte", "x", Lines { "x" } },
        { "nul bytes", QByteArray("a\0b\n\0", 5),
          Lines { QByteArray("a\0b", 3), QByteArray(1, '\0') } },
    };
    for (const auto &c : cases) {
        for (const Format format : { Format::Plain, Format::Gzip, Format::Zstd }) {
            QTest::addRow("%s %s", c.name, extensionOf(format)) << format << c.data << c.expected;
        }
    }
}

void TestLineReader::smallFiles()
{
    QFETCH(Format, format);
    QFETCH(QByteArray, data);
    QFETCH(QList<QByteArray>, expected);
    const QString path = writeFile(
        m_dir, QStringLiteral("small") + QLatin1String(extensionOf(format)), encoded(data, format));
    const ReadResult result = readAll(path);
    QVERIFY2(!result.error, qPrintable(result.error ? result.error->toString() : QString()));
    QCOMPARE(result.lines, expected);
    QCOMPARE(result.lastLineNumber, qint64(expected.size()));
}

void TestLineReader::multiMemberGzip()
{
    // As `gzip -c a > f; gzip -c b >> f` makes: one text, a line split across members, and an
    // empty member in between.
    const QByteArray first = "one\ntwo\nthr";
    const QByteArray second = "ee\nfour\n";
    const QByteArray data = gzipped(first, 1) + gzipped(QByteArray(), 9) + gzipped(second, 9);
    const ReadResult result = readAll(writeFile(m_dir, QStringLiteral("members.gz"), data));
    QVERIFY2(!result.error, qPrintable(result.error ? result.error->toString() : QString()));
    QCOMPARE(result.lines, (QList<QByteArray> { "one", "two", "three", "four" }));

    // Many members, larger than a read block together.
    QRandomGenerator random(7);
    QByteArray all, compressed;
    for (int i = 0; i < 40; ++i) {
        const QByteArray part = randomLines(random, 100000 + random.bounded(100000));
        all += part;
        compressed += gzipped(part);
    }
    const ReadResult many = readAll(writeFile(m_dir, QStringLiteral("many.gz"), compressed));
    QVERIFY(!many.error);
    QVERIFY(many.lines == naiveLines(all));
}

void TestLineReader::multiFrameZstd()
{
    const QByteArray data = zstdCompressed("one\ntwo\nthr") + zstdCompressed(QByteArray())
        + zstdCompressed("ee\nfour\n", true);
    const ReadResult result = readAll(writeFile(m_dir, QStringLiteral("frames.zst"), data));
    QVERIFY2(!result.error, qPrintable(result.error ? result.error->toString() : QString()));
    QCOMPARE(result.lines, (QList<QByteArray> { "one", "two", "three", "four" }));

    QRandomGenerator random(8);
    QByteArray all, compressed;
    for (int i = 0; i < 40; ++i) {
        const QByteArray part = randomLines(random, 100000 + random.bounded(100000));
        all += part;
        compressed += zstdCompressed(part, i % 2 == 0);
    }
    const ReadResult many = readAll(writeFile(m_dir, QStringLiteral("many.zst"), compressed));
    QVERIFY(!many.error);
    QVERIFY(many.lines == naiveLines(all));
}

void TestLineReader::tenMegabyteLine_data()
{
    QTest::addColumn<Format>("format");
    QTest::newRow("plain") << Format::Plain;
    QTest::newRow("gzip") << Format::Gzip;
    QTest::newRow("zstd") << Format::Zstd;
}

void TestLineReader::tenMegabyteLine()
{
    QFETCH(Format, format);
    QRandomGenerator random(1);
    const QByteArray line = randomText(random, 10 << 20);
    const QByteArray data = "short\n" + line + "\r\nlast";
    const ReadResult result = readAll(writeFile(
        m_dir, QStringLiteral("long") + QLatin1String(extensionOf(format)), encoded(data, format)));
    QVERIFY(!result.error);
    QCOMPARE(result.lines.size(), 3);
    QCOMPARE(result.lines[0], QByteArray("short"));
    QVERIFY(result.lines[1] == line);
    QCOMPARE(result.lines[2], QByteArray("last"));
}

void TestLineReader::randomLinesAcrossBlocks_data()
{
    QTest::addColumn<Format>("format");
    QTest::addColumn<int>("seed");
    for (int seed = 1; seed <= 4; ++seed) {
        QTest::addRow("plain %d", seed) << Format::Plain << seed;
        QTest::addRow("gzip %d", seed) << Format::Gzip << seed;
        QTest::addRow("zstd %d", seed) << Format::Zstd << seed;
    }
}

void TestLineReader::randomLinesAcrossBlocks()
{
    QFETCH(Format, format);
    QFETCH(int, seed);
    QRandomGenerator random { quint32(seed) };
    const QByteArray data = randomLines(random, 6 << 20);
    const QString path = writeFile(
        m_dir, QStringLiteral("random%1").arg(seed) + QLatin1String(extensionOf(format)),
        encoded(data, format));
    const ReadResult result = readAll(path);
    QVERIFY(!result.error);
    const QList<QByteArray> expected = naiveLines(data);
    QCOMPARE(result.lines.size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i) {
        if (result.lines[i] != expected[i])
            QFAIL(qPrintable(QStringLiteral("line %1 differs").arg(i + 1)));
    }
}

void TestLineReader::progressAndSize_data()
{
    tenMegabyteLine_data();
}

void TestLineReader::progressAndSize()
{
    QFETCH(Format, format);
    const QByteArray data = encoded(numberedLines(50000), format);
    const QString path
        = writeFile(m_dir, QStringLiteral("progress") + QLatin1String(extensionOf(format)), data);
    auto reader = LineReader::open(path);
    QVERIFY(reader.ok());
    QCOMPARE((*reader)->fileSize(), qint64(data.size()));
    QCOMPARE((*reader)->path(), path);
    std::string_view line;
    qint64 previous = 0;
    while ((*reader)->next(line)) {
        const qint64 now = (*reader)->compressedBytesRead();
        QVERIFY(now >= previous);
        QVERIFY(now <= data.size());
        previous = now;
    }
    QVERIFY(!(*reader)->error());
    QCOMPARE((*reader)->lineNumber(), qint64(50000));
    QCOMPARE((*reader)->compressedBytesRead(), qint64(data.size()));
}

void TestLineReader::truncated_data()
{
    QTest::addColumn<Format>("format");
    QTest::addColumn<double>("keptFraction");
    QTest::addColumn<QString>("reason");
    for (const double kept : { 0.0, 0.3, 0.7, 0.999 }) {
        QTest::addRow("gzip %.3f", kept)
            << Format::Gzip << kept << QStringLiteral("truncated gzip data");
        QTest::addRow("zstd %.3f", kept)
            << Format::Zstd << kept << QStringLiteral("truncated zstd data");
    }
}

void TestLineReader::truncated()
{
    QFETCH(Format, format);
    QFETCH(double, keptFraction);
    QFETCH(QString, reason);
    const QByteArray plain = numberedLines(200000);  // ~11 MB: several read blocks
    const QByteArray full = encoded(plain, format);
    // At least the magic number survives, or it would be read as plain text.
    const qsizetype kept = std::max<qsizetype>(4, qsizetype(double(full.size()) * keptFraction));
    QVERIFY(kept < full.size());
    const QString path = writeFile(
        m_dir, QStringLiteral("truncated") + QLatin1String(extensionOf(format)), full.left(kept));
    const ReadResult result = readAll(path);
    QVERIFY(result.error);
    QCOMPARE(result.error->kind, ErrorKind::BadInput);
    QCOMPARE(result.error->file, path);
    QVERIFY2(result.error->reason.contains(reason), qPrintable(result.error->reason));
    // The lines before the damage are all there and intact; the error names the next one.
    const QList<QByteArray> expected = naiveLines(plain);
    QVERIFY(result.lines.size() < expected.size());
    QVERIFY(result.lines == expected.mid(0, result.lines.size()));
    QCOMPARE(result.error->line, result.lastLineNumber + 1);
    if (keptFraction > 0.5)
        QVERIFY(result.lines.size() > 1000);
    QVERIFY(result.error->toString().startsWith(path + QLatin1Char(':')
                                                + QString::number(result.lastLineNumber + 1)
                                                + QStringLiteral(": ")));
}

void TestLineReader::corruptGzip()
{
    const QByteArray plain = numberedLines(100000);
    QByteArray data = gzipped(plain);
    for (qsizetype i = data.size() / 2; i < data.size() / 2 + 16; ++i)
        data[i] = char(data[i] ^ 0x5a);
    const QString path = writeFile(m_dir, QStringLiteral("corrupt.gz"), data);
    const ReadResult result = readAll(path);
    QVERIFY(result.error);
    QCOMPARE(result.error->kind, ErrorKind::BadInput);
    QVERIFY2(result.error->reason.contains(QStringLiteral("corrupt gzip data")),
             qPrintable(result.error->reason));
    QCOMPARE(result.error->line, result.lastLineNumber + 1);
    QVERIFY(result.lines.size() > 100);

    // Only the 8-byte trailer missing: every line is there, but the file is still incomplete.
    const QByteArray whole = gzipped("one\ntwo\n");
    const ReadResult noTrailer
        = readAll(writeFile(m_dir, QStringLiteral("notrailer.gz"), whole.left(whole.size() - 8)));
    QCOMPARE(noTrailer.lines, (QList<QByteArray> { "one", "two" }));
    QVERIFY(noTrailer.error);
    QVERIFY(noTrailer.error->reason.contains(QStringLiteral("truncated gzip data")));
    QCOMPARE(noTrailer.error->line, qint64(3));

    // A damaged checksum in the trailer: everything decompresses, yet the data is not trusted.
    QByteArray badCrc = gzipped("one\ntwo\n");
    badCrc[badCrc.size() - 8] = char(badCrc[badCrc.size() - 8] ^ 1);
    const ReadResult crc = readAll(writeFile(m_dir, QStringLiteral("crc.gz"), badCrc));
    QVERIFY(crc.error);
    QVERIFY2(crc.error->reason.contains(QStringLiteral("corrupt gzip data")),
             qPrintable(crc.error->reason));
}

void TestLineReader::corruptZstd()
{
    const QByteArray plain = numberedLines(100000);
    QByteArray data = zstdCompressed(plain, true);
    for (qsizetype i = data.size() / 2; i < data.size() / 2 + 16; ++i)
        data[i] = char(data[i] ^ 0x5a);
    const QString path = writeFile(m_dir, QStringLiteral("corrupt.zst"), data);
    const ReadResult result = readAll(path);
    QVERIFY(result.error);
    QCOMPARE(result.error->kind, ErrorKind::BadInput);
    QCOMPARE(result.error->file, path);
    QVERIFY2(result.error->reason.contains(QStringLiteral("corrupt zstd data (")),
             qPrintable(result.error->reason));
    QCOMPARE(result.error->line, result.lastLineNumber + 1);
}

void TestLineReader::trailingGarbageAfterGzip()
{
    // gzip(1) only warns here; a filter must not quietly drop what may be half a file.
    const QByteArray data = gzipped("one\ntwo\n") + "not gzip at all\n";
    const ReadResult result = readAll(writeFile(m_dir, QStringLiteral("garbage.gz"), data));
    QCOMPARE(result.lines, (QList<QByteArray> { "one", "two" }));
    QVERIFY(result.error);
    QVERIFY2(result.error->reason.contains(QStringLiteral("corrupt gzip data")),
             qPrintable(result.error->reason));
    QCOMPARE(result.error->line, qint64(3));
}

void TestLineReader::missingFile()
{
    const QString path = m_dir.filePath(QStringLiteral("does-not-exist.jsonl.gz"));
    auto reader = LineReader::open(path);
    QVERIFY(!reader.ok());
    QCOMPARE(reader.error().kind, ErrorKind::BadInput);
    QCOMPARE(reader.error().file, path);
    QVERIFY2(reader.error().reason.contains(QStringLiteral("No such file")),
             qPrintable(reader.error().reason));
    QVERIFY(reader.error().toString().contains(path));
}

void TestLineReader::directory()
{
    auto reader = LineReader::open(m_dir.path());
    QVERIFY(!reader.ok());
    QCOMPARE(reader.error().kind, ErrorKind::BadInput);
    QCOMPARE(reader.error().file, m_dir.path());
    QVERIFY2(reader.error().reason.contains(QStringLiteral("directory")),
             qPrintable(reader.error().reason));
}

void TestLineReader::renamedExtensions()
{
    const QByteArray plain = numberedLines(1000);
    const QList<QByteArray> expected = naiveLines(plain);
    const struct {
        const char *name;
        QByteArray data;
    } files[] = {
        { "gzip-named.jsonl", gzipped(plain) },
        { "zstd-named.jsonl.gz", zstdCompressed(plain) },
        { "plain-named.jsonl.zst", plain },
        { "no-extension", gzipped(plain) },
    };
    for (const auto &file : files) {
        const ReadResult result = readAll(writeFile(m_dir, QLatin1String(file.name), file.data));
        QVERIFY2(!result.error, file.name);
        QVERIFY2(result.lines == expected, file.name);
    }
    // Shorter than a magic number: plain text.
    const ReadResult tiny = readAll(writeFile(m_dir, QStringLiteral("tiny.gz"), "\x1f"));
    QVERIFY(!tiny.error);
    QCOMPARE(tiny.lines, QList<QByteArray> { "\x1f" });
}

void TestLineReader::standardInputPipe()
{
    // "-" on a pipe that delivers the magic number a byte at a time.
    const QByteArray plain = numberedLines(30000);
    const QByteArray data = zstdCompressed(plain.left(plain.size() / 2))
        + zstdCompressed(plain.mid(plain.size() / 2));
    int pipeEnds[2];
    QCOMPARE(::pipe(pipeEnds), 0);
    const int savedStdin = ::dup(0);
    QVERIFY(savedStdin >= 0);
    QCOMPARE(::dup2(pipeEnds[0], 0), 0);
    ::close(pipeEnds[0]);
    std::thread writer([&data, writeEnd = pipeEnds[1]] {
        qsizetype written = 0;
        while (written < data.size()) {
            const qsizetype chunk
                = written < 4 ? 1 : std::min<qsizetype>(65536, data.size() - written);
            const ssize_t n = ::write(writeEnd, data.constData() + written, std::size_t(chunk));
            if (n <= 0)
                break;
            written += n;
            if (written <= 4)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ::close(writeEnd);
    });
    const ReadResult result = readAll(QStringLiteral("-"));
    writer.join();
    QCOMPARE(::dup2(savedStdin, 0), 0);
    ::close(savedStdin);
    QVERIFY2(!result.error, qPrintable(result.error ? result.error->toString() : QString()));
    QCOMPARE(result.fileSize, qint64(-1));
    QCOMPARE(result.compressedBytes, qint64(data.size()));
    QVERIFY(result.lines == naiveLines(plain));
}

void TestLineReader::standardInputFile()
{
    // "-" redirected from a (truncated) gzip file: detected by its magic number, and errors name
    // standard input.
    const QByteArray full = gzipped(numberedLines(20000));
    const QString path = writeFile(m_dir, QStringLiteral("stdin.gz"), full.left(full.size() / 2));
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY);
    QVERIFY(fd >= 0);
    const int savedStdin = ::dup(0);
    QCOMPARE(::dup2(fd, 0), 0);
    ::close(fd);
    const ReadResult result = readAll(QStringLiteral("-"));
    QCOMPARE(::dup2(savedStdin, 0), 0);
    ::close(savedStdin);
    QCOMPARE(result.fileSize, qint64(-1));
    QVERIFY(result.lines.size() > 1000);
    QVERIFY(result.lines == naiveLines(numberedLines(20000)).mid(0, result.lines.size()));
    QVERIFY(result.error);
    QCOMPARE(result.error->file, QStringLiteral("standard input"));
    QCOMPARE(result.error->line, result.lastLineNumber + 1);
    QVERIFY(result.error->reason.contains(QStringLiteral("truncated gzip data")));
}

QTEST_GUILESS_MAIN(TestLineReader)
#include "tst_linereader.moc"
