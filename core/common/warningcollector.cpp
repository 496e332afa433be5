#include "core/common/warningcollector.h"

#include <algorithm>

namespace pcs {

namespace {

constexpr qsizetype kMaxLabelsShown = 12;  // a line, not a page

QString counted(int count, const QString &noun)
{
    return QStringLiteral("%1 %2%3").arg(count).arg(noun,
                                                    count == 1 ? QString() : QStringLiteral("s"));
}

}  // namespace

void WarningCollector::add(const WarningKind &kind, const Error &example, const QString &label)
{
    auto it = m_groups.find(kind.headline);
    if (it == m_groups.end()) {
        m_order.append(kind.headline);
        it = m_groups.insert(kind.headline, Group { kind, example, 0, {} });
    }
    ++it->count;
    if (!kind.labelNoun.isEmpty() && !label.isEmpty()) {
        const auto at = std::lower_bound(it->labels.begin(), it->labels.end(), label);
        if (at == it->labels.end() || *at != label)
            it->labels.insert(at, label);
    }
}

int WarningCollector::count(const QString &headline) const
{
    const auto it = m_groups.constFind(headline);
    return it == m_groups.cend() ? 0 : it->count;
}

Warnings WarningCollector::warnings() const
{
    Warnings out;
    out.reserve(m_order.size());
    for (const QString &headline : m_order) {
        const Group &group = *m_groups.constFind(headline);
        QStringList details { counted(group.count, group.kind.noun) };
        if (!group.labels.isEmpty()) {
            QStringList shown = group.labels.mid(0, kMaxLabelsShown);
            if (group.labels.size() > kMaxLabelsShown)
                shown.append(
                    QStringLiteral("… %1 more").arg(group.labels.size() - kMaxLabelsShown));
            details.append(group.kind.labelNoun + QStringLiteral(": ")
                           + shown.join(QStringLiteral(", ")));
        }
        if (!group.first.reason.isEmpty())
            details.append(QStringLiteral("first: ") + group.first.reason);
        Error line = group.first;
        line.reason = headline + QStringLiteral(" (") + details.join(QStringLiteral("; "))
            + QLatin1Char(')');
        out.append(line);
    }
    return out;
}

}  // namespace pcs
