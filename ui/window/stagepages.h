#pragma once

#include "core/workspace/selectionsession.h"

class QAction;
class QWidget;

namespace pcs {

class SelectionControls;
class TextFocus;

// The pages behind the stage sidebar, each built from the shared session and text focus.
QWidget *createSelectionPage(SelectionSession *session, TextFocus *focus,
                             SelectionControls *controls);
QWidget *createDistributionPage(SelectionSession *session, TextFocus *focus, QAction *exportAction);
QWidget *createComparePage(SelectionSession *session, TextFocus *focus);

}  // namespace pcs
