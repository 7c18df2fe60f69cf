// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_CRYPTO_SHA256_HPP
#define WEBHOOKS_CRYPTO_SHA256_HPP

/// @file
/// SHA-256 of a byte string (OpenSSL, algorithm fetched once): body hashes for deduplication and diagnostics.

#include <webhooks/crypto/detail/openssl.hpp>
#include <webhooks/crypto/hmac.hpp>

#include <string_view>

namespace webhooks::crypto {

/// @param bytes the bytes to hash.
/// @return their SHA-256, 32 bytes.
/// @par Example
/// @code
/// crypto::sha256("abc").to_string(crypto::encoding::hex);  // "ba7816bf…"
/// @endcode
inline digest sha256(std::string_view bytes) {
    digest out;
    auto buffer = out.storage(32);
    unsigned int written = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), buffer.data(), &written, detail::sha256_object(), nullptr) != 1 ||
        written != 32)
        detail::openssl_failure("EVP_Digest(SHA256)");
    return out;
}

} // namespace webhooks::crypto

#endif
