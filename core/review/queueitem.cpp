#include "core/review/queueitem.h"

namespace pcs {

QString itemStateName(ItemState state)
{
    switch (state) {
    case ItemState::Pending:
        return QStringLiteral("pending");
    case ItemState::Assessed:
        return QStringLiteral("assessed");
    case ItemState::Error:
        return QStringLiteral("error");
    }
    return {};
}

std::optional<ItemState> itemStateFromName(const QString &name)
{
    for (const ItemState state : { ItemState::Pending, ItemState::Assessed, ItemState::Error })
        if (name == itemStateName(state))
            return state;
    return std::nullopt;
}

}  // namespace pcs
