#pragma once

#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

namespace pcs {

// An array of trivially copyable T (uninitialised unless asked) for large, short-lived working
// buffers (sort keys, permutations). Memory is mapped anonymously and, where the kernel allows it
// (transparent huge pages in "madvise" mode), backed by 2 MB pages: first touches then fault once
// per 2 MB instead of once per 4 KB, which on virtual machines costs more than the work done on the
// buffer. Falls back to operator new if mapping fails.
template<typename T> class HugeBuffer {
    static_assert(std::is_trivially_copyable_v<T>);

public:
    enum Init { Uninitialized, Zeroed };
    HugeBuffer() = default;
    // Zeroed costs nothing extra for a mapped buffer (fresh pages are the kernel's zeros).
    explicit HugeBuffer(std::size_t count, Init init = Uninitialized)
        : m_count(count)
    {
        m_data = static_cast<T *>(allocateHugeBytes(count * sizeof(T), m_mapped));
        if (init == Zeroed && !m_mapped && count > 0)
            std::memset(static_cast<void *>(m_data), 0, count * sizeof(T));
    }
    HugeBuffer(const HugeBuffer &) = delete;
    HugeBuffer &operator=(const HugeBuffer &) = delete;
    HugeBuffer(HugeBuffer &&other) noexcept { swap(other); }
    HugeBuffer &operator=(HugeBuffer &&other) noexcept
    {
        swap(other);
        return *this;
    }
    ~HugeBuffer() { releaseHugeBytes(m_data, m_count * sizeof(T), m_mapped); }

    T *data() { return m_data; }
    const T *data() const { return m_data; }
    std::size_t size() const { return m_count; }
    T &operator[](std::size_t i) { return m_data[i]; }
    const T &operator[](std::size_t i) const { return m_data[i]; }
    void swap(HugeBuffer &other) noexcept
    {
        std::swap(m_data, other.m_data);
        std::swap(m_count, other.m_count);
        std::swap(m_mapped, other.m_mapped);
    }

private:
    T *m_data = nullptr;
    std::size_t m_count = 0;
    bool m_mapped = false;

    static void *allocateHugeBytes(std::size_t bytes, bool &mapped);
    static void releaseHugeBytes(void *data, std::size_t bytes, bool mapped);
};

void *allocateHugeBufferBytes(std::size_t bytes, bool &mapped);
void releaseHugeBufferBytes(void *data, std::size_t bytes, bool mapped);

// Mapped (huge-page) memory from kHugeAllocatorMappedFrom bytes, the heap below; throws
// std::bad_alloc when the mapping fails. For HugePageAllocator, which decides by size alone.
inline constexpr std::size_t kHugeAllocatorMappedFrom = std::size_t(4) << 20;
void *allocateHugeAllocatorBytes(std::size_t bytes);
void releaseHugeAllocatorBytes(void *data, std::size_t bytes);

// A std::vector allocator with HugeBuffer's memory (large arrays in 2 MB pages) whose resize()
// leaves new elements uninitialised rather than zeroed: for arrays filled right after sizing.
template<typename T> struct HugePageAllocator {
    using value_type = T;
    HugePageAllocator() = default;
    template<typename U> HugePageAllocator(const HugePageAllocator<U> &) noexcept { }
    T *allocate(std::size_t count)
    {
        return static_cast<T *>(allocateHugeAllocatorBytes(count * sizeof(T)));
    }
    void deallocate(T *data, std::size_t count) noexcept
    {
        releaseHugeAllocatorBytes(data, count * sizeof(T));
    }
    template<typename U> void construct(U *at) noexcept { ::new (static_cast<void *>(at)) U; }
    template<typename U, typename... Args> void construct(U *at, Args &&...args)
    {
        ::new (static_cast<void *>(at)) U(std::forward<Args>(args)...);
    }
    template<typename U> bool operator==(const HugePageAllocator<U> &) const noexcept
    {
        return true;
    }
};

template<typename T> void *HugeBuffer<T>::allocateHugeBytes(std::size_t bytes, bool &mapped)
{
    return allocateHugeBufferBytes(bytes, mapped);
}

template<typename T>
void HugeBuffer<T>::releaseHugeBytes(void *data, std::size_t bytes, bool mapped)
{
    releaseHugeBufferBytes(data, bytes, mapped);
}

}  // namespace pcs
