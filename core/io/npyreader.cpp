#include "core/io/npyreader.h"

#include "core/common/parallel.h"
#include "core/io/filekind.h"
#include "core/io/mappedfile.h"
#include "core/io/matrixcopy.h"
#include "core/io/pyliteral.h"
#include "core/io/textutil.h"

#include <QHash>

#include <cstring>

namespace pcs::io {

namespace {

static_assert(Q_BYTE_ORDER == Q_LITTLE_ENDIAN, "the .npy reader assumes a little-endian machine");

Error headerError(const QString &reason, const QString &path)
{
    return Error::badInput(reason, path);
}

quint32 readLittleEndian(std::string_view bytes, std::size_t at, int size)
{
    quint32 value = 0;
    for (int i = size - 1; i >= 0; --i)
        value = (value << 8) | static_cast<unsigned char>(bytes[at + std::size_t(i)]);
    return value;
}

// Checks the dtype string: little-endian (or native, or "not applicable") float32/float64.
bool acceptDescr(const QString &descr, NpyHeader *header, QString *reason)
{
    QString body = descr;
    if (!body.isEmpty() && QStringLiteral("<|=").contains(body.front()))
        body.remove(0, 1);
    else if (body.startsWith(QLatin1Char('>'))) {
        *reason = QStringLiteral("big-endian dtype '%1' is not supported; save the array as "
                                 "little-endian (arr.astype('<f8'))")
                      .arg(descr);
        return false;
    }
    if (body == QLatin1String("f8") || body == QLatin1String("f4")) {
        header->itemSize = body == QLatin1String("f8") ? 8 : 4;
        return true;
    }
    *reason = QStringLiteral("unsupported dtype '%1': expected float64 ('<f8') or float32 "
                             "('<f4')")
                  .arg(descr);
    return false;
}

// Copies columns [first, last) of the rows x cols array into the column-major output.
template<typename T>
void copyColumns(const char *data, bool fortranOrder, qint64 rows, qint64 cols, double *out,
                 qint64 first, qint64 last)
{
    if (fortranOrder) {
        if constexpr (sizeof(T) == sizeof(double)) {
            std::memcpy(out + first * rows, data + first * rows * qint64(sizeof(T)),
                        std::size_t((last - first) * rows) * sizeof(double));
        } else {
            for (qint64 k = first * rows; k < last * rows; ++k)
                out[k] = loadUnaligned<T>(data + k * qint64(sizeof(T)));
        }
        return;
    }
    copyRowMajorColumns<T>(data, rows, cols, out, first, last);
}

}  // namespace

QString npyShapeText(const std::vector<qint64> &shape)
{
    QStringList parts;
    for (const qint64 n : shape)
        parts.append(QString::number(n));
    return QLatin1Char('(') + parts.join(QStringLiteral(", "))
        + (shape.size() == 1 ? QStringLiteral(",)") : QStringLiteral(")"));
}

Result<NpyHeader> readNpyHeader(std::string_view bytes, const QString &path)
{
    if (bytes.size() < 10 || bytes.substr(0, 6) != "\x93NUMPY") {
        QString looks = describeNonTextContent(bytes.substr(0, 64 * 1024));
        if (looks.isEmpty() && bytes.find_first_not_of(" \t\r\n") != std::string_view::npos)
            looks = QStringLiteral("it looks like text");
        return headerError(QStringLiteral("not a NumPy .npy file (no \\x93NUMPY signature)%1")
                               .arg(looks.isEmpty() ? QString() : QStringLiteral(": ") + looks),
                           path);
    }
    const int major = static_cast<unsigned char>(bytes[6]);
    if (major < 1 || major > 3)
        return headerError(QStringLiteral("unsupported .npy format version %1.%2")
                               .arg(major)
                               .arg(static_cast<unsigned char>(bytes[7])),
                           path);
    const std::size_t lengthSize = major == 1 ? 2 : 4;
    if (bytes.size() < 8 + lengthSize)
        return headerError(QStringLiteral("truncated .npy header"), path);
    const std::size_t headerLength = readLittleEndian(bytes, 8, int(lengthSize));
    const std::size_t headerStart = 8 + lengthSize;
    if (bytes.size() < headerStart + headerLength)
        return headerError(QStringLiteral("truncated .npy header"), path);

    PyDict dict;
    QString parseError;
    if (!parsePyDict(bytes.substr(headerStart, headerLength), &dict, &parseError))
        return headerError(QStringLiteral("malformed .npy header: %1").arg(parseError), path);
    NpyHeader header;
    header.dataOffset = qint64(headerStart + headerLength);

    const PyValue *descr = dict.find("descr");
    const PyValue *fortran = dict.find("fortran_order");
    const PyValue *shape = dict.find("shape");
    if (!descr || !fortran || !shape)
        return headerError(QStringLiteral("malformed .npy header: it needs descr, fortran_order "
                                          "and shape"),
                           path);
    if (descr->kind != PyValue::String)
        return headerError(QStringLiteral("unsupported dtype (a structured array); expected "
                                          "float64 ('<f8') or float32 ('<f4')"),
                           path);
    header.descr = QString::fromStdString(descr->text);
    QString reason;
    if (!acceptDescr(header.descr, &header, &reason))
        return headerError(reason, path);
    if (fortran->kind != PyValue::Bool)
        return headerError(QStringLiteral("malformed .npy header: fortran_order is not True or "
                                          "False"),
                           path);
    header.fortranOrder = fortran->boolean;
    if (shape->kind != PyValue::Tuple)
        return headerError(QStringLiteral("malformed .npy header: shape is not a tuple"), path);
    for (const PyValue &n : shape->items) {
        if (n.kind != PyValue::Int || n.integer < 0)
            return headerError(QStringLiteral("malformed .npy header: bad shape"), path);
        header.shape.push_back(n.integer);
    }
    return header;
}

bool copyNpyMatrix(const char *data, const NpyHeader &header, Eigen::MatrixXd &out, int threads,
                   const TaskControl &control)
{
    const qint64 rows = out.rows();
    const qint64 cols = out.cols();
    double *target = out.data();
    // Blocks of columns: each thread writes its own part of the output.
    const qint64 block = std::max<qint64>(1, (1 << 18) / std::max<qint64>(1, rows));
    return parallelFor(cols, block, threads, control, [&](qint64 first, qint64 last) {
        if (header.itemSize == 8)
            copyColumns<double>(data, header.fortranOrder, rows, cols, target, first, last);
        else
            copyColumns<float>(data, header.fortranOrder, rows, cols, target, first, last);
    });
}

Result<QStringList> loadNameList(const QString &path, const char *what)
{
    MappedFile file;
    if (Status opened = file.open(path); !opened)
        return opened.error();
    std::string_view text = file.text();
    if (const QString looks = describeNonTextContent(text.substr(0, 64 * 1024)); !looks.isEmpty())
        return Error::badInput(QStringLiteral("not a file of %1 names (one per line): %2")
                                   .arg(QLatin1String(what), looks),
                               path);
    QStringList names;
    std::vector<qint64> emptyLines;
    QHash<QString, qint64> seen;
    qint64 line = 0;
    while (!text.empty()) {
        ++line;
        const std::size_t newline = text.find('\n');
        std::string_view name = text.substr(0, newline);
        text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
        if (!name.empty() && name.back() == '\r')
            name.remove_suffix(1);
        if (name.empty()) {
            emptyLines.push_back(line);
            continue;
        }
        // Only empty lines at the very end are allowed; one in the middle shifts every name.
        if (!emptyLines.empty())
            return Error::badInput(
                QStringLiteral("empty %1 name (one name per line)").arg(QLatin1String(what)), path,
                emptyLines.front(), 1);
        if (qsizetype bad = 0; !isValidUtf8(name, &bad))
            return Error::badInput(QStringLiteral("invalid UTF-8 in %1 name %2")
                                       .arg(QLatin1String(what), quoteForMessage(name)),
                                   path, line, bad + 1);
        const QString decoded = toQString(name);
        const qsizetype before = seen.size();
        qint64 &first = seen[decoded];
        if (seen.size() == before)
            return Error::badInput(QStringLiteral("duplicate %1 name %2 (first on line %3)")
                                       .arg(QLatin1String(what), quoteForMessage(decoded))
                                       .arg(first),
                                   path, line, 1);
        first = line;
        names.append(decoded);
    }
    if (names.isEmpty())
        return Error::badInput(QStringLiteral("no %1 names in the file").arg(QLatin1String(what)),
                               path);
    return names;
}

}  // namespace pcs::io
