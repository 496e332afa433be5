#pragma once

#include "ui/charts/chartwidget.h"

#include <memory>

class QCategoryAxis;
class QLineSeries;
class QScatterSeries;

namespace pcs {

struct SelectionData;
struct SelectionOutcome;

// The picture that explains one correlation: for the focused text, each used LLM's BPB on it
// (x) against that LLM's benchmark error (y), with an optional least-squares trend. A rising
// trend is a positive estimate: lower BPB on the text goes with lower error. In rank mode both
// axes show mid-ranks, what spearmanr correlates (the trend's r is then Spearman's ρ).
class TextScatterChart : public ChartWidget {
    Q_OBJECT
public:
    explicit TextScatterChart(QWidget *parent = nullptr);
    ~TextScatterChart() override;

    void setData(std::shared_ptr<const SelectionData> selectionData,
                 std::shared_ptr<const SelectionOutcome> outcome);

    void setTrendVisible(bool visible);
    bool isTrendVisible() const { return m_trendVisible; }
    void setRankMode(bool ranks);
    bool isRankMode() const { return m_rankMode; }

    int shownText() const { return m_text; }  // -1 = none
    QString llmAt(int index) const;  // the LLM of point `index`
    double trendCorrelation() const { return m_correlation; }  // r of the shown coordinates

    QString toolTipAt(const QPointF &value) const override;

    QScatterSeries *pointSeries() const { return m_points; }
    QLineSeries *trendSeries() const { return m_trend; }

protected:
    void applyColors(const charts::ChartColors &colors) override;
    void textFocusChanged(int text) override;
    void addMenuActions(QMenu *menu) override;

private:
    void rebuild();

    std::shared_ptr<const SelectionData> m_data;
    std::shared_ptr<const SelectionOutcome> m_outcome;
    int m_text = -1;
    bool m_trendVisible = true;
    bool m_rankMode = false;
    double m_correlation = 0;
    QList<QPointF> m_raw;  // (BPB, error) per used LLM, in the order of aligned.llms
    QCategoryAxis *m_x;
    QCategoryAxis *m_y;
    QScatterSeries *m_points;
    QLineSeries *m_trend;
};

}  // namespace pcs
