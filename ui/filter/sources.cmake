# The Filter stage: training, evaluation with its charts, the model bundle, apply
target_sources(ui PRIVATE
  filter/filelistedit.h filter/filelistedit.cpp
  filter/scorehistogramchart.h filter/scorehistogramchart.cpp
  filter/thresholdcurvechart.h filter/thresholdcurvechart.cpp
  filter/trainingpanel.h filter/trainingpanel.cpp
  filter/evaluationpanel.h filter/evaluationpanel.cpp
  filter/applypanel.h filter/applypanel.cpp
  filter/filterpage.h filter/filterpage.cpp
)
