// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_CRYPTO_COMPARE_HPP
#define WEBHOOKS_CRYPTO_COMPARE_HPP

/// @file
/// Comparing secrets and MACs without leaking, through timing, how many leading bytes matched.

#include <openssl/crypto.h>

#include <cstddef>
#include <span>
#include <string_view>

namespace webhooks::crypto {

/// Compares two byte ranges in time that depends only on their length (OpenSSL's `CRYPTO_memcmp`).
/// Ranges of different lengths are unequal; lengths are not secret.
/// @return true when both hold the same bytes.
inline bool constant_time_equal(std::span<const unsigned char> a, std::span<const unsigned char> b) noexcept {
    return a.size() == b.size() && (a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0);
}

/// @copydoc constant_time_equal
inline bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && (a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0);
}

} // namespace webhooks::crypto

#endif
