// A NumPy .npy matrix (N LLMs x D texts) plus two name files.
#include "common/parallel.h"
#include "io/atomicwrite.h"
#include "io/bpblayouts.h"
#include "io/mappedfile.h"
#include "io/npyreader.h"
#include "io/npywriter.h"

#include <QDir>
#include <QFileInfo>

#include <cmath>

namespace pcs::io {

namespace {

// The names file given in the options, else `beside` (NAME.texts.txt or NAME.llms.txt).
Result<QString> nameFile(const QString &given, const QString &beside, const QString &npyPath,
                         const char *what, const char *option)
{
    if (!given.isEmpty())
        return given;
    if (QFileInfo::exists(beside))
        return beside;
    return Error::badInput(
        QStringLiteral("a .npy BPB matrix needs a file of %1 names, one per "
                       "line: pass %2, or put %3 beside it")
            .arg(QLatin1String(what), QLatin1String(option), QFileInfo(beside).fileName()),
        npyPath);
}

// NaN is a missing value; an infinity is an error; negatives are counted for a warning.
Status checkValues(const BpbMatrix &matrix, const QString &path, NegativeTally *negatives)
{
    const Eigen::MatrixXd &values = matrix.values;
    for (Eigen::Index j = 0; j < values.cols(); ++j) {
        for (Eigen::Index i = 0; i < values.rows(); ++i) {
            const double v = values(i, j);
            const auto where = [&] {
                return QStringLiteral("LLM %1 (row %2), text %3 (column %4)")
                    .arg(quoteForMessage(matrix.llms[i]))
                    .arg(i + 1)
                    .arg(quoteForMessage(matrix.texts[j]))
                    .arg(j + 1);
            };
            if (std::isinf(v))
                return Error::badInput(QStringLiteral("infinite value at %1").arg(where()), path);
            if (v < 0 && negatives->count++ == 0)
                negatives->where = where();
        }
    }
    return Done {};
}

// A matrix and its name files are published together (writeNpyBpbMatrix); a writer killed
// between the renames leaves a journal, and finishing it here means the files read below are
// all of one write. A writer still at work is reported instead.
Status finishInterruptedWrites(const QString &path, const BpbLoadOptions &options)
{
    for (const QString &member :
         { path, options.textsFile.isEmpty() ? npyTextsFileFor(path) : options.textsFile,
           options.llmsFile.isEmpty() ? npyLlmsFileFor(path) : options.llmsFile }) {
        if (Result<bool> recovered = recoverInterruptedOutputs(member); !recovered)
            return recovered.error();
    }
    return Done {};
}

// The matrix as the message about a names file mentions it: by name when beside it.
QString matrixForMessage(const QString &npyPath, const QString &namesFile)
{
    const QFileInfo npy(npyPath);
    return npy.absoluteDir() == QFileInfo(namesFile).absoluteDir() ? npy.fileName()
                                                                   : npy.absoluteFilePath();
}

}  // namespace

Result<BpbMatrix> loadNpyBpb(const QString &path, const BpbLoadOptions &options,
                             const TaskControl &control)
{
    if (Status finished = finishInterruptedWrites(path, options); !finished)
        return finished.error();
    MappedFile file;
    if (Status opened = file.open(path); !opened)
        return opened.error();
    auto header = readNpyHeader(file.bytes(), path);
    if (!header)
        return header.error();
    if (header->shape.size() != 2)
        return Error::badInput(QStringLiteral("expected a 2-D array (LLMs x texts), found shape "
                                              "%1")
                                   .arg(npyShapeText(header->shape)),
                               path);
    const qint64 llmCount = header->shape[0];
    const qint64 textCount = header->shape[1];
    if (llmCount == 0 || textCount == 0)
        return Error::badInput(QStringLiteral("empty array (shape %1): no LLMs or no texts")
                                   .arg(npyShapeText(header->shape)),
                               path);
    const auto available = qint64(file.bytes().size()) - header->dataOffset;
    // Sizes come from the file: guard the multiplication before trusting it.
    const bool tooBig = llmCount > 0 && textCount > (qint64(1) << 60) / llmCount / 8;
    const qint64 expected = tooBig ? -1 : llmCount * textCount * header->itemSize;
    if (expected != available)
        return Error::badInput(
            expected < 0 || expected > available
                ? QStringLiteral("truncated .npy file: shape %1 of %2 needs %3 bytes of data, the "
                                 "file has %4")
                      .arg(npyShapeText(header->shape), header->descr)
                      .arg(expected)
                      .arg(available)
                : QStringLiteral("%1 unexpected bytes after the array data (shape %2 of %3)")
                      .arg(available - expected)
                      .arg(npyShapeText(header->shape), header->descr),
            path);

    auto textsPath = nameFile(options.textsFile, npyTextsFileFor(path), path, "text",
                              "a texts file (--texts)");
    if (!textsPath)
        return textsPath.error();
    auto llmsPath
        = nameFile(options.llmsFile, npyLlmsFileFor(path), path, "LLM", "an LLMs file (--llms)");
    if (!llmsPath)
        return llmsPath.error();
    auto texts = loadNameList(*textsPath, "text");
    if (!texts)
        return texts.error();
    auto llms = loadNameList(*llmsPath, "LLM");
    if (!llms)
        return llms.error();
    const auto mismatch = [&](const QString &namesFile, qsizetype names, const char *what,
                              qint64 expectedNames) {
        return Error::badInput(QStringLiteral("has %1 %2 names, but %3 has shape %4: expected %5")
                                   .arg(names)
                                   .arg(QLatin1String(what), matrixForMessage(path, namesFile),
                                        npyShapeText(header->shape))
                                   .arg(expectedNames),
                               namesFile);
    };
    if (texts->size() != textCount)
        return mismatch(*textsPath, texts->size(), "text", textCount);
    if (llms->size() != llmCount)
        return mismatch(*llmsPath, llms->size(), "LLM", llmCount);

    BpbMatrix matrix;
    matrix.layout = BpbLayout::Npy;
    matrix.llms = *llms;
    matrix.texts = *texts;
    if (Status allocated = allocateMatrix(matrix.values, llmCount, textCount, path); !allocated)
        return allocated.error();
    const char *data = file.bytes().data() + header->dataOffset;
    // Progress in bytes of the file, like the delimited layouts.
    const qint64 fileBytes = qint64(file.bytes().size());
    const TaskControl copyControl(
        [&](qint64 columns, qint64) {
            control.reportProgress(header->dataOffset + columns * llmCount * header->itemSize,
                                   fileBytes);
        },
        [&control] { return control.isCanceled(); });
    if (!copyNpyMatrix(data, *header, matrix.values, resolveThreadCount(options.threads),
                       copyControl))
        return Error::canceled();
    NegativeTally negatives;
    if (Status checked = checkValues(matrix, path, &negatives); !checked)
        return checked.error();
    negatives.warnInto(matrix.warnings, path);
    return matrix;
}

}  // namespace pcs::io
