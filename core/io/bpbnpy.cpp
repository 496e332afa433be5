// A NumPy .npy matrix (N LLMs x D texts) plus two name files.
#include "core/common/parallel.h"
#include "core/io/atomicwrite.h"
#include "core/io/bpblayouts.h"
#include "core/io/mappedfile.h"
#include "core/io/npybpbfiles.h"
#include "core/io/npyreader.h"
#include "core/io/npywriter.h"

#include <cmath>

namespace pcs::io {

namespace {

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

}  // namespace

Result<BpbMatrix> loadNpyBpb(const QString &path, const BpbLoadOptions &options,
                             const TaskControl &control)
{
    if (Status finished = finishInterruptedNpyWrites(path, options); !finished)
        return finished.error();
    MappedFile file;
    if (Status opened = file.open(path); !opened)
        return opened.error();
    auto header = readNpyHeader(file.bytes(), path);
    if (!header)
        return header.error();
    const qint64 llmCount = header->shape.size() == 2 ? header->shape[0] : 0;
    const qint64 textCount = header->shape.size() == 2 ? header->shape[1] : 0;
    if (Status shaped
        = checkNpyBpbShape(*header, qint64(file.bytes().size()) - header->dataOffset, path);
        !shaped)
        return shaped.error();

    auto names = findNpyNamesFiles(path, options);
    if (!names)
        return names.error();
    auto texts = loadNameList(names->texts, "text");
    if (!texts)
        return texts.error();
    auto llms = loadNameList(names->llms, "LLM");
    if (!llms)
        return llms.error();
    if (Status counted
        = checkNpyNameCount(path, *header, names->texts, texts->size(), "text", textCount);
        !counted)
        return counted.error();
    if (Status counted
        = checkNpyNameCount(path, *header, names->llms, llms->size(), "LLM", llmCount);
        !counted)
        return counted.error();

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
