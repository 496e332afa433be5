#include "core/io/npywriter.h"

#include "core/io/textutil.h"

#include <QFileInfo>

#include <algorithm>
#include <vector>

namespace pcs {

namespace {

static_assert(Q_BYTE_ORDER == Q_LITTLE_ENDIAN, "the .npy writer assumes a little-endian machine");

constexpr qint64 kBlockValues = 1 << 16;  // 512 KiB of doubles per write

QString besideNpy(const QString &npyPath, const char *suffix)
{
    const QFileInfo npy(npyPath);
    return npy.path() + QLatin1Char('/') + npy.completeBaseName() + QLatin1String(suffix);
}

// The names, one per line; an error for a name such a file cannot hold.
Result<QByteArray> nameLines(const QStringList &names, const char *what, const QString &file)
{
    QByteArray lines;
    for (qsizetype i = 0; i < names.size(); ++i) {
        const QString &name = names[i];
        if (name.isEmpty() || name.contains(QLatin1Char('\n')) || name.contains(QLatin1Char('\r')))
            return Error::badInput(
                QStringLiteral("%1 name %2 (number %3) cannot be written one per line: it is "
                               "empty or holds a line break")
                    .arg(QLatin1String(what), io::quoteForMessage(name))
                    .arg(i + 1),
                file);
        lines += name.toUtf8();
        lines += '\n';
    }
    return lines;
}

}  // namespace

QByteArray npyHeader(qint64 rows, qint64 cols, NpyDtype dtype, bool fortranOrder)
{
    QByteArray dict = QByteArrayLiteral("{'descr': '")
        + (dtype == NpyDtype::Float64 ? "<f8" : "<f4") + QByteArrayLiteral("', 'fortran_order': ")
        + (fortranOrder ? "True" : "False") + QByteArrayLiteral(", 'shape': (")
        + QByteArray::number(rows) + ", " + QByteArray::number(cols) + "), }";
    // magic (6) + version (2) + length (2) + dict + newline, a multiple of 64.
    const qsizetype unpadded = 10 + dict.size() + 1;
    dict.append((64 - unpadded % 64) % 64, ' ');
    dict.append('\n');
    QByteArray header("\x93NUMPY\x01\x00", 8);
    header.append(char(dict.size() & 0xFF)).append(char((dict.size() >> 8) & 0xFF));
    return header + dict;
}

Status writeNpyMatrix(AtomicFile &file, const Eigen::MatrixXd &values)
{
    if (Status written = file.write(npyHeader(values.rows(), values.cols(), NpyDtype::Float64));
        !written)
        return written;
    // Eigen stores columns; C order wants rows: gather each row a block at a time.
    std::vector<double> block(std::size_t(std::min<qint64>(kBlockValues, values.cols())));
    for (Eigen::Index i = 0; i < values.rows(); ++i) {
        for (Eigen::Index first = 0; first < values.cols(); first += kBlockValues) {
            const Eigen::Index count = std::min<Eigen::Index>(kBlockValues, values.cols() - first);
            for (Eigen::Index j = 0; j < count; ++j)
                block[std::size_t(j)] = values(i, first + j);
            if (Status written = file.write(reinterpret_cast<const char *>(block.data()),
                                            qint64(count) * qint64(sizeof(double)));
                !written)
                return written;
        }
    }
    return file.status();
}

Status writeNpyColumns(AtomicFile &file, const Eigen::MatrixXd &block, NpyDtype dtype)
{
    if (dtype == NpyDtype::Float64)
        return file.write(reinterpret_cast<const char *>(block.data()),
                          qint64(block.size()) * qint64(sizeof(double)));
    std::vector<float> narrow(std::size_t(block.size()));
    for (Eigen::Index k = 0; k < block.size(); ++k)
        narrow[std::size_t(k)] = float(block.data()[k]);
    return file.write(reinterpret_cast<const char *>(narrow.data()),
                      qint64(narrow.size()) * qint64(sizeof(float)));
}

Status writeNpyMatrix(AtomicFile &file, const Eigen::MatrixXd &values, NpyDtype dtype,
                      bool fortranOrder)
{
    if (dtype == NpyDtype::Float64 && !fortranOrder)
        return writeNpyMatrix(file, values);
    if (Status written = file.write(npyHeader(values.rows(), values.cols(), dtype, fortranOrder));
        !written)
        return written;
    if (fortranOrder) {
        const Eigen::Index step
            = std::max<Eigen::Index>(1, kBlockValues / std::max<Eigen::Index>(1, values.rows()));
        for (Eigen::Index first = 0; first < values.cols(); first += step) {
            const Eigen::MatrixXd block
                = values.middleCols(first, std::min(step, values.cols() - first));
            if (Status written = writeNpyColumns(file, block, dtype); !written)
                return written;
        }
        return file.status();
    }
    std::vector<float> row(std::size_t(values.cols()));
    for (Eigen::Index i = 0; i < values.rows(); ++i) {
        for (Eigen::Index j = 0; j < values.cols(); ++j)
            row[std::size_t(j)] = float(values(i, j));
        if (Status written = file.write(reinterpret_cast<const char *>(row.data()),
                                        qint64(row.size()) * qint64(sizeof(float)));
            !written)
            return written;
    }
    return file.status();
}

QString npyTextsFileFor(const QString &npyPath)
{
    return besideNpy(npyPath, ".texts.txt");
}

QString npyLlmsFileFor(const QString &npyPath)
{
    return besideNpy(npyPath, ".llms.txt");
}

Status writeNpyBpbMatrix(const QString &npyPath, const BpbMatrix &matrix)
{
    OutputSet outputs;
    if (Status added = addNpyBpbMatrix(outputs, npyPath, matrix); !added)
        return added;
    return outputs.publish();
}

Status addNpyBpbMatrix(OutputSet &outputs, const QString &npyPath, const BpbMatrix &matrix,
                       NpyDtype dtype, bool fortranOrder)
{
    if (matrix.values.rows() != matrix.llms.size() || matrix.values.cols() != matrix.texts.size())
        return Error::internal(QStringLiteral("a %1 × %2 matrix with %3 LLM and %4 text names")
                                   .arg(matrix.values.rows())
                                   .arg(matrix.values.cols())
                                   .arg(matrix.llms.size())
                                   .arg(matrix.texts.size()),
                               npyPath);
    const QString textsPath = npyTextsFileFor(npyPath);
    const QString llmsPath = npyLlmsFileFor(npyPath);
    auto texts = nameLines(matrix.texts, "text", npyPath);
    if (!texts)
        return texts.error();
    auto llms = nameLines(matrix.llms, "LLM", npyPath);
    if (!llms)
        return llms.error();

    // The matrix first: a publication interrupted after its rename is the case the journal
    // (and the readers that finish it) must handle.
    auto npyFile = outputs.add(npyPath);
    if (!npyFile)
        return npyFile.error();
    if (Status written = writeNpyMatrix(**npyFile, matrix.values, dtype, fortranOrder); !written)
        return written;
    for (const auto &[path, content] :
         { std::pair { textsPath, *texts }, std::pair { llmsPath, *llms } }) {
        auto file = outputs.add(path);
        if (!file)
            return file.error();
        if (Status written = (*file)->write(content); !written)
            return written;
    }
    return Done {};
}

}  // namespace pcs
