target_sources(ui PRIVATE
  window/mainwindow.h window/mainwindow.cpp window/mainwindow_files.cpp
  window/datapage.h window/datapage.cpp window/datapagetext.h window/datapagetext.cpp
  window/selectioncontrols.h window/selectioncontrols.cpp
  window/stagepages.h window/stagepages.cpp
  window/theme.h window/theme.cpp
)
qt_add_resources(ui pcstudio_ui_resources
  PREFIX /icons
  BASE ${CMAKE_SOURCE_DIR}/resources/icons
  FILES ${CMAKE_SOURCE_DIR}/resources/icons/pcstudio.svg
)
