#pragma once

#include "core/io/bpbblocksource.h"
#include "core/io/bpblayouts.h"

namespace pcs::io {

// A text-rows CSV/TSV BPB file (one row per text, one column per LLM) read in blocks of rows.
// Opening reads the file once, in windows, with the loader's parser: every value is checked as
// loadBpbMatrix checks it (same errors, same warnings), the text names are kept, and where each
// row starts is noted (16 bytes a text). A block is then read back with pread(2) and parsed
// again, so memory is O(N x block + D): the file is never mapped or held whole.
class TextRowsBpbSource final : public BpbBlockSource {
public:
    TextRowsBpbSource(const TextRowsBpbSource &) = delete;
    TextRowsBpbSource &operator=(const TextRowsBpbSource &) = delete;
    ~TextRowsBpbSource() override;

    // With `hash`, the file's SHA-256 is computed from the opening read.
    static Result<std::unique_ptr<TextRowsBpbSource>>
    open(const QString &path, const BpbLoadOptions &options, bool hash,
         const TaskControl &control = TaskControl::none());

    BpbLayout layout() const override { return BpbLayout::TextRows; }
    const QStringList &llms() const override { return m_columns.llms; }
    const TextNames &texts() const override { return m_texts; }
    TextNames takeTexts() override { return std::move(m_texts); }
    qint64 llmCount() const override { return qint64(m_columns.llms.size()); }
    qint64 textCount() const override { return qint64(m_rowLines.size()); }
    int itemSize() const override { return int(sizeof(double)); }
    // Blocks are decoded values, not the file's bytes: the hash comes from opening instead.
    bool readsInFileOrder() const override { return false; }
    Status readPrefix(std::string &bytes) const override;
    // Parses texts [first, end) into N x count doubles (column-major) held in `raw`.
    Status readRaw(qint64 first, qint64 end, RawBlock &raw) const override;
    void decode(const RawBlock &raw, qint64 count, Eigen::MatrixXd &out,
                int threads) const override;
    void decodeColumns(const RawBlock &raw, qint64 count, qint64 begin, qint64 end,
                       double *out) const override;
    bool rawIsColumnMajorDoubles() const override { return true; }

    const QString &textsPath() const override { return m_none; }
    const QString &llmsPath() const override { return m_none; }
    const QString &textsSha256() const override { return m_none; }
    const QString &llmsSha256() const override { return m_none; }
    QString fileSha256() const override { return m_fileSha256; }
    bool valuesCheckedWhenOpened() const override { return true; }
    const Warnings &warnings() const override { return m_warnings; }

private:
    TextRowsBpbSource() = default;
    Status readAt(qint64 offset, char *into, qint64 bytes) const;
    Status readEverything(const std::string &prefix, qint64 bodyOffset, qint64 bodyLine, bool hash,
                          const TaskControl &control);

    QString m_path;
    int m_descriptor = -1;
    qint64 m_fileBytes = 0;
    char m_delimiter = ',';
    int m_threads = 1;
    qint64 m_chunkBytes = 0;
    qint64 m_headerLine = 0;
    TextRowsColumns m_columns;
    TextNames m_texts;
    std::vector<qint64> m_rowLines;  // by text: its line
    std::vector<qint64> m_rowOffsets;  // by text: its byte offset; one more, the file's size
    Warnings m_warnings;
    QString m_fileSha256;
    QString m_none;
};

// True when the header of the delimited file `path` is that of the text-rows layout (or
// options ask for that layout). False for anything it cannot read (the loader then says why).
bool hasTextRowsHeader(const QString &path, const BpbLoadOptions &options);

// True when the text-rows file `path` has the extra label column `label` (say "domain") besides
// the column that names its texts: what the in-memory loader keeps in BpbMatrix::extraLabels.
bool textRowsHasLabelColumn(const QString &path, const BpbLoadOptions &options,
                            const QString &label);

}  // namespace pcs::io
