target_sources(ui PRIVATE
  window/mainwindow.h window/mainwindow.cpp
)
