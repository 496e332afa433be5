#pragma once

#include <QStringList>

#include <Eigen/Core>

namespace pcs {

// One row per text: what the estimate and (optionally) the projection produced. The central
// result type of a selection, shown by the models and charts and written by io/selectionwriter.h.
struct SelectionTable {
    QStringList texts;
    Eigen::VectorXd estimate;
    Eigen::VectorXi rank;  // 1 = largest estimate
    // Both empty for an estimate-only table; both of size D for a distribution.
    Eigen::VectorXd tau;
    Eigen::VectorXd weight;
    // The bootstrap over LLMs (selection/bootstrap.h): all three empty, or all of size D.
    Eigen::VectorXd ciLow;
    Eigen::VectorXd ciHigh;
    Eigen::VectorXd pSelected;

    bool hasDistribution() const { return weight.size() > 0; }
    bool hasBootstrap() const { return pSelected.size() > 0; }
};

}  // namespace pcs
