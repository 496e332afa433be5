#pragma once

#include <QtGlobal>

#include <algorithm>
#include <cstring>

namespace pcs::io {

// Reads a T at p without assuming alignment (mapped file data need not be aligned).
template<typename T> double loadUnaligned(const char *p)
{
    T value;
    std::memcpy(&value, p, sizeof value);
    return double(value);
}

// Copies columns [first, last) of a rows x cols row-major array of T into a column-major
// array of doubles. Tiled, so that both sides stay in cache: a plain loop reads the source
// with a stride of a whole row and thrashes the TLB on wide matrices.
template<typename T>
void copyRowMajorColumns(const char *data, qint64 rows, qint64 cols, double *out, qint64 first,
                         qint64 last)
{
    constexpr qint64 tileRows = 64;
    constexpr qint64 tileCols = 256;
    constexpr auto size = qint64(sizeof(T));
    for (qint64 c0 = first; c0 < last; c0 += tileCols) {
        const qint64 c1 = std::min(last, c0 + tileCols);
        for (qint64 r0 = 0; r0 < rows; r0 += tileRows) {
            const qint64 r1 = std::min(rows, r0 + tileRows);
            for (qint64 r = r0; r < r1; ++r) {
                const char *src = data + (r * cols + c0) * size;
                for (qint64 c = c0; c < c1; ++c, src += size)
                    out[c * rows + r] = loadUnaligned<T>(src);
            }
        }
    }
}

}  // namespace pcs::io
