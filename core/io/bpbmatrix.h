#pragma once

#include "core/common/error.h"

#include <QMap>
#include <QStringList>

#include <Eigen/Core>

namespace pcs {

// How a BPB file is laid out. TextRows is the perplexity-correlations package's layout.
enum class BpbLayout {
    Auto,  // detect from extension and header
    TextRows,  // one row per text: label column(s) id/chunk/domain, then one column per LLM
    LlmRows,  // one row per LLM: first column llm (or model), then one column per text
    Long,  // one row per value: llm,text,bpb
    Npy,  // NumPy .npy matrix, LLMs x texts, with a texts file and an LLMs file
};

QString bpbLayoutName(BpbLayout layout);  // "text-rows", "llm-rows", ...
bool bpbLayoutFromName(const QString &name, BpbLayout *out);  // accepts the names above and "auto"
QStringList bpbLayoutNames();  // "auto", "text-rows", "llm-rows", "long", "npy" (for help texts)

// Bits-per-byte of N LLMs on D texts. Lower is better.
struct BpbMatrix {
    QStringList llms;  // N names, in file order
    QStringList texts;  // D names, in file order
    // N x D, column-major, so one text's values across LLMs are contiguous.
    // A missing value (empty cell, NaN, NA) is quiet NaN; the alignment drops LLMs that have one.
    Eigen::MatrixXd values;
    BpbLayout layout = BpbLayout::TextRows;  // the layout actually read
    // Extra label columns of text-rows files (e.g. "domain" when texts are named by "id").
    QMap<QString, QStringList> extraLabels;
    // Documented, non-fatal findings, e.g. negative BPB values.
    Warnings warnings;
};

}  // namespace pcs
