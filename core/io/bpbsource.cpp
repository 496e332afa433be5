#include "core/io/bpbsource.h"

#include "core/common/parallel.h"
#include "core/io/atomicwrite.h"
#include "core/io/filekind.h"
#include "core/io/matrixcopy.h"
#include "core/io/npybpbfiles.h"
#include "core/io/npywriter.h"
#include "core/io/sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pcs::io {

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
    if (Status finished = finishInterruptedNpyWrites(path, options); !finished)
        return finished.error();
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
    if (Status shaped = checkNpyBpbShape(*header, source->m_fileBytes - header->dataOffset, path);
        !shaped)
        return shaped.error();
    const qint64 llmCount = header->shape[0];
    const qint64 textCount = header->shape[1];
    source->m_header = std::move(header).value();

    auto names = findNpyNamesFiles(path, options);
    if (!names)
        return names.error();
    const QString *textsPath = &names->texts, *llmsPath = &names->llms;
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
    if (Status counted
        = checkNpyNameCount(path, source->m_header, *textsPath, texts->size(), "text", textCount);
        !counted)
        return counted.error();
    if (Status counted
        = checkNpyNameCount(path, source->m_header, *llmsPath, llms->size(), "LLM", llmCount);
        !counted)
        return counted.error();
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

Status NpyBpbSource::readRaw(qint64 first, qint64 end, RawBlock &raw) const
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

void NpyBpbSource::decode(const RawBlock &raw, qint64 count, Eigen::MatrixXd &out,
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

void NpyBpbSource::decodeColumns(const RawBlock &raw, qint64 count, qint64 begin, qint64 end,
                                 double *out) const
{
    const qint64 rows = llmCount();
    const char *data = raw.data();
    const qint64 width = end - begin;
    if (m_header.fortranOrder) {
        if (itemSize() == 8) {
            std::memcpy(out, data + begin * rows * 8, std::size_t(width * rows) * 8);
        } else {
            const char *from = data + begin * rows * 4;
            for (qint64 k = 0; k < width * rows; ++k)
                out[k] = loadUnaligned<float>(from + k * 4);
        }
        return;
    }
    // Row-major: each row's piece is read in order and written with a stride of N; `out` is
    // small enough to stay in cache.
    const qint64 item = itemSize();
    for (qint64 r = 0; r < rows; ++r) {
        const char *from = data + (r * count + begin) * item;
        double *to = out + r;
        if (item == 8)
            for (qint64 c = 0; c < width; ++c)
                to[c * rows] = loadUnaligned<double>(from + c * 8);
        else
            for (qint64 c = 0; c < width; ++c)
                to[c * rows] = loadUnaligned<float>(from + c * 4);
    }
}

}  // namespace pcs::io
