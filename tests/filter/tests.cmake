# Tests of core/filter: pcstudio_add_test(tst_name SOURCES filter/tst_name.cpp)
pcstudio_add_test(tst_fasttextmodel SOURCES filter/tst_fasttextmodel.cpp)
pcstudio_add_test(tst_filterevaluation SOURCES filter/tst_filterevaluation.cpp)
pcstudio_add_test(tst_fasttextmodelfile SOURCES filter/tst_fasttextmodelfile.cpp
  filter/fasttextmodellayout.h)
add_dependencies(tst_fasttextmodelfile pcstudio-cli)  # runs the CLI on hostile models
# The model bundle through the checked writer: full disk, one set, never over an input.
pcstudio_add_test(tst_filterbundle SOURCES filter/tst_filterbundle.cpp)
