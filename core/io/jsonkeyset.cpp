#include "core/io/jsonkeyset.h"

#include <QRandomGenerator>

#include <algorithm>

namespace pcs {

JsonKeySet::JsonKeySet()
    : m_seed(QRandomGenerator::global()->generate64())
{
}

void JsonKeySet::leaveTable()
{
    m_tableInUse = false;
    if (++m_generation == 0) {
        // After 2^32 generations every slot could look current again: wipe them once.
        std::fill(m_table.begin(), m_table.end(), Slot {});
        m_generation = 1;
    }
}

void JsonKeySet::placeInTable(std::uint32_t index)
{
    const std::uint64_t hash = m_keys[index].hash;
    std::size_t position = std::size_t(hash) & m_tableMask;
    while (m_table[position].generation == m_generation)
        position = (position + 1) & m_tableMask;
    m_table[position] = Slot { hash, m_generation, index };
}

void JsonKeySet::rebuildTable(std::size_t capacity)
{
    if (m_table.size() < capacity)
        m_table.resize(capacity);
    m_tableMask = capacity - 1;
    leaveTable();  // a new generation frees every slot
    m_tableInUse = true;
    for (std::uint32_t index = 0; index < std::uint32_t(m_keys.size()); ++index)
        placeInTable(index);
}

std::size_t JsonKeySet::insertSlowly(std::uint64_t hash, std::string_view key, std::size_t offset)
{
    if (!m_tableInUse) {
        // The key's filter bit was set (or the list is full): compare with the list.
        for (const Key &other : m_keys) {
            if (other.hash == hash && other.text == key)
                return other.offset;
        }
        m_filter[(hash >> 6) & (kFilterWords - 1)] |= std::uint64_t(1) << (hash & 63);
        m_keys.push_back(Key { hash, key, offset });
        if (m_keys.size() > kListLimit)
            rebuildTable(4 * kListLimit);
        return kNew;
    }
    std::size_t position = std::size_t(hash) & m_tableMask;
    for (;; position = (position + 1) & m_tableMask) {
        const Slot &slot = m_table[position];
        if (slot.generation != m_generation)
            break;
        if (slot.hash == hash && m_keys[slot.index].text == key)
            return m_keys[slot.index].offset;
    }
    m_keys.push_back(Key { hash, key, offset });
    // At most half full: probes stay short.
    if (m_keys.size() * 2 > m_tableMask + 1)
        rebuildTable((m_tableMask + 1) * 2);
    else
        m_table[position] = Slot { hash, m_generation, std::uint32_t(m_keys.size() - 1) };
    return kNew;
}

}  // namespace pcs
