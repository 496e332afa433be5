#include "core/io/bpbmatrix.h"

namespace pcs {

namespace {

struct LayoutName {
    BpbLayout layout;
    const char *name;
};

constexpr LayoutName kLayoutNames[] = {
    { BpbLayout::Auto, "auto" },        { BpbLayout::TextRows, "text-rows" },
    { BpbLayout::LlmRows, "llm-rows" }, { BpbLayout::Long, "long" },
    { BpbLayout::Npy, "npy" },
};

}  // namespace

QString bpbLayoutName(BpbLayout layout)
{
    for (const LayoutName &entry : kLayoutNames) {
        if (entry.layout == layout)
            return QLatin1String(entry.name);
    }
    return QStringLiteral("auto");
}

bool bpbLayoutFromName(const QString &name, BpbLayout *out)
{
    const QString wanted = name.trimmed().toLower();
    for (const LayoutName &entry : kLayoutNames) {
        if (wanted == QLatin1String(entry.name)) {
            if (out)
                *out = entry.layout;
            return true;
        }
    }
    return false;
}

QStringList bpbLayoutNames()
{
    QStringList names;
    for (const LayoutName &entry : kLayoutNames)
        names.append(QLatin1String(entry.name));
    return names;
}

}  // namespace pcs
