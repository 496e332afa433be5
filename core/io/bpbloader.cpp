#include "core/io/bpbloader.h"

#include "core/io/bpblayouts.h"
#include "core/io/mappedfile.h"

#include <QFileInfo>

namespace pcs {

using namespace io;

namespace {

bool hasNpySuffix(const QString &path)
{
    return QFileInfo(path).suffix().compare(QLatin1String("npy"), Qt::CaseInsensitive) == 0;
}

}  // namespace

BpbLayout io::sniffBpbLayout(const QStringList &names)
{
    if (isLongHeader(names))
        return BpbLayout::Long;
    if (!names.isEmpty()
        && (names.front() == QLatin1String("llm") || names.front() == QLatin1String("model")))
        return BpbLayout::LlmRows;
    for (const QString &label : textRowsLabelNames()) {
        if (names.contains(label))
            return BpbLayout::TextRows;
    }
    return BpbLayout::Auto;
}

namespace {

Error unknownLayout(const CsvHeader &header, const QString &path)
{
    return Error::badInput(
        QStringLiteral("cannot tell the layout of this BPB file from its header (found: %1). "
                       "Accepted headers: text rows (an id, chunk or domain column, then one "
                       "column per LLM), LLM rows (first column llm or model, then one column "
                       "per text), or long (exactly llm,text,bpb). Choose one with --layout.")
            .arg(listColumns(header.names)),
        path, header.line);
}

}  // namespace

Result<BpbMatrix> loadBpbMatrix(const QString &path, const BpbLoadOptions &options,
                                const TaskControl &control)
{
    BpbLayout layout = options.layout;
    if (layout == BpbLayout::Npy || (layout == BpbLayout::Auto && hasNpySuffix(path)))
        return loadNpyBpb(path, options, control);

    MappedFile file;
    if (Status opened = file.open(path); !opened)
        return opened.error();
    if (layout == BpbLayout::Auto && file.bytes().substr(0, 6) == "\x93NUMPY")
        return loadNpyBpb(path, options, control);

    BpbCsvInput input;
    input.path = path;
    input.text = file.text();
    const char delimiter = detectDelimiter(path, input.text, options.delimiter);
    auto header = readCsvHeader(input.text, path, delimiter);
    if (!header)
        return header.error();
    input.header = std::move(*header);

    if (layout == BpbLayout::Auto) {
        layout = sniffBpbLayout(input.header.names);
        if (layout == BpbLayout::Auto)
            return unknownLayout(input.header, path);
    }
    control.reportProgress(0, qint64(input.text.size()));
    switch (layout) {
    case BpbLayout::TextRows:
        return parseTextRows(input, options, control);
    case BpbLayout::LlmRows:
        return parseLlmRows(input, options, control);
    case BpbLayout::Long:
        return parseLong(input, control);
    case BpbLayout::Auto:
    case BpbLayout::Npy:
        break;
    }
    return unknownLayout(input.header, path);
}

}  // namespace pcs
