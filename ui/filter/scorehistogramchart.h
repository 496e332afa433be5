#pragma once

#include "ui/charts/chartwidget.h"

#include <vector>

class QAreaSeries;
class QCategoryAxis;
class QLineSeries;

namespace pcs {

// How a filter scores the held-out documents of each class: the count per score bin over
// [0, 1] for include and for exclude (overlaid, translucent), with the threshold as a vertical
// line. Hover gives the bin's range and both counts.
class ScoreHistogramChart : public ChartWidget {
    Q_OBJECT
public:
    explicit ScoreHistogramChart(QWidget *parent = nullptr);
    ~ScoreHistogramChart() override;

    // Equal bins over [0, 1], as evaluateFilter() counts them; both the same length.
    void setHistograms(std::vector<qint64> include, std::vector<qint64> exclude);
    void clear();
    void setThreshold(double threshold);
    double threshold() const { return m_threshold; }

    QString toolTipAt(const QPointF &value) const override;

    // Per-class density: each class's bins as a share of that class, so a class of 10% of the
    // documents is as visible as the other. Log count: the height is log(1 + count) (or of the
    // share), so a few documents in a bin still show beside thousands.
    void setPerClassDensity(bool density);
    bool perClassDensity() const { return m_density; }
    void setLogScale(bool log);
    bool logScale() const { return m_log; }
    // The height drawn for a bin's count of one class (include: true).
    double shownHeight(qint64 count, bool include) const;

    const std::vector<qint64> &includeCounts() const { return m_include; }
    const std::vector<qint64> &excludeCounts() const { return m_exclude; }
    QLineSeries *includeSeries() const { return m_includeLine; }
    QLineSeries *excludeSeries() const { return m_excludeLine; }
    QLineSeries *thresholdMarker() const { return m_marker; }

Q_SIGNALS:
    void scaleChanged();

protected:
    void addMenuActions(QMenu *menu) override;
    void applyColors(const charts::ChartColors &colors) override;
    void textFocusChanged(int text) override { Q_UNUSED(text) }

private:
    int binAt(double score) const;
    void updateMarker();
    void rebuild();
    QList<QPointF> outline(const std::vector<qint64> &counts, bool include) const;

    std::vector<qint64> m_include;
    std::vector<qint64> m_exclude;
    qint64 m_includeTotal = 0;
    qint64 m_excludeTotal = 0;
    bool m_density = false;
    bool m_log = false;
    double m_threshold = 0.5;
    double m_top = 1;
    QCategoryAxis *m_x;
    QCategoryAxis *m_y;
    QLineSeries *m_includeLine;
    QLineSeries *m_excludeLine;
    QAreaSeries *m_includeArea;
    QAreaSeries *m_excludeArea;
    QLineSeries *m_marker;
};

}  // namespace pcs
