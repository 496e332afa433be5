#pragma once

#include <QByteArray>
#include <QList>

#include <Eigen/Core>

#include <cstring>

namespace pcs::test {

// The bytes of a .npy file with a free-form dtype, shape and data (so tests can write bad ones).
inline QByteArray npyFile(const QByteArray &descr, bool fortranOrder, const QList<qint64> &shape,
                          const QByteArray &data, int version = 1)
{
    QByteArray dims;
    for (const qint64 n : shape)
        dims += QByteArray::number(n) + ", ";
    if (shape.size() > 1)
        dims.chop(2);
    else if (shape.size() == 1)
        dims.chop(1);
    QByteArray dict = "{'descr': '" + descr + "', 'fortran_order': "
        + (fortranOrder ? "True" : "False") + ", 'shape': (" + dims + "), }";
    const int prefix = version == 1 ? 10 : 12;
    while ((prefix + dict.size() + 1) % 64 != 0)
        dict += ' ';
    dict += '\n';
    QByteArray bytes("\x93NUMPY", 6);
    bytes += char(version);
    bytes += char(0);
    const auto length = quint32(dict.size());
    for (int i = 0; i < (version == 1 ? 2 : 4); ++i)
        bytes += char((length >> (8 * i)) & 0xFF);
    return bytes + dict + data;
}

// A matrix as .npy data bytes, float64 or float32, in C (row-major) or Fortran order.
inline QByteArray npyData(const Eigen::MatrixXd &m, bool fortranOrder, bool float32)
{
    QByteArray data;
    auto put = [&](double v) {
        if (float32) {
            const auto f = float(v);
            data.append(reinterpret_cast<const char *>(&f), sizeof f);
        } else {
            data.append(reinterpret_cast<const char *>(&v), sizeof v);
        }
    };
    if (fortranOrder) {
        for (Eigen::Index j = 0; j < m.cols(); ++j)
            for (Eigen::Index i = 0; i < m.rows(); ++i)
                put(m(i, j));
    } else {
        for (Eigen::Index i = 0; i < m.rows(); ++i)
            for (Eigen::Index j = 0; j < m.cols(); ++j)
                put(m(i, j));
    }
    return data;
}

inline QByteArray npyMatrix(const Eigen::MatrixXd &m, bool fortranOrder, bool float32,
                            int version = 1)
{
    return npyFile(float32 ? "<f4" : "<f8", fortranOrder, { m.rows(), m.cols() },
                   npyData(m, fortranOrder, float32), version);
}

// Same bits, NaN included.
inline bool sameBits(const Eigen::MatrixXd &a, const Eigen::MatrixXd &b)
{
    return a.rows() == b.rows() && a.cols() == b.cols()
        && std::memcmp(a.data(), b.data(), std::size_t(a.size()) * sizeof(double)) == 0;
}

}  // namespace pcs::test
