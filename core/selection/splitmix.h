#pragma once

#include <QtGlobal>

namespace pcs::detail {

// SplitMix64 (Steele, Lea & Flood 2014): tiny, fully specified and the same on every platform,
// so a seed gives the same resamples and folds everywhere (std:: distributions do not).
struct SplitMix64 {
    quint64 state = 0;

    quint64 next()
    {
        quint64 z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

    // Exactly uniform in [0, n), n > 0: values from the incomplete top range are drawn again.
    quint64 below(quint64 n)
    {
        const quint64 limit = ~quint64(0) - (~quint64(0) % n);
        quint64 x = next();
        while (x >= limit)
            x = next();
        return x % n;
    }
};

// A stream for (seed, a, b) alone: mixed so that pairs differing in one bit are unrelated.
inline SplitMix64 splitMixStream(quint64 seed, quint64 a, quint64 b = 0)
{
    SplitMix64 mixer { seed };
    quint64 state = mixer.next();
    SplitMix64 aMixer { a ^ 0xD1B54A32D192ED03ULL };
    state ^= aMixer.next();
    SplitMix64 bMixer { b ^ 0x8CB92BA72F3D8DD7ULL };
    state ^= bMixer.next() * 3;
    return SplitMix64 { state };
}

}  // namespace pcs::detail
