// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_PROVIDERS_HPP
#define WEBHOOKS_PROVIDERS_HPP

/// @file
/// Every provider preset.

#include <webhooks/providers/github.hpp>
#include <webhooks/providers/hmac_body.hpp>
#include <webhooks/providers/shopify.hpp>
#include <webhooks/providers/slack.hpp>
#include <webhooks/providers/standard_webhooks.hpp>
#include <webhooks/providers/stripe.hpp>
#include <webhooks/providers/svix.hpp>

#endif
