#include "core/selection/estimatorinfo.h"

#include <QStringList>

#include <array>

namespace pcs {

namespace {

std::array<EstimatorInfo, 5> makeInfos()
{
    return { {
        { Estimator::Spearmanr,
          QStringLiteral("spearmanr"),
          QStringLiteral("Spearman rank correlation"),
          QStringLiteral("Measures how consistently LLMs that rank better on the benchmark also "
                         "rank lower in BPB on the text: Spearman's rank correlation between the "
                         "errors and the text's BPB, from -1 to 1 (ties get mid-ranks)."),
          QStringLiteral("Use it by default: it is the estimator of the paper's experiments and of "
                         "the package's pipeline, and it ignores the scale of both BPB and errors "
                         "(raw perplexities work as well as error rates)."),
          QStringLiteral("It assumes only that the relation is monotone; a single LLM with an "
                         "extreme BPB moves it no more than any other LLM."),
          {} },
        { Estimator::SignCdf,
          QStringLiteral("sign_cdf"),
          QStringLiteral("Sign × rank (sign_cdf)"),
          QStringLiteral("Measures, over all pairs of LLMs, the sign of their error difference "
                         "times the difference of their BPB ranks (the empirical CDF) on the "
                         "text; a rescaled relative of Spearman's correlation."),
          QStringLiteral("Use it to follow the paper's theory: it is the rank-based estimator of "
                         "its single-index model analysis. Without tied BPB values it orders "
                         "texts exactly as spearmanr does."),
          QStringLiteral("It assumes the benchmark error is a monotone function of a weighted "
                         "BPB (the single-index model); only ranks of BPB matter."),
          {} },
        { Estimator::Sign,
          QStringLiteral("sign"),
          QStringLiteral("Sign × BPB difference (sign)"),
          QStringLiteral("Measures, over all pairs of LLMs, the sign of their error difference "
                         "times their raw BPB difference on the text."),
          QStringLiteral("Use it when BPB differences themselves matter, not only their order; "
                         "texts where LLMs differ more in BPB get larger values, so compare "
                         "texts of similar spread or use --standardize."),
          QStringLiteral("It assumes BPB is on a comparable scale across texts; outlying BPB "
                         "values pull it."),
          {} },
        { Estimator::SignSign,
          QStringLiteral("sign_sign"),
          QStringLiteral("Kendall rank correlation (sign_sign)"),
          QStringLiteral("Measures the share of LLM pairs ordered the same way by error and by BPB "
                         "on the text minus the share ordered oppositely: Kendall's tau-a, from "
                         "-1 to 1."),
          QStringLiteral("Use it for the most outlier-robust ordering of texts, or to report a "
                         "pairwise-agreement figure that is easy to explain."),
          QStringLiteral("It assumes only a monotone relation; ties count as neither agreement "
                         "nor disagreement, so heavily tied BPB shrinks it towards 0."),
          {} },
        { Estimator::Product, QStringLiteral("product"),
          QStringLiteral("Error × BPB product (uncentred)"),
          QStringLiteral("Measures the mean over LLMs of benchmark error times BPB on the text, "
                         "(1/N) Σ y·x, uncentred as in the package."),
          QStringLiteral("Use it only with --standardize, which z-scores the errors and each "
                         "text's BPB first and so makes it Pearson's correlation, the paper's "
                         "intended inner-product estimate."),
          QStringLiteral("Unstandardized it assumes centred data, which BPB and errors never are: "
                         "the value is then dominated by the text's mean BPB."),
          QStringLiteral("product is uncentred: without --standardize it tracks each text's mean "
                         "BPB (it picks the texts LLMs find hardest), not how BPB goes with the "
                         "benchmark. Add --standardize for the centred inner-product estimate.") },
    } };
}

const std::array<EstimatorInfo, 5> &infos()
{
    static const std::array<EstimatorInfo, 5> all = makeInfos();
    return all;
}

}  // namespace

QString EstimatorInfo::paragraph() const
{
    return measures + QLatin1Char(' ') + whenToUse + QLatin1Char(' ') + assumes;
}

const EstimatorInfo &estimatorInfo(Estimator estimator)
{
    for (const EstimatorInfo &info : infos())
        if (info.estimator == estimator)
            return info;
    return infos().front();
}

QString estimatorWarning(Estimator estimator, bool standardize)
{
    if (standardize)
        return {};
    return estimatorInfo(estimator).warning;
}

QString estimatorHelpText()
{
    QStringList lines;
    for (const EstimatorInfo &info : infos())
        lines << QStringLiteral("%1 (%2)%3")
                     .arg(info.name, info.friendlyName,
                          info.estimator == Estimator::Spearmanr ? QStringLiteral(", the default")
                                                                 : QString());
    return QStringLiteral("Estimator: ") + lines.join(QStringLiteral("; "))
        + QStringLiteral(". product is uncentred (tracks mean BPB) unless --standardize.");
}

}  // namespace pcs
