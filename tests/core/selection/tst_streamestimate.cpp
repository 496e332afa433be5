// The streamed estimate (selection/streamestimate.h) against the in-memory path, bit for bit.
#include "core/demo/demodata.h"
#include "core/io/atomicwrite.h"
#include "core/io/bpbblocksource.h"
#include "core/io/bpbconvert.h"
#include "core/io/npywriter.h"
#include "core/selection/selectionrun.h"
#include "core/selection/streamestimate.h"
#include "tests/common/testdata.h"

#include <QCryptographicHash>
#include <QProcess>
#include <QTest>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

using namespace pcs;

namespace {

const QList<Estimator> kEstimators = { Estimator::Spearmanr, Estimator::SignCdf, Estimator::Sign,
                                       Estimator::SignSign, Estimator::Product };

bool bitwiseEqual(const Eigen::VectorXd &a, const Eigen::VectorXd &b)
{
    return a.size() == b.size()
        && std::memcmp(a.data(), b.data(), std::size_t(a.size()) * sizeof(double)) == 0;
}

// The first differing index, for messages.
QString firstDifference(const Eigen::VectorXd &a, const Eigen::VectorXd &b)
{
    if (a.size() != b.size())
        return QStringLiteral("sizes %1 and %2").arg(a.size()).arg(b.size());
    for (Eigen::Index j = 0; j < a.size(); ++j)
        if (std::memcmp(&a[j], &b[j], sizeof(double)) != 0)
            return QStringLiteral("text %1: %2 vs %3")
                .arg(j)
                .arg(a[j], 0, 'g', 17)
                .arg(b[j], 0, 'g', 17);
    return {};
}

Status writeNpy(const QString &path, const BpbMatrix &matrix, NpyDtype dtype, bool fortran)
{
    OutputSet outputs;
    if (Status added = addNpyBpbMatrix(outputs, path, matrix, dtype, fortran); !added)
        return added;
    return outputs.publish();
}

// The in-memory answer: load, align, estimate (what `select` did before streaming).
Eigen::VectorXd inMemory(const QString &bpbPath, const QString &errorsPath,
                         const AlignOptions &align, Estimator estimator,
                         AlignedInputs *alignedOut = nullptr)
{
    auto inputs = loadSelectionInputs(bpbPath, {}, errorsPath, {}, align);
    if (!inputs)
        qFatal("in-memory load failed: %s", qPrintable(inputs.error().toString()));
    if (alignedOut)
        *alignedOut = inputs->aligned;
    auto values = estimateSelection(*inputs, { estimator, 0 });
    if (!values)
        qFatal("in-memory estimate failed: %s", qPrintable(values.error().toString()));
    return *values;
}

Result<StreamEstimate> streamed(const QString &bpbPath, const QString &errorsPath,
                                const AlignOptions &align, Estimator estimator, qint64 blockBytes,
                                qint64 first = 0, qint64 end = -1, qint64 pieceTexts = 0,
                                int threads = 0, const BpbLoadOptions &bpbOptions = {})
{
    auto errors = loadBenchmarkErrors(errorsPath, {});
    if (!errors)
        return errors.error();
    StreamEstimateOptions options;
    options.estimate.estimator = estimator;
    options.align = align;
    options.blockBytes = blockBytes;
    options.pieceTexts = pieceTexts;
    options.estimate.threads = threads;
    options.firstText = first;
    options.endText = end;
    return streamEstimate(bpbPath, bpbOptions, *errors, errorsPath, options);
}

QString sha256sum(const QString &path)
{
    QProcess sha;
    sha.start(QStringLiteral("sha256sum"), { path });
    if (!sha.waitForFinished())
        return {};
    return QString::fromLatin1(sha.readAllStandardOutput().left(64));
}

}  // namespace

