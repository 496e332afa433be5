#include "core/io/bpbconvert.h"

#include "core/common/parallel.h"
#include "core/io/atomicwrite.h"
#include "core/io/bpbsource.h"

namespace pcs {

namespace {

Result<BpbConvertSummary> convertStreamed(io::NpyBpbSource &source, const QString &output,
                                          const BpbConvertOptions &options,
                                          const TaskControl &control)
{
    OutputSet outputs;
    auto npy = outputs.add(output);
    if (!npy)
        return npy.error();
    const qint64 rows = source.llmCount(), cols = source.textCount();
    if (Status written = (*npy)->write(npyHeader(rows, cols, options.dtype, true)); !written)
        return written.error();
    const qint64 blockTexts = std::max<qint64>(1, (qint64(16) << 20) / (rows * source.itemSize()));
    io::RawBlock raw;
    Eigen::MatrixXd block;
    for (qint64 first = 0; first < cols; first += blockTexts) {
        if (control.isCanceled())
            return Error::canceled();
        const qint64 end = std::min(cols, first + blockTexts);
        if (Status read = source.readRaw(first, end, raw); !read)
            return read.error();
        source.decode(raw, end - first, block, 0);
        if (Status written = writeNpyColumns(**npy, block, options.dtype); !written)
            return written.error();
        control.reportProgress(end, cols);
    }
    if (Status written = (*npy)->status(); !written)
        return written.error();
    // Names files: the texts straight from the compact buffer, one per line.
    auto texts = outputs.add(npyTextsFileFor(output));
    if (!texts)
        return texts.error();
    std::string buffer;
    for (qint64 j = 0; j < source.texts().size(); ++j) {
        buffer.append(source.texts().utf8(j));
        buffer += '\n';
        if (buffer.size() >= (1u << 20)) {
            if (Status written = (*texts)->write(buffer.data(), qint64(buffer.size())); !written)
                return written.error();
            buffer.clear();
        }
    }
    if (Status written = (*texts)->write(buffer.data(), qint64(buffer.size())); !written)
        return written.error();
    auto llms = outputs.add(npyLlmsFileFor(output));
    if (!llms)
        return llms.error();
    if (Status written = (*llms)->write(source.llms().join(QLatin1Char('\n')).toUtf8() + '\n');
        !written)
        return written.error();
    if (Status published = outputs.publish(); !published)
        return published.error();
    BpbConvertSummary summary;
    summary.llms = rows;
    summary.texts = cols;
    summary.streamed = true;
    return summary;
}

}  // namespace

Result<BpbConvertSummary> convertBpbToNpy(const QString &input, const BpbLoadOptions &load,
                                          const QString &output, const BpbConvertOptions &options,
                                          const TaskControl &control)
{
    if (io::isStreamableBpb(input, load) && options.fortranOrder) {
        auto source = io::NpyBpbSource::open(input, load, false);
        if (!source)
            return source.error();
        return convertStreamed(**source, output, options, control);
    }
    auto matrix = loadBpbMatrix(input, load, control);
    if (!matrix)
        return matrix.error();
    OutputSet outputs;
    if (Status added
        = addNpyBpbMatrix(outputs, output, *matrix, options.dtype, options.fortranOrder);
        !added)
        return added.error();
    if (Status published = outputs.publish(); !published)
        return published.error();
    BpbConvertSummary summary;
    summary.llms = matrix->llms.size();
    summary.texts = matrix->texts.size();
    summary.warnings = matrix->warnings;
    return summary;
}

}  // namespace pcs
