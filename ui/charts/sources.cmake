# Charts: ranked estimates, per-text scatter, distribution, estimator comparison, export
target_sources(ui PRIVATE
  charts/downsample.h charts/downsample.cpp
  charts/estimatorlabels.h charts/estimatorlabels.cpp
  charts/estimatecomparison.h charts/estimatecomparison.cpp
  charts/charttheme.h charts/charttheme.cpp
  charts/chartexport.h charts/chartexport.cpp
  charts/chartview.h charts/chartview.cpp
  charts/chartwidget.h charts/chartwidget.cpp
  charts/niceaxis.h charts/niceaxis.cpp
  charts/pointcloud.h charts/pointcloud.cpp
  charts/rankedestimateschart.h charts/rankedestimateschart.cpp
  charts/textscatterchart.h charts/textscatterchart.cpp
  charts/distributionchart.h charts/distributionchart.cpp
  charts/comparisonchart.h charts/comparisonchart.cpp
)
