#include "core/io/namedvalues.h"

#include "core/io/csvreader.h"
#include "core/io/mappedfile.h"

#include <QHash>

namespace pcs {

using namespace io;

Result<NamedValues> loadNamedValues(const QString &path, const QString &keyColumn,
                                    const QString &valueColumn, bool allowEmpty)
{
    MappedFile file;
    if (Status opened = file.open(path); !opened)
        return opened.error();
    const std::string_view text = file.text();
    auto header = readCsvHeader(text, path, detectDelimiter(path, text, 0));
    if (!header)
        return header.error();
    const auto keyIndex = header->names.indexOf(keyColumn);
    const auto valueIndex = header->names.indexOf(valueColumn);
    if (keyIndex < 0 || valueIndex < 0)
        return Error::badInput(QStringLiteral("expected columns %1 and %2; the header has: %3")
                                   .arg(quoteForMessage(keyColumn), quoteForMessage(valueColumn),
                                        listColumns(header->names)),
                               path, header->line);

    const char *end = text.data() + text.size();
    CsvRecordReader reader(
        std::string_view(header->bodyBegin, std::size_t(end - header->bodyBegin)),
        header->delimiter, header->bodyLine);
    NamedValues table;
    QHash<QString, qint64> lines;
    const auto fieldCount = std::size_t(header->names.size());
    while (reader.next()) {
        const auto &fields = reader.fields();
        const qint64 line = reader.recordLine();
        if (fields.size() != fieldCount)
            return Error::badInput(QStringLiteral("ragged row: expected %1 fields (as in the "
                                                  "header), found %2")
                                       .arg(fieldCount)
                                       .arg(fields.size()),
                                   path, line, qint64(std::min(fieldCount, fields.size())) + 1);
        CsvIssue issue;
        const std::string_view key = fields[std::size_t(keyIndex)];
        if (!checkName(key, "name", line, keyIndex + 1, issue))
            return csvError(issue, path);
        const QString name = toQString(key);
        if (lines.contains(name))
            return Error::badInput(QStringLiteral("duplicate name %1 (first on line %2)")
                                       .arg(quoteForMessage(name))
                                       .arg(lines.value(name)),
                                   path, line, keyIndex + 1);
        lines.insert(name, line);
        const std::string_view cell = fields[std::size_t(valueIndex)];
        double value = 0;
        const CellKind kind = parseCell(cell, value);
        if (kind == CellKind::Invalid)
            return Error::badInput(invalidCellReason(cell), path, line, valueIndex + 1);
        if (kind == CellKind::Missing)
            return Error::badInput(QStringLiteral("missing %1 value (every row needs a finite "
                                                  "number)")
                                       .arg(valueColumn),
                                   path, line, valueIndex + 1);
        table.names.append(name);
        table.values.push_back(value);
    }
    if (reader.failed())
        return csvError(reader.issue(), path);
    if (table.names.isEmpty() && !allowEmpty)
        return Error::badInput(QStringLiteral("no data rows: the file has only a header"), path,
                               header->line);
    return table;
}

}  // namespace pcs
