#pragma once

#include <QString>

class QLabel;

namespace pcs {

// A long file name in a word-wrapped label is one word: the label would ask for its whole width
// and widen the window. These keep such labels to the width the layout gives them.

// `text` with a zero-width space after every `longestRun` characters of any run without a space,
// or slash (where Qt already breaks), so the run wraps; shorter runs (the words and path
// segments of ordinary text) are left as they are, so copying them gives the real text.
QString breakLongRuns(const QString &text, int longestRun = 60);

// Makes a label word-wrapped and taking the width it is given, never its longest word's.
void makeWrapping(QLabel *label);
// Shows `text` in such a label with its long runs broken.
void setWrappingText(QLabel *label, const QString &text);

}  // namespace pcs
