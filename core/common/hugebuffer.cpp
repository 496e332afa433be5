#include "core/common/hugebuffer.h"

#include <new>

#include <sys/mman.h>

namespace pcs {

namespace {

// Below this, the heap serves the buffer better (and a huge page would be mostly unused).
constexpr std::size_t kMappedFrom = std::size_t(4) << 20;

}  // namespace

void *allocateHugeBufferBytes(std::size_t bytes, bool &mapped)
{
    mapped = false;
    if (bytes == 0)
        return nullptr;
    if (bytes >= kMappedFrom) {
        void *data
            = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (data != MAP_FAILED) {
#ifdef MADV_HUGEPAGE
            ::madvise(data, bytes, MADV_HUGEPAGE);  // a hint: refused is fine
#endif
            mapped = true;
            return data;
        }
    }
    return ::operator new(bytes);
}

void releaseHugeBufferBytes(void *data, std::size_t bytes, bool mapped)
{
    if (data == nullptr)
        return;
    if (mapped)
        ::munmap(data, bytes);
    else
        ::operator delete(data);
}

void *allocateHugeAllocatorBytes(std::size_t bytes)
{
    if (bytes < kHugeAllocatorMappedFrom)
        return ::operator new(bytes);
    void *data = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED)
        throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    ::madvise(data, bytes, MADV_HUGEPAGE);  // a hint: refused is fine
#endif
    return data;
}

void releaseHugeAllocatorBytes(void *data, std::size_t bytes)
{
    if (data == nullptr)
        return;
    if (bytes < kHugeAllocatorMappedFrom)
        ::operator delete(data);
    else
        ::munmap(data, bytes);
}

}  // namespace pcs
