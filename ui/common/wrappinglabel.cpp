#include "ui/common/wrappinglabel.h"

#include <QLabel>

#include <algorithm>

namespace pcs {

namespace {

constexpr QChar zeroWidthSpace(0x200B);

// Where Qt's line breaking already breaks a label's text: at spaces and after a slash.
bool endsRun(QChar c)
{
    return c.isSpace() || c == zeroWidthSpace || c == QLatin1Char('/');
}

}  // namespace

QString breakLongRuns(const QString &text, int longestRun)
{
    QString broken;
    broken.reserve(text.size() + text.size() / std::max(1, longestRun));
    int run = 0;
    for (const QChar c : text) {
        if (run == longestRun && !endsRun(c)) {
            broken += zeroWidthSpace;
            run = 0;
        }
        broken += c;
        run = endsRun(c) ? 0 : run + 1;
    }
    return broken;
}

void makeWrapping(QLabel *label)
{
    label->setWordWrap(true);
    // Ignored: the layout's width, not the text's; the height still follows heightForWidth.
    label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    label->setMinimumWidth(1);
}

void setWrappingText(QLabel *label, const QString &text)
{
    label->setText(breakLongRuns(text));
}

}  // namespace pcs
