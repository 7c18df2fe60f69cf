// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_DETAIL_INLINE_LIST_HPP
#define WEBHOOKS_DETAIL_INLINE_LIST_HPP

// A list of at most N trivially copyable values held inline, whose unused slots are never initialised: a
// std::array of string_views is zeroed on every verify, which costs more than the parsing it serves.

#include <cstddef>
#include <new>
#include <span>
#include <type_traits>

namespace webhooks::detail {

template <class T, std::size_t N>
class inline_list {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

public:
    inline_list() noexcept {}  // leaves the slots uninitialised on purpose
    inline_list(const inline_list& o) noexcept : size_(o.size_) {
        for (std::size_t i = 0; i < size_; ++i) ::new (&slots_[i].value) T(o[i]);
    }
    inline_list& operator=(const inline_list& o) noexcept {
        size_ = o.size_;
        for (std::size_t i = 0; i < size_; ++i) ::new (&slots_[i].value) T(o[i]);
        return *this;
    }

    static constexpr std::size_t capacity() noexcept { return N; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    bool full() const noexcept { return size_ == N; }

    /// Appends `v`; the caller checks `full()` first.
    T& push_back(const T& v) noexcept { return *::new (&slots_[size_++].value) T(v); }
    /// Appends a default value to fill in; the caller checks `full()` first.
    T& emplace_back() noexcept { return *::new (&slots_[size_++].value) T(); }
    /// Drops the last value.
    void pop_back() noexcept { --size_; }

    T& operator[](std::size_t i) noexcept { return slots_[i].value; }
    const T& operator[](std::size_t i) const noexcept { return slots_[i].value; }
    std::span<const T> span() const noexcept { return {data(), size_}; }

private:
    const T* data() const noexcept { return size_ ? &slots_[0].value : nullptr; }

    union slot {
        slot() noexcept {}
        T value;
    };
    slot slots_[N];
    std::size_t size_ = 0;
};

} // namespace webhooks::detail

#endif
