#pragma once

#include "core/common/result.h"
#include "core/io/atomicwrite.h"
#include "core/io/bpbmatrix.h"

#include <QByteArray>
#include <QString>

#include <Eigen/Core>

// NumPy .npy output (format version 1.0), the counterpart of npyreader.h.
namespace pcs {

enum class NpyDtype { Float32, Float64 };

// The header of a .npy file holding a little-endian, C-order (row-major) rows × cols array:
// magic, version 1.0, header length, and the dict padded with spaces to end in a newline at a
// multiple of 64 bytes, so that the data that follows is aligned (as numpy.save writes it).
// With `fortranOrder`, the header says the data is column-major (each text's values together).
QByteArray npyHeader(qint64 rows, qint64 cols, NpyDtype dtype, bool fortranOrder = false);

// Writes npyHeader() and the values as float64 in C order (row by row) into `file`, a block at a
// time (never the whole array in one buffer). NaN stays NaN (a missing value for the loaders).
Status writeNpyMatrix(AtomicFile &file, const Eigen::MatrixXd &values);
// The same as float32 or float64, in C or Fortran (column-major) order.
Status writeNpyMatrix(AtomicFile &file, const Eigen::MatrixXd &values, NpyDtype dtype,
                      bool fortranOrder);
// Appends a column-major block of values (N x B) as `dtype`, for Fortran-order files written a
// block of texts at a time.
Status writeNpyColumns(AtomicFile &file, const Eigen::MatrixXd &block, NpyDtype dtype);

// The name files beside NAME.npy that loadBpbMatrix reads when none are given:
// NAME.texts.txt (one text per line) and NAME.llms.txt (one LLM per line).
QString npyTextsFileFor(const QString &npyPath);
QString npyLlmsFileFor(const QString &npyPath);

// Writes a BPB matrix as NAME.npy (float64, LLMs × texts) with NAME.texts.txt and NAME.llms.txt,
// published together as one OutputSet: a reader never sees the matrix of one write with the
// names of another, even when the writer is killed between the renames (the next reader
// finishes them). Errors: a name the one-per-line files cannot hold (empty, or with a line
// break) is BadInput; the file system's failures are Io, and then the old files stay.
Status writeNpyBpbMatrix(const QString &npyPath, const BpbMatrix &matrix);
// The same three files added to `outputs`, published with whatever else the caller adds.
Status addNpyBpbMatrix(OutputSet &outputs, const QString &npyPath, const BpbMatrix &matrix,
                       NpyDtype dtype = NpyDtype::Float64, bool fortranOrder = false);

}  // namespace pcs
