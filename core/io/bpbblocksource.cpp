#include "core/io/bpbblocksource.h"

#include "core/io/bpbsource.h"
#include "core/io/bpbtextrowsource.h"

namespace pcs::io {

bool isBlockReadableBpb(const QString &path, const BpbLoadOptions &options)
{
    return isStreamableBpb(path, options) || hasTextRowsHeader(path, options);
}

Result<std::unique_ptr<BpbBlockSource>> openBpbBlockSource(const QString &path,
                                                           const BpbLoadOptions &options, bool hash,
                                                           const TaskControl &control)
{
    if (isStreamableBpb(path, options)) {
        auto npy = NpyBpbSource::open(path, options, hash);
        if (!npy)
            return npy.error();
        return std::unique_ptr<BpbBlockSource>(std::move(npy).value());
    }
    auto rows = TextRowsBpbSource::open(path, options, hash, control);
    if (!rows)
        return rows.error();
    return std::unique_ptr<BpbBlockSource>(std::move(rows).value());
}

}  // namespace pcs::io
