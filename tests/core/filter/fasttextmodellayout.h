#pragma once

// Where each field of a valid fastText 0.9 model file lies, found by the tests independently of
// the code under test (core/filter/fasttextmodelfile.cpp), so that they can patch one field.

#include <QByteArray>

#include <cstring>
#include <vector>

namespace pcs::test {

// Args fields, in file order, after the magic number and the version.
enum Arg { Dim, Ws, Epoch, MinCount, Neg, WordNgrams, Loss, Model, Bucket, Minn, Maxn, LrRate };
constexpr qint64 kArgs = 8;
constexpr qint64 kSamplingThreshold = kArgs + 12 * 4;
constexpr qint64 kDictionary = kSamplingThreshold + 8;  // size, nwords, nlabels, ntokens, pruneidx
constexpr qint64 kDictionarySize = kDictionary, kNwords = kDictionary + 4,
                 kNlabels = kDictionary + 8, kNtokens = kDictionary + 12,
                 kPruneIndexSize = kDictionary + 20;

inline qint64 argAt(Arg arg)
{
    return kArgs + 4 * qint64(arg);
}

template<typename T> T get(const QByteArray &bytes, qint64 at)
{
    T value {};
    std::memcpy(&value, bytes.constData() + at, sizeof value);
    return value;
}

template<typename T> void put(QByteArray &bytes, qint64 at, T value)
{
    std::memcpy(bytes.data() + at, &value, sizeof value);
}

struct Quantizer {
    qint64 dim = -1, nsubq = -1, dsub = -1, lastdsub = -1, centroids = -1;
};

struct Matrix {
    qint64 flag = -1;  // the byte before it: "quantized" (input) or "qout" (output)
    bool quantized = false;
    qint64 rows = -1, columns = -1, weights = -1;  // dense: offsets of the fields
    qint64 qnorm = -1, codesize = -1, codes = -1, normCodes = -1;  // quantized
    qint64 rowCount = 0, columnCount = 0;
    Quantizer pq, npq;
};

struct Layout {
    qint32 nwords = 0, nlabels = 0;
    std::vector<qint64> entryText, entryCount, entryType;
    qint64 pruneIndexSize = -1;
    qint64 pruneIndex = -1;  // the first (key, value) pair
    Matrix input, output;
    qint64 end = 0;  // where the output matrix ends: the file size, for a sound file
};

inline Layout layoutOf(const QByteArray &bytes)
{
    Layout layout;
    const qint32 size = get<qint32>(bytes, kDictionarySize);
    layout.nwords = get<qint32>(bytes, kNwords);
    layout.nlabels = get<qint32>(bytes, kNlabels);
    layout.pruneIndexSize = get<qint64>(bytes, kPruneIndexSize);
    qint64 at = kPruneIndexSize + 8;
    for (qint32 i = 0; i < size; ++i) {
        layout.entryText.push_back(at);
        at = bytes.indexOf('\0', at) + 1;
        layout.entryCount.push_back(at);
        layout.entryType.push_back(at + 8);
        at += 9;
    }
    if (layout.pruneIndexSize > 0) {
        layout.pruneIndex = at;
        at += 8 * layout.pruneIndexSize;
    }
    const auto quantizer = [&](Quantizer &q) {
        q = { at, at + 4, at + 8, at + 12, at + 16 };
        at = q.centroids + 4 * 256 * qint64(get<qint32>(bytes, q.dim));
    };
    const auto matrix = [&](Matrix &m, bool quantized) {
        m.quantized = quantized;
        if (quantized) {
            m.qnorm = at++;
        }
        m.rows = at;
        m.columns = at + 8;
        m.rowCount = get<qint64>(bytes, m.rows);
        m.columnCount = get<qint64>(bytes, m.columns);
        at += 16;
        if (!quantized) {
            m.weights = at;
            at += 4 * m.rowCount * m.columnCount;
            return;
        }
        m.codesize = at;
        m.codes = at + 4;
        at = m.codes + get<qint32>(bytes, m.codesize);
        quantizer(m.pq);
        if (bytes[m.qnorm] == 1) {
            m.normCodes = at;
            at += m.rowCount;
            quantizer(m.npq);
        }
    };
    layout.input.flag = at++;
    matrix(layout.input, bytes[layout.input.flag] == 1);
    layout.output.flag = at++;
    matrix(layout.output, layout.input.quantized && bytes[layout.output.flag] == 1);
    layout.end = at;
    return layout;
}

}  // namespace pcs::test
