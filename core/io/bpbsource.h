#pragma once

#include "core/common/result.h"
#include "core/io/bpbblocksource.h"
#include "core/io/bpbloader.h"
#include "core/io/npyreader.h"
#include "core/io/textnames.h"

#include <QStringList>

#include <Eigen/Core>

#include <memory>
#include <string>
#include <vector>

namespace pcs::io {

// A BPB matrix read in blocks of texts (columns) instead of whole: a NumPy .npy (float32 or
// float64, C or Fortran order) and its two names files. Blocks are read with pread(2) into a
// buffer of the file's own dtype (float32 stays 4 bytes), so memory is O(N x block), not O(N x D),
// and no mapping of the whole file counts towards the process's resident set.
class NpyBpbSource final : public BpbBlockSource {
public:
    NpyBpbSource(const NpyBpbSource &) = delete;
    NpyBpbSource &operator=(const NpyBpbSource &) = delete;
    ~NpyBpbSource() override;

    // Checks the header, the size and the names files (as loadBpbMatrix does). With
    // `hashNames`, the names files' SHA-256 are computed from the same read.
    static Result<std::unique_ptr<NpyBpbSource>>
    open(const QString &path, const BpbLoadOptions &options, bool hashNames);

    const QString &path() const { return m_path; }
    BpbLayout layout() const override { return BpbLayout::Npy; }
    const QStringList &llms() const override { return m_llms; }
    const TextNames &texts() const override { return m_texts; }
    // Hands the text names over (the source has none afterwards).
    TextNames takeTexts() override { return std::move(m_texts); }
    qint64 llmCount() const override { return m_header.shape[0]; }
    qint64 textCount() const override { return m_header.shape[1]; }
    const NpyHeader &header() const { return m_header; }
    qint64 fileBytes() const { return m_fileBytes; }
    int itemSize() const override { return m_header.itemSize; }
    // Fortran order stores each text's N values together: reading the texts in order reads the
    // file in order, so a hash of the file can be computed from the same reads.
    bool readsInFileOrder() const override { return m_header.fortranOrder; }

    const QString &textsPath() const override { return m_textsPath; }
    const QString &llmsPath() const override { return m_llmsPath; }
    const QString &textsSha256() const override { return m_textsSha256; }
    const QString &llmsSha256() const override { return m_llmsSha256; }

    // The bytes before the array data (the .npy header), for hashing.
    Status readPrefix(std::string &bytes) const override;
    // Reads the raw values of texts [first, end) into `raw`: column-major N x B for a
    // Fortran-order file (one read), row-major N x B for a C-order file (N reads).
    Status readRaw(qint64 first, qint64 end, RawBlock &raw) const override;
    // Converts a raw block of `count` texts into column-major doubles (out: N x count).
    void decode(const RawBlock &raw, qint64 count, Eigen::MatrixXd &out,
                int threads) const override;
    // Converts texts [begin, end) of a raw block of `count` texts into column-major doubles
    // (out: N x (end - begin), column c at out + c * N). One thread; for a block's pieces.
    void decodeColumns(const RawBlock &raw, qint64 count, qint64 begin, qint64 end,
                       double *out) const override;
    // Fortran-order float64: each text's N doubles lie together in the file.
    bool rawIsColumnMajorDoubles() const override
    {
        return m_header.fortranOrder && m_header.itemSize == 8;
    }

private:
    NpyBpbSource() = default;
    Status readAt(qint64 offset, char *into, qint64 bytes) const;

    QString m_path;
    int m_descriptor = -1;
    NpyHeader m_header;
    qint64 m_fileBytes = 0;
    QStringList m_llms;
    TextNames m_texts;
    QString m_textsPath, m_llmsPath, m_textsSha256, m_llmsSha256;
};

// True when `path` with `options` is read by NpyBpbSource (a .npy file or layout npy).
bool isStreamableBpb(const QString &path, const BpbLoadOptions &options);

}  // namespace pcs::io
