#include "charts/estimatorlabels.h"

#include <QCoreApplication>

namespace pcs {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("pcs::Estimators", text);
}

}  // namespace

QString estimatorLabel(Estimator estimator)
{
    switch (estimator) {
    case Estimator::Spearmanr:
        return tr("Spearman ρ");
    case Estimator::SignCdf:
        return tr("Sign-CDF");
    case Estimator::Sign:
        return tr("Sign (raw BPB)");
    case Estimator::SignSign:
        return tr("Kendall τ-a (sign-sign)");
    case Estimator::Product:
        return tr("Product (uncentred)");
    }
    return {};
}

QString estimatorChoiceLabel(Estimator estimator)
{
    switch (estimator) {
    case Estimator::Spearmanr:
        return tr("Spearman ρ — rank correlation (default)");
    case Estimator::SignCdf:
        return tr("Sign-CDF — the paper's rank estimator");
    case Estimator::Sign:
        return tr("Sign — raw BPB differences");
    case Estimator::SignSign:
        return tr("Kendall τ-a — signs of both differences");
    case Estimator::Product:
        return tr("Product — mean of error × BPB (uncentred)");
    }
    return {};
}

QString estimatorHelp(Estimator estimator)
{
    switch (estimator) {
    case Estimator::Spearmanr:
        return tr("Spearman's ρ between the LLMs' benchmark errors and their BPB on the text, "
                  "ties at mid-ranks. Measures whether LLMs that find the text easier also do "
                  "better on the benchmark, using only the order of the LLMs, so outliers and "
                  "scale do not matter. The default: use it unless you have a reason not to.");
    case Estimator::SignCdf:
        return tr("The paper's estimator: over every pair of LLMs, the sign of their error "
                  "difference times the difference of their BPB ranks on the text. Rank-based "
                  "like Spearman ρ and usually close to it; use it to reproduce the paper.");
    case Estimator::Sign:
        return tr("Over every pair of LLMs, the sign of their error difference times their raw "
                  "BPB difference on the text. Keeps the size of BPB differences, so texts with "
                  "a wide BPB spread weigh more; assumes BPB differences are comparable across "
                  "texts.");
    case Estimator::SignSign:
        return tr("Kendall's τ-a: over every pair of LLMs, whether the better one on the "
                  "benchmark also has the lower BPB on the text. The most robust to outliers; "
                  "ignores how large any difference is.");
    case Estimator::Product:
        return tr("The mean of error × BPB over the LLMs, as in the Python package. It is "
                  "uncentred: it mostly follows each text's mean BPB, so it ranks the texts the "
                  "LLMs find hardest first rather than those that separate good LLMs from bad. "
                  "Use a rank estimator unless you need the package's numbers.");
    }
    return {};
}

}  // namespace pcs
