#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/io/bpbloader.h"
#include "core/io/textnames.h"

#include <QStringList>

#include <Eigen/Core>

#include <memory>
#include <string>
#include <vector>

namespace pcs::io {

// Raw bytes of a block. Resizing does not zero them (they are read over at once): touching a
// fresh 32 MB buffer twice costs more than reading it.
template<typename T> struct UninitializedAllocator : std::allocator<T> {
    template<typename U> struct rebind {
        using other = UninitializedAllocator<U>;
    };
    template<typename U> void construct(U *at) noexcept { ::new (static_cast<void *>(at)) U; }
    template<typename U, typename... Args> void construct(U *at, Args &&...args)
    {
        ::new (static_cast<void *>(at)) U(std::forward<Args>(args)...);
    }
};
using RawBlock = std::vector<char, UninitializedAllocator<char>>;

// A BPB matrix read in blocks of texts (columns), never whole: what the streamed estimate
// (selection/streamestimate.h) reads. A block is read raw (readRaw, on the reader thread) and
// then decoded into N x B doubles (decode); the doubles equal the in-memory loader's bit for bit.
class BpbBlockSource {
public:
    virtual ~BpbBlockSource() = default;

    virtual BpbLayout layout() const = 0;
    virtual const QStringList &llms() const = 0;
    virtual const TextNames &texts() const = 0;
    // Hands the text names over (the source has none afterwards).
    virtual TextNames takeTexts() = 0;
    virtual qint64 llmCount() const = 0;
    virtual qint64 textCount() const = 0;
    // Bytes of one value in a raw block (for the block size).
    virtual int itemSize() const = 0;
    // True when reading the texts in order reads the file's bytes in order, so that the file's
    // hash can be fed from the raw blocks (after readPrefix).
    virtual bool readsInFileOrder() const = 0;
    virtual Status readPrefix(std::string &bytes) const = 0;
    // Reads texts [first, end) into `raw`.
    virtual Status readRaw(qint64 first, qint64 end, RawBlock &raw) const = 0;
    // Converts a raw block of `count` texts into column-major doubles (out: N x count).
    virtual void decode(const RawBlock &raw, qint64 count, Eigen::MatrixXd &out,
                        int threads) const = 0;
    // Converts texts [begin, end) of a raw block of `count` texts into column-major doubles
    // (out: N x (end - begin), column c at out + c * N). One thread; for a block's pieces.
    virtual void decodeColumns(const RawBlock &raw, qint64 count, qint64 begin, qint64 end,
                               double *out) const = 0;
    // True when a raw block already is N x count doubles, column-major: pieces are read in place.
    virtual bool rawIsColumnMajorDoubles() const = 0;

    // The names files and their SHA-256 (empty when the names are in the matrix file itself).
    virtual const QString &textsPath() const = 0;
    virtual const QString &llmsPath() const = 0;
    virtual const QString &textsSha256() const = 0;
    virtual const QString &llmsSha256() const = 0;
    // The SHA-256 of the matrix file when opening already read it all (else empty).
    virtual QString fileSha256() const { return {}; }

    // True when opening checked every value as the loader does (infinite values are errors,
    // negative ones give warnings()): the block scan then reports neither.
    virtual bool valuesCheckedWhenOpened() const { return false; }
    virtual const Warnings &warnings() const
    {
        static const Warnings none;
        return none;
    }
};

// True when `path` with `options` is read in blocks: a .npy matrix, or a delimited file in the
// text-rows layout (each row one text). Other layouts go through loadBpbMatrix.
bool isBlockReadableBpb(const QString &path, const BpbLoadOptions &options);

// Opens the block reader for `path` (isBlockReadableBpb). With `hash`, the names files' (and
// where it comes for free, the matrix file's) SHA-256 are computed from the same reads. Errors as
// loadBpbMatrix gives them; Canceled.
Result<std::unique_ptr<BpbBlockSource>>
openBpbBlockSource(const QString &path, const BpbLoadOptions &options, bool hash,
                   const TaskControl &control = TaskControl::none());

}  // namespace pcs::io
