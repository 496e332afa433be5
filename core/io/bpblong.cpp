// Long layout: one row per value, columns llm (or model), text and bpb in any order. Parsed
// sequentially: long files are rarely the big ones.
#include "core/io/bpblayouts.h"

#include <QHash>

#include <algorithm>
#include <limits>

namespace pcs::io {

namespace {

struct LongColumns {
    int llm = -1;
    int text = -1;
    int bpb = -1;
};

bool findLongColumns(const QStringList &names, LongColumns *columns)
{
    if (names.size() != 3)
        return false;
    for (int i = 0; i < 3; ++i) {
        const QString &name = names[i];
        int *slot = nullptr;
        if (name == QLatin1String("llm") || name == QLatin1String("model"))
            slot = &columns->llm;
        else if (name == QLatin1String("text"))
            slot = &columns->text;
        else if (name == QLatin1String("bpb"))
            slot = &columns->bpb;
        if (!slot || *slot >= 0)
            return false;
        *slot = i;
    }
    return true;
}

struct LongValue {
    qint32 llm;
    qint32 text;
    double value;
    qint64 line;
};

// Index of `name` in first-appearance order, adding it if new.
qint32 indexOf(QHash<QString, qint32> &indices, QStringList &names, const QString &name)
{
    const auto size = qint32(indices.size());
    const qint32 index = indices.value(name, size);
    if (index == size) {
        indices.insert(name, index);
        names.append(name);
    }
    return index;
}

}  // namespace

bool isLongHeader(const QStringList &names)
{
    LongColumns columns;
    return findLongColumns(names, &columns);
}

Result<BpbMatrix> parseLong(const BpbCsvInput &input, const TaskControl &control)
{
    LongColumns columns;
    if (!findLongColumns(input.header.names, &columns))
        return Error::badInput(QStringLiteral("not a long BPB file: the header must be exactly "
                                              "llm,text,bpb in any order (found: %1)")
                                   .arg(listColumns(input.header.names)),
                               input.path, input.header.line);
    const char *bodyBegin = input.header.bodyBegin;
    const char *end = input.text.data() + input.text.size();
    CsvRecordReader reader(std::string_view(bodyBegin, std::size_t(end - bodyBegin)),
                           input.header.delimiter, input.header.bodyLine);
    BpbMatrix matrix;
    matrix.layout = BpbLayout::Long;
    QHash<QString, qint32> llmIndex;
    QHash<QString, qint32> textIndex;
    std::vector<LongValue> values;
    NegativeTally negatives;
    while (reader.next()) {
        const auto &fields = reader.fields();
        const qint64 line = reader.recordLine();
        if (fields.size() != 3)
            return csvError(raggedRow(line, 3, qint64(fields.size())), input.path);
        CsvIssue issue;
        if (!checkName(fields[std::size_t(columns.llm)], "LLM name", line, columns.llm + 1, issue)
            || !checkName(fields[std::size_t(columns.text)], "text name", line, columns.text + 1,
                          issue))
            return csvError(issue, input.path);
        double value = 0;
        const std::string_view cell = fields[std::size_t(columns.bpb)];
        if (parseCell(cell, value) == CellKind::Invalid)
            return Error::badInput(invalidCellReason(cell), input.path, line, columns.bpb + 1);
        if (value < 0)
            negatives.add(line, columns.bpb + 1);
        const qint32 llm
            = indexOf(llmIndex, matrix.llms, toQString(fields[std::size_t(columns.llm)]));
        const qint32 text
            = indexOf(textIndex, matrix.texts, toQString(fields[std::size_t(columns.text)]));
        values.push_back(LongValue { llm, text, value, line });
        if (values.size() % 65536 == 0) {
            if (control.isCanceled())
                return Error::canceled();
            control.reportProgress(reader.position() - input.text.data(),
                                   qint64(input.text.size()));
        }
    }
    if (reader.failed())
        return csvError(reader.issue(), input.path);
    if (values.empty())
        return Error::badInput(QStringLiteral("no data rows: the file has only a header"),
                               input.path, input.header.line);

    const auto llmCount = qint64(matrix.llms.size());
    const auto textCount = qint64(matrix.texts.size());
    if (Status allocated = allocateMatrix(matrix.values, llmCount, textCount, input.path);
        !allocated)
        return allocated.error();
    // Missing combinations stay NaN; a bit per cell finds duplicates.
    matrix.values.setConstant(std::numeric_limits<double>::quiet_NaN());
    std::vector<bool> filled(std::size_t(llmCount * textCount), false);
    for (const LongValue &v : values) {
        const auto cell = std::size_t(qint64(v.text) * llmCount + v.llm);
        if (filled[cell]) {
            const auto first = std::find_if(values.begin(), values.end(), [&v](const LongValue &u) {
                return u.llm == v.llm && u.text == v.text;
            });
            return Error::badInput(
                QStringLiteral("duplicate value for LLM %1 and text %2 "
                               "(first on line %3)")
                    .arg(quoteForMessage(matrix.llms[v.llm]), quoteForMessage(matrix.texts[v.text]))
                    .arg(first->line),
                input.path, v.line);
        }
        filled[cell] = true;
        matrix.values(v.llm, v.text) = v.value;
    }
    negatives.warnInto(matrix.warnings, input.path);
    return matrix;
}

}  // namespace pcs::io