class TestStreamEstimate : public QObject {
    Q_OBJECT
private:
    // Every estimator, both orders and both dtypes, blocks of a few texts: equal to the bit.
    void compareAll(const QString &csvPath, const QString &errorsPath, const AlignOptions &align,
                    int expectedPasses)
    {
        QTemporaryDir dir;
        auto matrix = loadBpbMatrix(csvPath);
        QVERIFY2(matrix.ok(), matrix.ok() ? "" : qPrintable(matrix.error().toString()));
        for (const bool fortran : { false, true }) {
            for (const NpyDtype dtype : { NpyDtype::Float64, NpyDtype::Float32 }) {
                const QString npy
                    = dir.filePath(QStringLiteral("m_%1_%2.npy").arg(fortran).arg(int(dtype)));
                QVERIFY(writeNpy(npy, *matrix, dtype, fortran).ok());
                for (const Estimator estimator : kEstimators) {
                    // The reference reads the same .npy (float32 rounds the values).
                    AlignedInputs aligned;
                    const Eigen::VectorXd expected
                        = inMemory(npy, errorsPath, align, estimator, &aligned);
                    // 7 texts' worth of bytes per block: many blocks, a short last one; then
                    // blocks of 64 texts cut into pieces of 5 spread over 1, 2 and 3 threads
                    // (the scan's facts and the estimates merge from pieces in any order).
                    const qint64 textBytes
                        = matrix->llms.size() * (dtype == NpyDtype::Float64 ? 8 : 4);
                    struct Blocking {
                        qint64 blockTexts, pieceTexts;
                        int threads;
                    };
                    Result<StreamEstimate> got = Error::internal(QStringLiteral("not run"));
                    for (const Blocking blocking :
                         { Blocking { 7, 0, 0 }, Blocking { 64, 5, 1 }, Blocking { 64, 5, 2 },
                           Blocking { 64, 5, 3 } }) {
                        got = streamed(npy, errorsPath, align, estimator,
                                       blocking.blockTexts * textBytes, 0, -1, blocking.pieceTexts,
                                       blocking.threads);
                        QVERIFY2(got.ok(), got.ok() ? "" : qPrintable(got.error().toString()));
                        QVERIFY2(bitwiseEqual(got->values, expected),
                                 qPrintable(QStringLiteral("%1, fortran %2, dtype %3, blocks of "
                                                           "%4, pieces of %5, %6 threads: %7")
                                                .arg(estimatorName(estimator))
                                                .arg(fortran)
                                                .arg(int(dtype))
                                                .arg(blocking.blockTexts)
                                                .arg(blocking.pieceTexts)
                                                .arg(blocking.threads)
                                                .arg(firstDifference(got->values, expected))));
                        QCOMPARE(got->passes, expectedPasses);
                    }
                    QCOMPARE(got->aligned.llms, aligned.llms);
                    QCOMPARE(got->aligned.dropped.size(), aligned.dropped.size());
                    QCOMPARE(got->aligned.duplicates.size(), aligned.duplicates.size());
                    QCOMPARE(got->passes, expectedPasses);
                    QCOMPARE(got->texts.toList(), matrix->texts);
                }
            }
        }
    }

