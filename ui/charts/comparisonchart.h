#pragma once

#include "ui/charts/chartwidget.h"
#include "ui/charts/estimatecomparison.h"
#include "ui/models/latestwork.h"

#include <QStringList>

#include <Eigen/Core>

#include <array>
#include <limits>
#include <memory>
#include <vector>

class QCategoryAxis;
class QLabel;
class QScatterSeries;

namespace pcs {

namespace charts {
class PointCloudItem;
}

struct SelectionOutcome;

// Two estimators side by side: a scatter of estimate A (x) against estimate B (y), one point
// per text, coloured by membership in the top 1% of both, of one, or of neither; and below it
// the top-k overlaps (k = 1% and 10% of D) and Pearson's r, computed on all texts. At most
// kPointBudget points are drawn: the top of each estimate plus a reproducible stratified
// sample of the rest; the focused text is always marked. A click focuses the nearest text.
class ComparisonChart : public ChartWidget {
    Q_OBJECT
public:
    static constexpr int kPointBudget = 5000;

    explicit ComparisonChart(QWidget *parent = nullptr);
    ~ComparisonChart() override;

    // Both estimates have one value per text (the same length as `texts`); else cleared.
    void setEstimates(const QStringList &texts, Eigen::VectorXd a, const QString &nameA,
                      Eigen::VectorXd b, const QString &nameB);
    // The outcome's estimate (named after its estimator) against `other` (e.g. the session's
    // comparisonEstimate()); an empty `other` clears.
    void setComparison(const std::shared_ptr<const SelectionOutcome> &outcome,
                       const Eigen::VectorXd &other, const QString &otherName);
    void clear();

    // Comparisons of at least `texts` texts are computed off the GUI thread (the chart shows
    // the previous one until then); the default never.
    void setBackgroundThreshold(qsizetype texts) { m_backgroundThreshold = texts; }
    bool isPreparing() const { return m_work.isBusy(); }

    // What the chart draws, computed in O(D) from two estimates on any thread.
    struct Comparison {
        QStringList texts;
        Eigen::VectorXd a, b;
        charts::EstimateComparison summary;
        std::vector<int> drawn;  // the texts drawn, sorted
        std::array<QList<QPointF>, 3> points;  // drawn points by Group
        std::array<double, 4> ranges { 0, 1, 0, 1 };  // padded axis ranges: a lo, hi, b lo, hi
    };
    static Comparison prepare(const QStringList &texts, Eigen::VectorXd a, Eigen::VectorXd b);

    const charts::EstimateComparison &summary() const { return m_summary; }
    QString summaryText() const;
    int drawnPointCount() const { return int(m_drawn.size()); }
    bool isDrawn(int text) const;

    QString toolTipAt(const QPointF &value) const override;

    // The drawn points (estimate A, estimate B) of each colour; the three scatter series only
    // carry the legend, one cloud item draws all points (see PointCloudItem).
    enum class Group { Other, TopInOne, TopInBoth };
    QList<QPointF> drawnPoints(Group group) const;
    QScatterSeries *focusSeries() const { return m_focusMarker; }

Q_SIGNALS:
    void prepared();  // a comparison prepared in the background is shown

protected:
    void applyColors(const charts::ChartColors &colors) override;
    void textFocusChanged(int text) override;
    void clicked(const QPointF &value) override;

private:
    void showComparison(Comparison comparison, const QString &nameA, const QString &nameB);
    void restyleCloud();
    int nearestText(const QPointF &value) const;

    QStringList m_texts;
    Eigen::VectorXd m_a;
    Eigen::VectorXd m_b;
    QString m_nameA;
    QString m_nameB;
    charts::EstimateComparison m_summary;
    std::vector<int> m_drawn;  // the texts drawn, sorted
    QCategoryAxis *m_x;
    QCategoryAxis *m_y;
    QScatterSeries *m_other;
    QScatterSeries *m_one;
    QScatterSeries *m_both;
    QScatterSeries *m_focusMarker;
    charts::PointCloudItem *m_cloud;
    std::array<QColor, 3> m_layerColors;
    QColor m_cloudBorder;
    QLabel *m_summaryLabel;
    qsizetype m_backgroundThreshold = std::numeric_limits<qsizetype>::max();
    LatestWork<Comparison> m_work { this };
};

}  // namespace pcs
