#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"

#include <QStringList>

#include <Eigen/Core>

#include <string_view>
#include <vector>

// NumPy .npy files (format versions 1, 2 and 3) holding float32 or float64 matrices.
namespace pcs::io {

struct NpyHeader {
    QString descr;  // e.g. "<f8"
    int itemSize = 0;  // 4 or 8
    bool fortranOrder = false;
    std::vector<qint64> shape;
    qint64 dataOffset = 0;  // where the array data starts in the file
};

// Reads and checks the header: a little-endian float32/float64 array (any shape).
Result<NpyHeader> readNpyHeader(std::string_view bytes, const QString &path);

// "(3, 4)" for messages.
QString npyShapeText(const std::vector<qint64> &shape);

// Copies a 2-D array (shape rows x cols) from `data` into a column-major double matrix that
// already has that size, converting and transposing as needed. Returns false if canceled.
bool copyNpyMatrix(const char *data, const NpyHeader &header, Eigen::MatrixXd &out, int threads,
                   const TaskControl &control);

// A text file with one name per line (a trailing empty line is fine): names must be valid UTF-8,
// non-empty and unique. `what` is "text" or "LLM" for messages.
Result<QStringList> loadNameList(const QString &path, const char *what);

}  // namespace pcs::io
