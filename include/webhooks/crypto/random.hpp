// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_CRYPTO_RANDOM_HPP
#define WEBHOOKS_CRYPTO_RANDOM_HPP

/// @file
/// Cryptographically strong random bytes (OpenSSL's `RAND_bytes`), for message ids and generated secrets.

#include <webhooks/crypto/detail/openssl.hpp>

#include <string>

namespace webhooks::crypto {

/// @return `n` random bytes.
inline std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (n && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        detail::openssl_failure("RAND_bytes");
    return out;
}

} // namespace webhooks::crypto

#endif
