# The fastText filter: JSONL streaming, training data, training, evaluation, apply ---------------
target_sources(core PRIVATE
  filter/fasttextmodel.h filter/fasttextmodel.cpp
  filter/fasttextmodelfile.h filter/fasttextmodelfile.cpp
  filter/filterevaluation.h filter/filterevaluation.cpp
  filter/cleaning.h filter/cleaning.cpp
  filter/trainingdata.h filter/trainingdata.cpp
  filter/filtertrain.h filter/filtertrain.cpp
  filter/filterapply.h filter/filterapply.cpp
)
