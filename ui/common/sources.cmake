# Widgets and helpers the pages share: the task status row, the inline banner, file dialogs
target_sources(ui PRIVATE
  common/elidedlabel.h common/elidedlabel.cpp
  common/wrappinglabel.h common/wrappinglabel.cpp
  common/errorbanner.h common/errorbanner.cpp
  common/taskstatusrow.h common/taskstatusrow.cpp
  common/filedialogs.h common/filedialogs.cpp
)
