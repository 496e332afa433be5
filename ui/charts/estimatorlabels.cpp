#include "ui/charts/estimatorlabels.h"

#include "core/selection/estimatorinfo.h"

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
    const QString name = estimatorInfo(estimator).friendlyName;
    return estimator == Estimator::Spearmanr ? tr("%1 (default)").arg(name) : name;
}

QString estimatorHelp(Estimator estimator)
{
    const EstimatorInfo &info = estimatorInfo(estimator);
    QString help = info.friendlyName + QStringLiteral(": ") + info.paragraph();
    // The explanations are shared with the CLI, whose --standardize the app does not offer.
    if (help.contains(QStringLiteral("--standardize")))
        help += QLatin1Char(' ')
            + tr("The app does not standardize; pcstudio-cli select --standardize does.");
    return help;
}

}  // namespace pcs
