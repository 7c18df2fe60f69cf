// SPDX-License-Identifier: BSL-1.0
// Allocation counters for the benchmarks (linked into webhooks_bench_verify and webhooks_bench_pipeline only).
//
// Two counters, per thread:
// - `news`: calls of the replaced global `operator new` (every form: plain, array, nothrow, aligned). These are the
//   C++ allocations: the library's strings, vectors, maps, std::function targets, Boost.JSON's default resource.
// - `mallocs`: calls of malloc, calloc, realloc, memalign/aligned_alloc/valloc/pvalloc/posix_memalign. On glibc this
//   program defines those symbols, forwarding to glibc's own allocator (`__libc_malloc`…), so every call in the
//   process is counted: OpenSSL's (CRYPTO_malloc ends in malloc), and the malloc under each `operator new` above.
//   So `mallocs` >= `news`, and `mallocs - news` is roughly what C code (OpenSSL) allocated.
//
// Forwarding to `__libc_*` keeps a single heap, so memory from one entry point freed through another stays valid.
// Elsewhere than glibc, malloc is not interposed and `malloc_counting()` says so.
#include "common.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace {
thread_local std::uint64_t news = 0;
thread_local std::uint64_t mallocs = 0;

void* counted_new(std::size_t n) {
    ++news;
    if (n == 0) n = 1;
    for (;;) {
        if (void* p = std::malloc(n)) return p;
        std::new_handler h = std::get_new_handler();
        if (!h) throw std::bad_alloc();
        h();
    }
}

void* counted_new_aligned(std::size_t n, std::align_val_t a) {
    ++news;
    std::size_t align = static_cast<std::size_t>(a);
    if (align < sizeof(void*)) align = sizeof(void*);
    if (n == 0) n = 1;
    for (;;) {
        void* p = nullptr;
        if (posix_memalign(&p, align, n) == 0 && p) return p;
        std::new_handler h = std::get_new_handler();
        if (!h) throw std::bad_alloc();
        h();
    }
}
} // namespace

// --- operator new / delete, every replaceable form ------------------------------------------------------------------
void* operator new(std::size_t n) { return counted_new(n); }
void* operator new[](std::size_t n) { return counted_new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try { return counted_new(n); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    try { return counted_new(n); } catch (...) { return nullptr; }
}
void* operator new(std::size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    try { return counted_new_aligned(n, a); } catch (...) { return nullptr; }
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    try { return counted_new_aligned(n, a); } catch (...) { return nullptr; }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

// --- malloc family (glibc) ------------------------------------------------------------------------------------------
#if defined(__GLIBC__)
extern "C" {
void* __libc_malloc(std::size_t) noexcept;
void* __libc_calloc(std::size_t, std::size_t) noexcept;
void* __libc_realloc(void*, std::size_t) noexcept;
void __libc_free(void*) noexcept;
void* __libc_memalign(std::size_t, std::size_t) noexcept;
void* __libc_valloc(std::size_t) noexcept;
void* __libc_pvalloc(std::size_t) noexcept;

void* malloc(std::size_t n) noexcept {
    ++mallocs;
    return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) noexcept {
    ++mallocs;
    return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) noexcept {
    ++mallocs;
    return __libc_realloc(p, n);
}
void free(void* p) noexcept { __libc_free(p); }
void* memalign(std::size_t align, std::size_t n) noexcept {
    ++mallocs;
    return __libc_memalign(align, n);
}
void* aligned_alloc(std::size_t align, std::size_t n) noexcept {
    ++mallocs;
    return __libc_memalign(align, n);
}
void* valloc(std::size_t n) noexcept {
    ++mallocs;
    return __libc_valloc(n);
}
void* pvalloc(std::size_t n) noexcept {
    ++mallocs;
    return __libc_pvalloc(n);
}
int posix_memalign(void** out, std::size_t align, std::size_t n) noexcept {
    if (align % sizeof(void*) != 0 || (align & (align - 1)) != 0) return 22;  // EINVAL
    ++mallocs;
    void* p = __libc_memalign(align, n);
    if (!p) return 12;  // ENOMEM
    *out = p;
    return 0;
}
}
#endif

namespace bench {

alloc_counts alloc_now() noexcept { return {news, mallocs}; }

bool malloc_counting() noexcept {
    static const bool works = [] {
        // Through a volatile pointer, so the compiler cannot elide the pair.
        void* (*volatile m)(std::size_t) = &std::malloc;
        void (*volatile f)(void*) = &std::free;
        std::uint64_t before = mallocs;
        f(m(16));
        return mallocs == before + 1;
    }();
    return works;
}

} // namespace bench
