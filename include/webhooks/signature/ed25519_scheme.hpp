// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_SIGNATURE_ED25519_SCHEME_HPP
#define WEBHOOKS_SIGNATURE_ED25519_SCHEME_HPP

/// @file
/// `ed25519_scheme`: Ed25519 signatures in a header, over an ordered list of parts (Standard Webhooks `v1a`).

#include <webhooks/signature/ed25519_keys.hpp>
#include <webhooks/signature/header_scheme.hpp>

namespace webhooks::signature {

/// A header scheme checked with pinned Ed25519 public keys. See `header_scheme` for the options and
/// `providers::standard_webhooks_ed25519` for the preset.
using ed25519_scheme = header_scheme<ed25519_keys>;

} // namespace webhooks::signature

#endif
