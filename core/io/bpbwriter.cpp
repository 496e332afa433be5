#include "core/io/bpbwriter.h"

#include "core/io/atomicwrite.h"
#include "core/io/bpblayouts.h"
#include "core/io/npywriter.h"
#include "core/io/selectionwriter.h"
#include "core/io/textutil.h"

#include <QFileInfo>

#include <cmath>

namespace pcs {

namespace {

constexpr qsizetype kFlushBytes = 1 << 20;

bool isNpyPath(const QString &path)
{
    return QFileInfo(path).suffix().compare(QLatin1String("npy"), Qt::CaseInsensitive) == 0;
}

Status checkNames(const QStringList &names, const char *what, const QString &path)
{
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (const QString problem = bpbNameProblem(names[i]); !problem.isEmpty())
            return Error::badInput(QStringLiteral("cannot write the %1 name %2 (number %3): %4")
                                       .arg(QLatin1String(what), io::quoteForMessage(names[i]))
                                       .arg(i + 1)
                                       .arg(problem),
                                   path);
    }
    return Done {};
}

void formatCsv(const BpbMatrix &matrix, const QString &labelColumn, const ByteSink &sink)
{
    QByteArray buffer;
    buffer.reserve(kFlushBytes + 4096);
    appendCsvField(buffer, labelColumn);
    for (const QString &llm : matrix.llms) {
        buffer += ',';
        appendCsvField(buffer, llm, CsvQuoting::Always);  // as in the package's files
    }
    buffer += '\n';
    for (qsizetype j = 0; j < matrix.texts.size(); ++j) {
        appendCsvField(buffer, matrix.texts[j]);
        for (qsizetype i = 0; i < matrix.llms.size(); ++i) {
            buffer += ',';
            const double value = matrix.values(i, j);
            if (std::isfinite(value))
                appendNumber(buffer, value);
        }
        buffer += '\n';
        if (buffer.size() >= kFlushBytes) {
            if (!sink(buffer.constData(), buffer.size()))
                return;
            buffer.clear();
        }
    }
    sink(buffer.constData(), buffer.size());
}

}  // namespace

QString bpbNameProblem(const QString &name)
{
    if (name.trimmed().isEmpty())
        return QStringLiteral("it is blank");
    if (name.contains(QLatin1Char('\n')))
        return QStringLiteral("it holds a newline");
    if (name.contains(QLatin1Char('\r')))
        return QStringLiteral("it holds a carriage return");
    if (name.contains(QLatin1Char('\t')))
        return QStringLiteral("it holds a tab");
    return {};
}

namespace {

Status checkMatrix(const QString &path, const BpbMatrix &matrix, const QString &labelColumn)
{
    if (matrix.values.rows() != matrix.llms.size() || matrix.values.cols() != matrix.texts.size())
        return Error::internal(QStringLiteral("a %1 × %2 matrix with %3 LLM and %4 text names")
                                   .arg(matrix.values.rows())
                                   .arg(matrix.values.cols())
                                   .arg(matrix.llms.size())
                                   .arg(matrix.texts.size()),
                               path);
    if (Status checked = checkNames(matrix.llms, "LLM", path); !checked)
        return checked;
    if (Status checked = checkNames(matrix.texts, "text", path); !checked)
        return checked;
    if (isNpyPath(path))
        return Done {};

    if (!io::isTextRowsLabelName(labelColumn))
        return Error::internal(QStringLiteral("%1 is not a label column of the text-rows layout")
                                   .arg(io::quoteForMessage(labelColumn)),
                               path);
    // The loader takes every column named id, chunk or domain for a label, wherever it is.
    for (const QString &llm : matrix.llms) {
        if (io::isTextRowsLabelName(llm))
            return Error::badInput(
                QStringLiteral("the LLM %1 has the name of a label column of the CSV layout (%2), "
                               "so the file would read back with that LLM as labels; rename "
                               "the LLM, or write a .npy matrix (its names are kept in a file "
                               "of their own)")
                    .arg(io::quoteForMessage(llm),
                         io::textRowsLabelNames().join(QStringLiteral(", "))),
                path);
    }
    return Done {};
}

}  // namespace

Status writeBpbMatrix(const QString &path, const BpbMatrix &matrix, const QString &labelColumn)
{
    if (Status checked = checkMatrix(path, matrix, labelColumn); !checked)
        return checked;
    if (isNpyPath(path))
        return writeNpyBpbMatrix(path, matrix);
    return writeAtomically(path,
                           [&](const ByteSink &sink) { formatCsv(matrix, labelColumn, sink); });
}

Status addBpbMatrix(OutputSet &outputs, const QString &path, const BpbMatrix &matrix,
                    const QString &labelColumn)
{
    if (Status checked = checkMatrix(path, matrix, labelColumn); !checked)
        return checked;
    if (isNpyPath(path))
        return addNpyBpbMatrix(outputs, path, matrix);
    auto file = outputs.add(path);
    if (!file)
        return file.error();
    formatCsv(matrix, labelColumn, (*file)->sink());
    return (*file)->status();
}

}  // namespace pcs
