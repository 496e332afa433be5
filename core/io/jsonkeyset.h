#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace pcs {

// The keys of one JSON object, to find duplicates as they are read. While the object is small
// (the usual record has a handful of keys) the keys are a plain list with a 512-bit filter of
// their hashes: a new key whose bit is not set yet is new without comparing anything, and only a
// bit already set costs a walk over the list. Past kListLimit keys a hash table takes over, so
// an object with 100k keys still costs linear time. The hash is seeded per instance, so a line
// crafted to collide cannot make the table quadratic either.
class JsonKeySet {
public:
    JsonKeySet();

    // Forgets every key; keeps the memory for the next object.
    void clear()
    {
        m_keys.clear();
        m_filter = {};
        if (m_tableInUse)
            leaveTable();
    }

    // Adds `key`, found at byte `offset` of the line. Answers the offset of an earlier equal key
    // (and then does not add it), or kNew. The bytes of `key` must stay valid until clear().
    // Inline, and a plain number rather than an optional (which GCC passes through memory): the
    // scanner calls it for every top-level key, and the usual case is a few instructions.
    std::size_t insert(std::string_view key, std::size_t offset)
    {
        const std::uint64_t hash = hashOf(key);
        if (!m_tableInUse && m_keys.size() < kListLimit) {
            std::uint64_t &word = m_filter[(hash >> 6) & (kFilterWords - 1)];
            const std::uint64_t bit = std::uint64_t(1) << (hash & 63);
            if ((word & bit) == 0) {
                word |= bit;
                m_keys.push_back(Key { hash, key, offset });
                return kNew;
            }
        }
        return insertSlowly(hash, key, offset);
    }

    std::size_t size() const { return m_keys.size(); }

    static constexpr std::size_t kNew = std::size_t(-1);

    // Up to this many keys the list with its filter beats a table (at most 64 of 512 filter
    // bits are set, so a walk over the list is rare).
    static constexpr std::size_t kListLimit = 64;
    static constexpr std::size_t kFilterWords = 8;  // 512 bits

private:
    struct Key {
        std::uint64_t hash = 0;
        std::string_view text;
        std::size_t offset = 0;
    };
    // A table slot is in use when its generation is the current one, so clearing costs nothing.
    struct Slot {
        std::uint64_t hash = 0;  // the key's, so that a probe reads m_keys only on a match
        std::uint32_t generation = 0;
        std::uint32_t index = 0;  // into m_keys
    };

    static std::uint64_t mix(std::uint64_t value)
    {
        value *= 0x9E3779B97F4A7C15ULL;
        return value ^ (value >> 29);
    }
    std::uint64_t hashOf(std::string_view key) const
    {
        // Eight bytes at a time; the last 1-7 by fixed-size loads that cover them all
        // (overlapping where needed): a variable-length copy would go through memory and stall
        // the load after it.
        std::uint64_t hash = m_seed ^ (std::uint64_t(key.size()) << 32);
        const char *p = key.data();
        std::size_t left = key.size();
        for (; left >= 8; left -= 8, p += 8) {
            std::uint64_t chunk = 0;
            std::memcpy(&chunk, p, 8);
            hash = mix(hash ^ chunk);
        }
        if (left >= 4) {
            std::uint32_t head = 0, tail = 0;
            std::memcpy(&head, p, 4);
            std::memcpy(&tail, p + left - 4, 4);
            hash = mix(hash ^ ((std::uint64_t(head) << 32) | tail));
        } else if (left > 0) {
            const auto byte = [p](std::size_t i) { return std::uint64_t(std::uint8_t(p[i])); };
            hash = mix(hash ^ ((byte(0) << 16) | (byte(left / 2) << 8) | byte(left - 1)));
        }
        return mix(hash ^ (hash >> 32));
    }

    std::size_t insertSlowly(std::uint64_t hash, std::string_view key, std::size_t offset);
    void placeInTable(std::uint32_t index);
    void rebuildTable(std::size_t capacity);
    void leaveTable();

    std::uint64_t m_seed = 0;
    std::vector<Key> m_keys;
    // While a list: the bit (hash mod 512) of every key.
    std::array<std::uint64_t, kFilterWords> m_filter {};
    // Used once the list is full: the first m_tableMask + 1 slots (a power of two, sized for this
    // object, so that one huge object does not spread later small ones over a large table).
    std::vector<Slot> m_table;
    std::size_t m_tableMask = 0;
    std::uint32_t m_generation = 1;
    bool m_tableInUse = false;
};

}  // namespace pcs
