// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_CRYPTO_ED25519_HPP
#define WEBHOOKS_CRYPTO_ED25519_HPP

/// @file
/// Ed25519 signatures (RFC 8032) through OpenSSL 3: verify with a pinned public key, sign with a private seed.
/// Used by Standard Webhooks `v1a` (and Discord).

#include <webhooks/crypto/detail/openssl.hpp>
#include <webhooks/error.hpp>

#include <algorithm>
#include <array>
#include <memory>
#include <string_view>

namespace webhooks::crypto {

/// An Ed25519 public key: verifies signatures.
///
/// @par Example
/// @code
/// auto key = crypto::ed25519_public_key{*crypto::decode(hex_public_key, crypto::encoding::hex)};
/// bool ok = key.verify(message, signature_bytes);
/// @endcode
class ed25519_public_key {
public:
    static constexpr std::size_t size = 32;

    /// @param raw the 32 raw key bytes.
    /// @throws boost::system::system_error with `error::invalid_key` when `raw` is not a valid 32-byte key.
    explicit ed25519_public_key(std::string_view raw) {
        if (raw.size() != size) throw_error(error::invalid_key, "an Ed25519 public key is 32 bytes");
        key_.reset(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr,
                                                  reinterpret_cast<const unsigned char*>(raw.data()), raw.size()));
        if (!key_) throw_error(error::invalid_key, "not an Ed25519 public key");
        std::copy(raw.begin(), raw.end(), raw_.begin());
    }
    ed25519_public_key(const ed25519_public_key& o) : ed25519_public_key(o.raw()) {}
    ed25519_public_key(ed25519_public_key&&) noexcept = default;
    ed25519_public_key& operator=(const ed25519_public_key& o) { return *this = ed25519_public_key(o); }
    ed25519_public_key& operator=(ed25519_public_key&&) noexcept = default;

    /// @return the 32 raw key bytes.
    std::string_view raw() const noexcept { return {reinterpret_cast<const char*>(raw_.data()), raw_.size()}; }

    /// @param message the signed bytes.
    /// @param signature 64 signature bytes; any other length fails.
    /// @return true when `signature` is this key's signature of `message`.
    bool verify(std::string_view message, std::string_view signature) const {
        if (signature.size() != 64) return false;
        detail::md_ctx_ptr ctx(EVP_MD_CTX_new());
        if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key_.get(), nullptr) != 1)
            detail::openssl_failure("EVP_DigestVerifyInit_ex");
        return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
    }

private:
    detail::pkey_ptr key_;
    std::array<unsigned char, size> raw_{};
};

/// An Ed25519 private key: signs messages (for tests, tools, and senders).
class ed25519_private_key {
public:
    static constexpr std::size_t seed_size = 32;

    /// @param seed the 32-byte private seed (RFC 8032's private key).
    /// @throws boost::system::system_error with `error::invalid_key` when `seed` is not 32 bytes.
    explicit ed25519_private_key(std::string_view seed) {
        if (seed.size() != seed_size) throw_error(error::invalid_key, "an Ed25519 private seed is 32 bytes");
        key_ = std::shared_ptr<EVP_PKEY>(
            EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr,
                                            reinterpret_cast<const unsigned char*>(seed.data()), seed.size()),
            detail::evp_pkey_free{});
        if (!key_) throw_error(error::invalid_key, "not an Ed25519 private key");
    }

    /// @return the matching public key.
    ed25519_public_key public_key() const {
        std::array<unsigned char, 32> raw{};
        std::size_t n = raw.size();
        if (EVP_PKEY_get_raw_public_key(key_.get(), raw.data(), &n) != 1 || n != raw.size())
            detail::openssl_failure("EVP_PKEY_get_raw_public_key");
        return ed25519_public_key{{reinterpret_cast<const char*>(raw.data()), n}};
    }

    /// @return the 64-byte signature of `message`.
    std::array<unsigned char, 64> sign(std::string_view message) const {
        std::array<unsigned char, 64> sig{};
        std::size_t n = sig.size();
        detail::md_ctx_ptr ctx(EVP_MD_CTX_new());
        if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key_.get(), nullptr) != 1 ||
            EVP_DigestSign(ctx.get(), sig.data(), &n, reinterpret_cast<const unsigned char*>(message.data()),
                           message.size()) != 1 ||
            n != sig.size())
            detail::openssl_failure("EVP_DigestSign(Ed25519)");
        return sig;
    }

private:
    std::shared_ptr<EVP_PKEY> key_;  // shared: the key is immutable once made
};

} // namespace webhooks::crypto

#endif
