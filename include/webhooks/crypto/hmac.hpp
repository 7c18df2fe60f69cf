// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_CRYPTO_HMAC_HPP
#define WEBHOOKS_CRYPTO_HMAC_HPP

/// @file
/// HMAC-SHA1/256/512 through OpenSSL 3's `EVP_MAC`, keyed once and reused for every message.

#include <webhooks/crypto/detail/openssl.hpp>
#include <webhooks/crypto/encoding.hpp>
#include <webhooks/error.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <utility>
#include <cstddef>
#include <initializer_list>
#include <span>
#include <string_view>

namespace webhooks::crypto {

/// The hash under an HMAC.
enum class hmac_algorithm { sha1, sha256, sha512 };

/// @return the MAC length in bytes for `a` (20, 32 or 64).
constexpr std::size_t digest_size(hmac_algorithm a) noexcept {
    switch (a) {
    case hmac_algorithm::sha1: return 20;
    case hmac_algorithm::sha256: return 32;
    case hmac_algorithm::sha512: return 64;
    }
    return 0;
}

/// @return OpenSSL's name of the hash ("SHA1", "SHA256", "SHA512").
constexpr const char* digest_name(hmac_algorithm a) noexcept {
    switch (a) {
    case hmac_algorithm::sha1: return "SHA1";
    case hmac_algorithm::sha256: return "SHA256";
    case hmac_algorithm::sha512: return "SHA512";
    }
    return "";
}

namespace detail {

inline std::uint64_t next_key_id() noexcept {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

// Each thread keeps a working copy of the last few keys it used. Re-initialising a working context with its own
// key (EVP_MAC_init with a null key) is cheaper than copying the keyed context for every message, and a keyed
// context cannot be shared between threads. Ids are never reused, so an entry of a destroyed key is never found
// again; it is evicted in time, or freed when the thread ends.
class working_contexts {
public:
    static constexpr std::size_t slots = 8;
    ~working_contexts() {
        for (auto& s : slots_) EVP_MAC_CTX_free(s.ctx);
    }
    EVP_MAC_CTX* get(std::uint64_t id, const EVP_MAC_CTX* keyed) {
        ++clock_;
        slot* victim = &slots_[0];
        for (auto& s : slots_) {
            if (s.id == id && s.ctx) {
                s.used = clock_;
                if (EVP_MAC_init(s.ctx, nullptr, 0, nullptr) != 1) openssl_failure("EVP_MAC_init");
                return s.ctx;
            }
            if (s.used < victim->used) victim = &s;
        }
        EVP_MAC_CTX* fresh = EVP_MAC_CTX_dup(keyed);  // already in its keyed, initial state
        if (!fresh) openssl_failure("EVP_MAC_CTX_dup");
        EVP_MAC_CTX_free(victim->ctx);
        *victim = {id, fresh, clock_};
        return fresh;
    }

private:
    struct slot {
        std::uint64_t id = 0;
        EVP_MAC_CTX* ctx = nullptr;
        std::uint64_t used = 0;
    };
    std::array<slot, slots> slots_{};
    std::uint64_t clock_ = 0;
};

inline EVP_MAC_CTX* working_context(std::uint64_t id, const EVP_MAC_CTX* keyed) {
    thread_local working_contexts contexts;
    return contexts.get(id, keyed);
}

} // namespace detail

/// A computed MAC (or hash): up to 64 bytes, held inline so computing one allocates nothing.
class digest {
public:
    constexpr digest() noexcept = default;
    constexpr std::span<const unsigned char> bytes() const noexcept { return {bytes_.data(), size_}; }
    constexpr std::span<unsigned char> storage(std::size_t n) noexcept { size_ = n; return {bytes_.data(), n}; }
    constexpr std::size_t size() const noexcept { return size_; }

    /// @return the bytes as text in `enc`.
    std::string to_string(encoding enc) const { return encode(bytes(), enc); }

private:
    std::array<unsigned char, 64> bytes_;  // not zeroed: only the first size_ bytes are ever read
    std::size_t size_ = 0;
};

/// A secret key bound to an HMAC algorithm, ready to MAC messages.
///
/// The HMAC algorithm object is fetched once per process and the key is set once, at construction. Each thread
/// keeps a working copy of the keyed context and re-initialises it per message, so computing a MAC neither fetches
/// nor copies. `compute` is `const` and safe to call from several threads at once.
///
/// @par Example
/// @code
/// crypto::hmac_key key{crypto::hmac_algorithm::sha256, "It's a Secret to Everybody"};
/// auto mac = key.compute({"Hello, World!"});
/// mac.to_string(crypto::encoding::hex);  // "757107ea…"
/// @endcode
class hmac_key {
public:
    /// @param algorithm the hash.
    /// @param key the raw key bytes; must not be empty.
    /// @throws boost::system::system_error with `error::invalid_key` when `key` is empty.
    hmac_key(hmac_algorithm algorithm, std::string_view key) : algorithm_(algorithm) {
        if (key.empty()) throw_error(error::invalid_key, "an HMAC key must not be empty");
        keyed_.reset(EVP_MAC_CTX_new(detail::hmac_algorithm_object()));
        if (!keyed_) detail::openssl_failure("EVP_MAC_CTX_new");
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest_name(algorithm)), 0),
            OSSL_PARAM_construct_end()};
        if (EVP_MAC_init(keyed_.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1)
            detail::openssl_failure("EVP_MAC_init");
    }

    hmac_key(const hmac_key& other)
        : algorithm_(other.algorithm_), keyed_(EVP_MAC_CTX_dup(other.keyed_.get())), id_(detail::next_key_id()) {
        if (!keyed_) detail::openssl_failure("EVP_MAC_CTX_dup");
    }
    hmac_key(hmac_key&& other) noexcept
        : algorithm_(other.algorithm_), keyed_(std::move(other.keyed_)), id_(std::exchange(other.id_, 0)) {}
    hmac_key& operator=(const hmac_key& other) { return *this = hmac_key(other); }
    hmac_key& operator=(hmac_key&& other) noexcept {
        algorithm_ = other.algorithm_;
        keyed_ = std::move(other.keyed_);
        id_ = std::exchange(other.id_, 0);
        return *this;
    }

    /// @return the hash this key MACs with.
    hmac_algorithm algorithm() const noexcept { return algorithm_; }

    /// MACs the concatenation of `parts` without concatenating them.
    /// @return the MAC, `digest_size(algorithm())` bytes.
    digest compute(std::span<const std::string_view> parts) const {
        EVP_MAC_CTX* ctx = detail::working_context(id_, keyed_.get());
        for (std::string_view p : parts)
            if (!p.empty() && EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(p.data()), p.size()) != 1)
                detail::openssl_failure("EVP_MAC_update");
        digest out;
        auto buffer = out.storage(digest_size(algorithm_));
        std::size_t written = 0;
        if (EVP_MAC_final(ctx, buffer.data(), &written, buffer.size()) != 1 || written != buffer.size())
            detail::openssl_failure("EVP_MAC_final");
        return out;
    }

    /// @copydoc compute
    digest compute(std::initializer_list<std::string_view> parts) const {
        return compute(std::span<const std::string_view>(parts.begin(), parts.size()));
    }

private:
    hmac_algorithm algorithm_;
    detail::mac_ctx_ptr keyed_;
    std::uint64_t id_ = detail::next_key_id();  // names this key's working contexts in each thread's cache
};

} // namespace webhooks::crypto

#endif
