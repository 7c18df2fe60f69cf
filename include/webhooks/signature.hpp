// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_SIGNATURE_HPP
#define WEBHOOKS_SIGNATURE_HPP

/// @file
/// The generic pieces that presets are made of.

#include <webhooks/signature/clock.hpp>
#include <webhooks/signature/ed25519_keys.hpp>
#include <webhooks/signature/ed25519_scheme.hpp>
#include <webhooks/signature/header_scheme.hpp>
#include <webhooks/signature/hmac_keys.hpp>
#include <webhooks/signature/hmac_scheme.hpp>
#include <webhooks/signature/key_ring.hpp>
#include <webhooks/signature/scheme.hpp>
#include <webhooks/signature/signature_header.hpp>
#include <webhooks/signature/timestamp_window.hpp>

#endif
