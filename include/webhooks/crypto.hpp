// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_CRYPTO_HPP
#define WEBHOOKS_CRYPTO_HPP

/// @file
/// The cryptographic building blocks, all on OpenSSL 3 libcrypto.

#include <webhooks/crypto/compare.hpp>
#include <webhooks/crypto/ed25519.hpp>
#include <webhooks/crypto/encoding.hpp>
#include <webhooks/crypto/hmac.hpp>
#include <webhooks/crypto/random.hpp>
#include <webhooks/crypto/sha256.hpp>

#endif
