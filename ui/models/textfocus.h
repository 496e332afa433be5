#pragma once

#include <QObject>

namespace pcs {

// The text the user is looking at, shared by every view so that a selection in one (table row,
// chart point) shows in the others. -1 = none. Indices are columns of the BPB matrix.
class TextFocus : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    int current() const { return m_current; }
    void setCurrent(int text)
    {
        if (text == m_current)
            return;
        m_current = text;
        Q_EMIT currentChanged(text);
    }

Q_SIGNALS:
    void currentChanged(int text);

private:
    int m_current = -1;
};

}  // namespace pcs
