// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_SIGNATURE_HMAC_SCHEME_HPP
#define WEBHOOKS_SIGNATURE_HMAC_SCHEME_HPP

/// @file
/// `hmac_scheme`: HMAC over an ordered list of parts, signatures in a header. Nearly every provider is one.

#include <webhooks/signature/header_scheme.hpp>
#include <webhooks/signature/hmac_keys.hpp>

namespace webhooks::signature {

/// A header scheme checked with HMAC keys. See `header_scheme` for the options.
///
/// @par Example
/// Paddle Billing in a few lines: `Paddle-Signature: ts=<unix>;h1=<hex>` over `ts:body`, 5 s window.
/// @code
/// signature::hmac_scheme paddle{
///     {.name = "paddle",
///      .signature_headers = {"Paddle-Signature"},
///      .format = signature_format::key_value(';', "ts", "h1"),
///      .signed_parts = {part::timestamp(), part::literal(":"), part::body()},
///      .window = timestamp_window::age_only(std::chrono::seconds(5))},
///     {crypto::hmac_algorithm::sha256, secret{"pdl_ntfset_…"}}};
/// @endcode
using hmac_scheme = header_scheme<hmac_keys>;

} // namespace webhooks::signature

#endif
