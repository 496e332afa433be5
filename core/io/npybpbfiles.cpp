#include "core/io/npybpbfiles.h"

#include "core/io/atomicwrite.h"
#include "core/io/npywriter.h"

#include <QDir>
#include <QFileInfo>

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

// The matrix as the message about a names file mentions it: by name when beside it.
QString matrixForMessage(const QString &npyPath, const QString &namesFile)
{
    const QFileInfo npy(npyPath);
    return npy.absoluteDir() == QFileInfo(namesFile).absoluteDir() ? npy.fileName()
                                                                   : npy.absoluteFilePath();
}

}  // namespace

Status finishInterruptedNpyWrites(const QString &path, const BpbLoadOptions &options)
{
    for (const QString &member :
         { path, options.textsFile.isEmpty() ? npyTextsFileFor(path) : options.textsFile,
           options.llmsFile.isEmpty() ? npyLlmsFileFor(path) : options.llmsFile }) {
        if (Result<bool> recovered = recoverInterruptedOutputs(member); !recovered)
            return recovered.error();
    }
    return Done {};
}

Status checkNpyBpbShape(const NpyHeader &header, qint64 dataBytes, const QString &path)
{
    if (header.shape.size() != 2)
        return Error::badInput(QStringLiteral("expected a 2-D array (LLMs x texts), found shape "
                                              "%1")
                                   .arg(npyShapeText(header.shape)),
                               path);
    const qint64 llmCount = header.shape[0];
    const qint64 textCount = header.shape[1];
    if (llmCount == 0 || textCount == 0)
        return Error::badInput(QStringLiteral("empty array (shape %1): no LLMs or no texts")
                                   .arg(npyShapeText(header.shape)),
                               path);
    // Sizes come from the file: guard the multiplication before trusting it.
    const bool tooBig = textCount > (qint64(1) << 60) / llmCount / 8;
    const qint64 expected = tooBig ? -1 : llmCount * textCount * header.itemSize;
    if (expected != dataBytes)
        return Error::badInput(
            expected < 0 || expected > dataBytes
                ? QStringLiteral("truncated .npy file: shape %1 of %2 needs %3 bytes of data, the "
                                 "file has %4")
                      .arg(npyShapeText(header.shape), header.descr)
                      .arg(expected)
                      .arg(dataBytes)
                : QStringLiteral("%1 unexpected bytes after the array data (shape %2 of %3)")
                      .arg(dataBytes - expected)
                      .arg(npyShapeText(header.shape), header.descr),
            path);
    return Done {};
}

Result<NpyNamesFiles> findNpyNamesFiles(const QString &path, const BpbLoadOptions &options)
{
    auto texts = nameFile(options.textsFile, npyTextsFileFor(path), path, "text",
                          "a texts file (--texts)");
    if (!texts)
        return texts.error();
    auto llms
        = nameFile(options.llmsFile, npyLlmsFileFor(path), path, "LLM", "an LLMs file (--llms)");
    if (!llms)
        return llms.error();
    return NpyNamesFiles { *texts, *llms };
}

Status checkNpyNameCount(const QString &npyPath, const NpyHeader &header, const QString &namesFile,
                         qint64 names, const char *what, qint64 expected)
{
    if (names == expected)
        return Done {};
    return Error::badInput(QStringLiteral("has %1 %2 names, but %3 has shape %4: expected %5")
                               .arg(names)
                               .arg(QLatin1String(what), matrixForMessage(npyPath, namesFile),
                                    npyShapeText(header.shape))
                               .arg(expected),
                           namesFile);
}

}  // namespace pcs::io
