#include "io/bpbsource.h"

#include "common/parallel.h"
#include "io/atomicwrite.h"
#include "io/filekind.h"
#include "io/matrixcopy.h"
#include "io/npywriter.h"
#include "io/sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pcs::io {

namespace {

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

QString matrixForMessage(const QString &npyPath, const QString &namesFile)
{
    const QFileInfo npy(npyPath);
    return npy.absoluteDir() == QFileInfo(namesFile).absoluteDir() ? npy.fileName()
                                                                   : npy.absoluteFilePath();
}

}  // namespace

bool isStreamableBpb(const QString &path, const BpbLoadOptions &options)
{
    if (options.layout == BpbLayout::Npy)
        return true;
    if (options.layout != BpbLayout::Auto)
        return false;
    if (QFileInfo(path).suffix().compare(QLatin1String("npy"), Qt::CaseInsensitive) == 0)
        return true;
    QFile file(path);
    if (checkRegularFile(path) && file.open(QIODevice::ReadOnly))
        return file.read(6) == QByteArray("\x93NUMPY");
    return false;
}

NpyBpbSource::~NpyBpbSource()
{
    if (m_descriptor >= 0)
        ::close(m_descriptor);
}

Status NpyBpbSource::readAt(qint64 offset, char *into, qint64 bytes) const
{
    while (bytes > 0) {
        const ssize_t got = ::pread(m_descriptor, into, std::size_t(bytes), off_t(offset));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return Error::internal(got == 0
                                       ? QStringLiteral("the file shrank while it was read")
                                       : QStringLiteral("cannot read: %1")
                                             .arg(QString::fromLocal8Bit(std::strerror(errno))),
                                   m_path);
        into += got;
        offset += got;
        bytes -= got;
    }
    return Done {};
}

Result<std::unique_ptr<NpyBpbSource>>
NpyBpbSource::open(const QString &path, const BpbLoadOptions &options, bool hashNames)
{
    // A matrix and its names files are published together; finish a writer's interrupted
    // publication first, as the in-memory loader does.
    for (const QString &member :
         { path, options.textsFile.isEmpty() ? npyTextsFileFor(path) : options.textsFile,
           options.llmsFile.isEmpty() ? npyLlmsFileFor(path) : options.llmsFile }) {
        if (Result<bool> recovered = recoverInterruptedOutputs(member); !recovered)
            return recovered.error();
    }
    if (Status regular = checkRegularFile(path); !regular)
        return regular.error();
    std::unique_ptr<NpyBpbSource> source(new NpyBpbSource);
    source->m_path = path;
    source->m_descriptor
        = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (source->m_descriptor < 0)
        return Error::badInput(QStringLiteral("cannot open file: %1")
                                   .arg(QString::fromLocal8Bit(std::strerror(errno))),
                               path);
    struct stat status { };
    if (::fstat(source->m_descriptor, &status) != 0 || !S_ISREG(status.st_mode))
        return Error::badInput(QStringLiteral("not a regular file (it changed while it was "
                                              "opened)"),
                               path);
    source->m_fileBytes = qint64(status.st_size);
    if (source->m_fileBytes == 0)
        return Error::badInput(QStringLiteral("file is empty"), path, 1);
    std::string head(std::size_t(std::min<qint64>(source->m_fileBytes, 1 << 20)), '\0');
    if (Status read = source->readAt(0, head.data(), qint64(head.size())); !read)
        return read.error();
    auto header = readNpyHeader(head, path);
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
    const qint64 available = source->m_fileBytes - header->dataOffset;
    const bool tooBig = textCount > (qint64(1) << 60) / llmCount / 8;
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
    source->m_header = std::move(header).value();

    auto textsPath = nameFile(options.textsFile, npyTextsFileFor(path), path, "text",
                              "a texts file (--texts)");
    if (!textsPath)
        return textsPath.error();
    auto llmsPath
        = nameFile(options.llmsFile, npyLlmsFileFor(path), path, "LLM", "an LLMs file (--llms)");
    if (!llmsPath)
        return llmsPath.error();
    auto texts = loadTextNames(*textsPath, "text", hashNames ? &source->m_textsSha256 : nullptr);
    if (!texts)
        return texts.error();
    auto llms = loadNameList(*llmsPath, "LLM");
    if (!llms)
        return llms.error();
    if (hashNames) {
        auto llmsHash = sha256OfFile(*llmsPath);
        if (!llmsHash)
            return llmsHash.error();
        source->m_llmsSha256 = *llmsHash;
    }
    const auto mismatch = [&](const QString &namesFile, qint64 names, const char *what,
                              qint64 expectedNames) {
        return Error::badInput(QStringLiteral("has %1 %2 names, but %3 has shape %4: expected %5")
                                   .arg(names)
                                   .arg(QLatin1String(what), matrixForMessage(path, namesFile),
                                        npyShapeText(source->m_header.shape))
                                   .arg(expectedNames),
                               namesFile);
    };
    if (texts->size() != textCount)
        return mismatch(*textsPath, texts->size(), "text", textCount);
    if (llms->size() != llmCount)
        return mismatch(*llmsPath, llms->size(), "LLM", llmCount);
    source->m_texts = std::move(texts).value();
    source->m_llms = std::move(llms).value();
    source->m_textsPath = *textsPath;
    source->m_llmsPath = *llmsPath;
    if (source->readsInFileOrder())
        ::posix_fadvise(source->m_descriptor, 0, 0, POSIX_FADV_SEQUENTIAL);
    return source;
}

Status NpyBpbSource::readPrefix(std::string &bytes) const
{
    bytes.resize(std::size_t(m_header.dataOffset));
    return readAt(0, bytes.data(), m_header.dataOffset);
}

Status NpyBpbSource::readRaw(qint64 first, qint64 end, std::vector<char> &raw) const
{
    const qint64 rows = llmCount();
    const qint64 item = itemSize();
    const qint64 count = end - first;
    raw.resize(std::size_t(rows * count * item));
    if (m_header.fortranOrder)
        return readAt(m_header.dataOffset + first * rows * item, raw.data(), rows * count * item);
    for (qint64 r = 0; r < rows; ++r) {
        const qint64 offset = m_header.dataOffset + (r * textCount() + first) * item;
        if (Status read = readAt(offset, raw.data() + r * count * item, count * item); !read)
            return read;
    }
    return Done {};
}

void NpyBpbSource::decode(const std::vector<char> &raw, qint64 count, Eigen::MatrixXd &out,
                          int threads) const
{
    const qint64 rows = llmCount();
    if (out.rows() != rows || out.cols() != count)
        out.resize(rows, count);
    double *target = out.data();
    const char *data = raw.data();
    const bool fortran = m_header.fortranOrder;
    const bool wide = itemSize() == 8;
    const qint64 block = std::max<qint64>(256, (1 << 16) / std::max<qint64>(1, rows));
    parallelFor(count, block, threads, TaskControl::none(), [&](qint64 begin, qint64 end) {
        if (fortran) {
            if (wide)
                std::memcpy(target + begin * rows, data + begin * rows * 8,
                            std::size_t((end - begin) * rows) * 8);
            else
                for (qint64 k = begin * rows; k < end * rows; ++k)
                    target[k] = loadUnaligned<float>(data + k * 4);
        } else if (wide) {
            copyRowMajorColumns<double>(data, rows, count, target, begin, end);
        } else {
            copyRowMajorColumns<float>(data, rows, count, target, begin, end);
        }
    });
}

}  // namespace pcs::io