    // A text-rows CSV/TSV read in blocks of a few rows (and windows of a few bytes when
    // opening), every estimator: equal to the bit to loading it whole.
    void compareTextRows(const QString &csvPath, const QString &errorsPath,
                         const AlignOptions &align, int expectedPasses)
    {
        auto matrix = loadBpbMatrix(csvPath);
        QVERIFY2(matrix.ok(), matrix.ok() ? "" : qPrintable(matrix.error().toString()));
        QVERIFY(io::isBlockReadableBpb(csvPath, {}));
        for (const qint64 chunkBytes : { qint64(0), qint64(5), qint64(300) }) {
            BpbLoadOptions bpbOptions;
            bpbOptions.chunkBytes = chunkBytes;
            bpbOptions.threads = chunkBytes == 5 ? 1 : 2;
            for (const Estimator estimator : kEstimators) {
                AlignedInputs aligned;
                const Eigen::VectorXd expected
                    = inMemory(csvPath, errorsPath, align, estimator, &aligned);
                const qint64 blockBytes = 7 * matrix->llms.size() * 8;
                auto got = streamed(csvPath, errorsPath, align, estimator, blockBytes, 0, -1, 0, 0,
                                    bpbOptions);
                QVERIFY2(got.ok(), got.ok() ? "" : qPrintable(got.error().toString()));
                QVERIFY2(bitwiseEqual(got->values, expected),
                         qPrintable(QStringLiteral("%1, chunk bytes %2: %3")
                                        .arg(estimatorName(estimator))
                                        .arg(chunkBytes)
                                        .arg(firstDifference(got->values, expected))));
                QCOMPARE(got->layout, BpbLayout::TextRows);
                QCOMPARE(got->llms, matrix->llms);
                QCOMPARE(got->aligned.llms, aligned.llms);
                QCOMPARE(got->aligned.dropped.size(), aligned.dropped.size());
                QCOMPARE(got->aligned.duplicates.size(), aligned.duplicates.size());
                QCOMPARE(got->passes, expectedPasses);
                QCOMPARE(got->texts.toList(), matrix->texts);
                QCOMPARE(got->warnings.size(), matrix->warnings.size());
                for (qsizetype w = 0; w < got->warnings.size(); ++w)
                    QCOMPARE(got->warnings[w].toString(), matrix->warnings[w].toString());
                QCOMPARE(got->bpbSha256, sha256sum(csvPath));
            }
        }
    }

private Q_SLOTS:
    void textRowsDemoEveryEstimatorBitIdentical()
    {
        DemoOptions options;
        options.llms = 30;
        options.texts = 200;
        DemoDataset demo = generateDemoDataset(options);
        demo.bpb.values(4, 11) = -0.25;  // the loader's warning, with its line and column
        QTemporaryDir dir;
        auto files = writeDemoDataset(demo, dir.path());
        QVERIFY(files.ok());
        compareTextRows(files->bpb, files->errors, {}, 1);
        // The same values as TSV, with CRLF line ends, a BOM, blank lines and quoted names
        // holding the delimiter and a line break.
        QByteArray bytes("\xEF\xBB\xBFid");
        for (const QString &llm : demo.bpb.llms)
            bytes += "\t" + llm.toUtf8();
        bytes += "\r\n\r\n";
        for (Eigen::Index j = 0; j < demo.bpb.values.cols(); ++j) {
            bytes += j % 13 == 0 ? "\"t\t" + QByteArray::number(j) + "\nline two\""
                                 : "t" + QByteArray::number(j);
            for (Eigen::Index i = 0; i < demo.bpb.values.rows(); ++i)
                bytes += "\t" + QByteArray::number(demo.bpb.values(i, j), 'g', 17);
            bytes += j % 17 == 0 ? "\r\n\r\n" : "\r\n";
        }
        const QString tsvPath = dir.filePath(QStringLiteral("bpb.tsv"));
        QFile file(tsvPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
        file.close();
        compareTextRows(tsvPath, files->errors, {}, 1);
    }

    void textRowsUpstreamBitIdentical()
    {
        PCS_REQUIRE_UPSTREAM_DATA();
        compareTextRows(test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"),
                        test::upstreamFile("error.csv"), {}, 1);
        AlignOptions align;
        align.dedupeLlms = true;
        compareTextRows(test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"),
                        test::upstreamFile("error.csv"), align, 2);
    }

    void textRowsMissingValueTakesASecondPass()
    {
        DemoOptions options;
        options.llms = 12;
        options.texts = 50;
        DemoDataset demo = generateDemoDataset(options);
        demo.bpb.values(3, 17) = std::numeric_limits<double>::quiet_NaN();
        QTemporaryDir dir;
        auto files = writeDemoDataset(demo, dir.path());
        QVERIFY(files.ok());
        compareTextRows(files->bpb, files->errors, {}, 2);
        auto got = streamed(files->bpb, files->errors, {}, Estimator::Spearmanr, 500);
        QVERIFY(got.ok());
        QCOMPARE(got->aligned.dropped.size(), 1);
        QVERIFY(got->aligned.dropped.first().reason.contains(demo.bpb.texts[17]));
    }

    void shardsAlignAsTheWholeMatrix()
    {
        // LLM 3 misses a value in the last texts only: every shard must drop it, as the
        // in-memory shard (which aligns the whole matrix) does.
        DemoOptions options;
        options.llms = 10;
        options.texts = 41;
        DemoDataset demo = generateDemoDataset(options);
        demo.bpb.values(3, 39) = std::numeric_limits<double>::quiet_NaN();
        demo.bpb.values(5, 2) = -0.5;
        QTemporaryDir dir;
        auto files = writeDemoDataset(demo, dir.path());
        QVERIFY(files.ok());
        const QString npy = dir.filePath("m.npy");
        QVERIFY(writeNpy(npy, demo.bpb, NpyDtype::Float32, true).ok());
        auto errors = loadBenchmarkErrors(files->errors, {});
        QVERIFY(errors.ok());
        for (const QString &bpb : { npy, files->bpb }) {
            auto inputs = loadSelectionInputs(bpb, {}, files->errors, {}, AlignOptions {});
            QVERIFY(inputs.ok());
            QCOMPARE(inputs->aligned.dropped.size(), 1);
            for (const int count : { 1, 3, 7, 50 }) {
                for (int index = 0; index < count; ++index) {
                    const ShardSpec shard { index, count };
                    const TextRange range = shardTextRange(demo.bpb.texts.size(), shard);
                    auto expected = estimateSelection(*inputs, { Estimator::SignCdf, 0 }, range);
                    QVERIFY(expected.ok());
                    StreamEstimateOptions streamOptions;
                    streamOptions.estimate.estimator = Estimator::SignCdf;
                    streamOptions.shard = shard;
                    streamOptions.blockBytes = 3 * 10 * 8;
                    auto got = streamEstimate(bpb, {}, *errors, files->errors, streamOptions);
                    QVERIFY2(got.ok(), got.ok() ? "" : qPrintable(got.error().toString()));
                    QCOMPARE(got->firstText, range.first);
                    QCOMPARE(got->texts.size(), range.size());
                    QCOMPARE(got->totalTexts, qint64(demo.bpb.texts.size()));
                    QVERIFY2(bitwiseEqual(got->values, *expected),
                             qPrintable(QStringLiteral("%1 shard %2/%3: %4")
                                            .arg(bpb)
                                            .arg(index)
                                            .arg(count)
                                            .arg(firstDifference(got->values, *expected))));
                    QCOMPARE(got->aligned.llms, inputs->aligned.llms);
                    QCOMPARE(got->aligned.dropped.size(), 1);
                    QCOMPARE(got->warnings.size(), 1);
                }
            }
        }
    }

    // The names reader's duplicate check (names partitioned by hash, a table per part): the
    // first repeat in file order is reported with the line of the first occurrence.
    void namesFileDuplicates()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("names.txt"));
        const auto write = [&](const QByteArray &bytes) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(bytes);
        };
        QByteArray clean;
        for (int i = 0; i < 5000; ++i)
            clean += "text-" + QByteArray::number(i) + '\n';
        write(clean);
        auto names = io::loadTextNames(path, "text");
        QVERIFY2(names.ok(), names.ok() ? "" : qPrintable(names.error().toString()));
        QCOMPARE(names->size(), qint64(5000));
        QCOMPARE(names->utf8(4321), std::string_view("text-4321"));
        // Line 4001 repeats line 1235, line 4500 repeats line 7: the first repeat is reported.
        QByteArray repeated;
        for (int i = 0; i < 5000; ++i)
            repeated += "text-" + QByteArray::number(i == 4000 ? 1234 : (i == 4499 ? 6 : i)) + '\n';
        write(repeated);
        names = io::loadTextNames(path, "text");
        QVERIFY(!names.ok());
        QCOMPARE(names.error().line, qint64(4001));
        QVERIFY2(names.error().reason.contains("duplicate text name \"text-1234\" (first on line "
                                               "1235)"),
                 qPrintable(names.error().toString()));
        // Adjacent and very short repeats (inside the prefetch window).
        write("a\nb\nc\nb\n");
        names = io::loadTextNames(path, "text");
        QVERIFY(!names.ok());
        QCOMPARE(names.error().line, qint64(4));
        QVERIFY(names.error().reason.contains("first on line 2"));

        // Enough names for the check to be split by hash between threads: whichever share
        // holds a repeat, the first in file order is reported, and an invalid name before it
        // comes first.
        const auto many = [](const std::function<QByteArray(int)> &nameOf) {
            QByteArray bytes;
            for (int i = 0; i < 300000; ++i)
                bytes += nameOf(i) + '\n';
            return bytes;
        };
        write(many([](int i) { return "n" + QByteArray::number(i); }));
        names = io::loadTextNames(path, "text");
        QVERIFY(names.ok());
        QCOMPARE(names->size(), qint64(300000));
        for (const int late : { 250000, 299999 }) {
            // Line late+1 repeats line 7; lines 200001.. repeat earlier lines 100001..
            write(many([&](int i) {
                if (i == late)
                    return QByteArray("n6");
                return "n" + QByteArray::number(i >= 200000 && i != late ? i - 100000 : i);
            }));
            names = io::loadTextNames(path, "text");
            QVERIFY(!names.ok());
            QCOMPARE(names.error().line, qint64(200001));
            QVERIFY2(names.error().reason.contains("first on line 100001"),
                     qPrintable(names.error().toString()));
        }
        write(many([](int i) {
            if (i == 150000)
                return QByteArray("bad\xff");
            return "n" + QByteArray::number(i == 170000 ? 3 : i);
        }));
        names = io::loadTextNames(path, "text");
        QVERIFY(!names.ok());
        QCOMPARE(names.error().line, qint64(150001));
        QCOMPARE(names.error().column, qint64(4));
        QVERIFY(names.error().reason.contains("invalid UTF-8"));
        write(many([](int i) {
            if (i == 150000)
                return QByteArray("bad\xff");
            return "n" + QByteArray::number(i == 120000 ? 3 : i);
        }));
        names = io::loadTextNames(path, "text");
        QVERIFY(!names.ok());
        QCOMPARE(names.error().line, qint64(120001));
        QVERIFY(names.error().reason.contains("first on line 4"));
    }

    // The names reader splits a file in ~1 MB pieces on every thread: the names, the empty-line
    // rules and the line numbers are what a plain line-by-line split gives, across pieces.
    void namesFileSplitInPieces()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("names.txt"));
        const auto write = [&](const QByteArray &bytes) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(bytes);
        };
        // 400,000 names of varied length (about 5 MB), CRLF on some lines, a BOM, no final
        // line end.
        QByteArray bytes("\xEF\xBB\xBF");
        std::vector<QByteArray> expected;
        for (int i = 0; i < 400000; ++i) {
            expected.push_back("name-" + QByteArray(i % 23, 'x') + QByteArray::number(i));
            bytes += expected.back() + (i % 7 == 0 ? "\r\n" : "\n");
        }
        bytes.chop(bytes.endsWith("\r\n") ? 2 : 1);
        write(bytes);
        QString hash;
        auto names = io::loadTextNames(path, "text", &hash);
        QVERIFY2(names.ok(), names.ok() ? "" : qPrintable(names.error().toString()));
        QCOMPARE(names->size(), qint64(expected.size()));
        for (std::size_t i = 0; i < expected.size(); ++i) {
            if (names->utf8(qint64(i)) != expected[i].toStdString())
                QFAIL(qPrintable(QStringLiteral("name %1 differs").arg(i)));
        }
        QCOMPARE(hash,
                 QString::fromLatin1(
                     QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()));
        // Empty lines at the very end (also CRLF ones) are fine.
        write(bytes + "\n\r\n\n");
        names = io::loadTextNames(path, "text");
        QVERIFY(names.ok());
        QCOMPARE(names->size(), qint64(expected.size()));
        // An empty line in the middle, far from the start: its line is reported, even when
        // another empty line follows in a later piece.
        for (const int at : { 1, 250000 }) {
            QByteArray holed;
            for (int i = 0; i < 400000; ++i)
                holed += (i == at || i == 390000 ? QByteArray() : expected[std::size_t(i)]) + '\n';
            write(holed);
            names = io::loadTextNames(path, "text");
            QVERIFY(!names.ok());
            QCOMPARE(names.error().line, qint64(at + 1));
            QVERIFY(names.error().reason.contains("empty text name"));
        }
        write("\n\n\r\n");
        names = io::loadTextNames(path, "text");
        QVERIFY(!names.ok());
        QVERIFY(names.error().reason.contains("no text names"));
    }

    void demoEveryEstimatorBitIdentical()
    {
        DemoOptions options;
        options.llms = 40;
        options.texts = 300;
        const DemoDataset demo = generateDemoDataset(options);
        QTemporaryDir dir;
        auto files = writeDemoDataset(demo, dir.path());
        QVERIFY(files.ok());
        compareAll(files->bpb, files->errors, {}, 1);
    }

    void upstreamDataBitIdentical()
    {
        PCS_REQUIRE_UPSTREAM_DATA();
        // The file holds one LLM twice: warned about, and kept (the guess holds, one pass).
        compareAll(test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"),
                   test::upstreamFile("error.csv"), {}, 1);
    }

    void upstreamDedupeTakesASecondPass()
    {
        PCS_REQUIRE_UPSTREAM_DATA();
        // --dedupe-llms drops the duplicate the guess could not know of: a second pass.
        AlignOptions align;
        align.dedupeLlms = true;
        compareAll(test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"),
                   test::upstreamFile("error.csv"), align, 2);
    }

    void missingValuesDropTheRowAsInMemory()
    {
        DemoOptions options;
        options.llms = 12;
        options.texts = 50;
        DemoDataset demo = generateDemoDataset(options);
        demo.bpb.values(3, 17) = std::numeric_limits<double>::quiet_NaN();
        QTemporaryDir dir;
        auto files = writeDemoDataset(demo, dir.path());
        QVERIFY(files.ok());
        const QString npy = dir.filePath("m.npy");
        QVERIFY(writeNpy(npy, demo.bpb, NpyDtype::Float64, false).ok());
        AlignedInputs aligned;
        const Eigen::VectorXd expected
            = inMemory(npy, files->errors, {}, Estimator::Spearmanr, &aligned);
        auto got = streamed(npy, files->errors, {}, Estimator::Spearmanr, 1000);
        QVERIFY2(got.ok(), got.ok() ? "" : qPrintable(got.error().toString()));
        QVERIFY(bitwiseEqual(got->values, expected));
        QCOMPARE(got->passes, 2);
        QCOMPARE(got->aligned.dropped.size(), 1);
        QCOMPARE(got->aligned.dropped.first().reason, aligned.dropped.first().reason);
        QVERIFY(got->aligned.dropped.first().reason.contains(demo.bpb.texts[17]));
    }

    void textRangeIsASliceOfTheWhole()
    {
        DemoOptions options;
        options.llms = 20;
        options.texts = 101;
        const DemoDataset demo = generateDemoDataset(options);
        QTemporaryDir dir;
        auto files = writeDemoDataset(demo, dir.path());
        QVERIFY(files.ok());
        const QString npy = dir.filePath("m.npy");
        QVERIFY(writeNpy(npy, demo.bpb, NpyDtype::Float64, true).ok());
        auto whole = streamed(npy, files->errors, {}, Estimator::SignSign, 0);
        QVERIFY(whole.ok());
        Eigen::VectorXd joined(0);
        for (const auto &[first, end] :
             { std::pair { 0, 34 }, std::pair { 34, 68 }, std::pair { 68, 101 } }) {
            auto part = streamed(npy, files->errors, {}, Estimator::SignSign, 500, first, end);
            QVERIFY2(part.ok(), part.ok() ? "" : qPrintable(part.error().toString()));
            QCOMPARE(part->firstText, qint64(first));
            QCOMPARE(part->texts.size(), qint64(end - first));
            QCOMPARE(part->texts[0], demo.bpb.texts[first]);
            joined.conservativeResize(joined.size() + part->values.size());
            joined.tail(part->values.size()) = part->values;
        }
        QVERIFY(bitwiseEqual(joined, whole->values));
        auto outside = streamed(npy, files->errors, {}, Estimator::SignSign, 0, 90, 102);
        QVERIFY(!outside.ok());
        QVERIFY(outside.error().reason.contains("[90, 102)"));
    }

    void infiniteValueIsTheLoadersError()
    {
        DemoOptions options;
        options.llms = 6;
        options.texts = 30;
        DemoDataset demo = generateDemoDataset(options);
        demo.bpb.values(2, 20) = std::numeric_limits<double>::infinity();
        demo.bpb.values(4, 20) = std::numeric_limits<double>::infinity();
        demo.bpb.values(0, 26) = -std::numeric_limits<double>::infinity();
        demo.bpb.values(1, 9) = -0.5;
        demo.bpb.values(0, 28) = -0.25;
        QTemporaryDir dir;
        auto files = writeDemoDataset(demo, dir.path());
        QVERIFY(files.ok());
        const QString npy = dir.filePath("m.npy");
        QVERIFY(writeNpy(npy, demo.bpb, NpyDtype::Float64, false).ok());
        auto loaded = loadBpbMatrix(npy);
        QVERIFY(!loaded.ok());
        // One piece per block, then pieces of 3 texts on 3 threads: the first in text order wins.
        auto got = streamed(npy, files->errors, {}, Estimator::Spearmanr, 100);
        QVERIFY(!got.ok());
        QCOMPARE(got.error().toString(), loaded.error().toString());
        got = streamed(npy, files->errors, {}, Estimator::Spearmanr, 0, 0, -1, 3, 3);
        QVERIFY(!got.ok());
        QCOMPARE(got.error().toString(), loaded.error().toString());

        // Without the infinities: the negative values give the loader's warning.
        demo.bpb.values(2, 20) = 1.0;
        demo.bpb.values(4, 20) = 1.0;
        demo.bpb.values(0, 26) = 1.0;
        QVERIFY(writeNpy(npy, demo.bpb, NpyDtype::Float64, false).ok());
        loaded = loadBpbMatrix(npy);
        QVERIFY(loaded.ok());
        got = streamed(npy, files->errors, {}, Estimator::Spearmanr, 0, 0, -1, 3, 3);
        QVERIFY(got.ok());
        QCOMPARE(got->warnings.size(), 1);
        QCOMPARE(got->warnings.first().toString(), loaded->warnings.first().toString());
        got = streamed(npy, files->errors, {}, Estimator::Spearmanr, 100);
        QVERIFY(got.ok());
        QCOMPARE(got->warnings.size(), 1);
        QCOMPARE(got->warnings.first().toString(), loaded->warnings.first().toString());
    }

    void hashesAreTheFilesSha256()
    {
        DemoOptions options;
        options.llms = 8;
        options.texts = 40;
        const DemoDataset demo = generateDemoDataset(options);
        QTemporaryDir dir;
        auto files = writeDemoDataset(demo, dir.path());
        QVERIFY(files.ok());
        for (const bool fortran : { true, false }) {
            const QString npy = dir.filePath(QStringLiteral("m%1.npy").arg(fortran));
            QVERIFY(writeNpy(npy, demo.bpb, NpyDtype::Float32, fortran).ok());
            auto got = streamed(npy, files->errors, {}, Estimator::Spearmanr, 64);
            QVERIFY(got.ok());
            for (const auto &[path, hash] :
                 { std::pair { npy, got->bpbSha256 },
                   std::pair { npyTextsFileFor(npy), got->textsSha256 },
                   std::pair { npyLlmsFileFor(npy), got->llmsSha256 } }) {
                QProcess sha;
                sha.start(QStringLiteral("sha256sum"), { path });
                QVERIFY(sha.waitForFinished());
                QCOMPARE(hash, QString::fromLatin1(sha.readAllStandardOutput().left(64)));
            }
        }
    }

    void convertRoundTrip()
    {
        DemoOptions options;
        options.llms = 9;
        options.texts = 77;
        const DemoDataset demo = generateDemoDataset(options);
        QTemporaryDir dir;
        auto files = writeDemoDataset(demo, dir.path());
        QVERIFY(files.ok());
        auto original = loadBpbMatrix(files->bpb);
        QVERIFY(original.ok());
        // CSV -> f64 .npy (exact), then streamed .npy -> f32 .npy (rounded to float).
        const QString exact = dir.filePath("exact.npy");
        auto converted = convertBpbToNpy(files->bpb, {}, exact, {});
        QVERIFY2(converted.ok(), converted.ok() ? "" : qPrintable(converted.error().toString()));
        auto back = loadBpbMatrix(exact);
        QVERIFY(back.ok());
        QCOMPARE(back->llms, original->llms);
        QCOMPARE(back->texts, original->texts);
        QVERIFY(back->values == original->values);
        const QString narrow = dir.filePath("narrow.npy");
        BpbConvertOptions f32;
        f32.dtype = NpyDtype::Float32;
        converted = convertBpbToNpy(exact, {}, narrow, f32);
        QVERIFY(converted.ok());
        QVERIFY(converted->streamed);
        back = loadBpbMatrix(narrow);
        QVERIFY(back.ok());
        QCOMPARE(back->texts, original->texts);
        QVERIFY(back->values == original->values.cast<float>().cast<double>());
        // C order, float32, through the in-memory path.
        const QString cOrder = dir.filePath("c.npy");
        f32.fortranOrder = false;
        QVERIFY(convertBpbToNpy(exact, {}, cOrder, f32).ok());
        back = loadBpbMatrix(cOrder);
        QVERIFY(back.ok());
        QVERIFY(back->values == original->values.cast<float>().cast<double>());
        // Errors: a missing input, a .npy without its names files.
        QVERIFY(!convertBpbToNpy(dir.filePath("none.csv"), {}, dir.filePath("x.npy"), {}).ok());
        QFile::copy(exact, dir.filePath("bare.npy"));
        auto bare = convertBpbToNpy(dir.filePath("bare.npy"), {}, dir.filePath("y.npy"), {});
        QVERIFY(!bare.ok());
        QVERIFY(bare.error().reason.contains("texts file"));
        QVERIFY(!QFile::exists(dir.filePath("y.npy")));
    }
};

QTEST_GUILESS_MAIN(TestStreamEstimate)
#include "tst_streamestimate.moc"
