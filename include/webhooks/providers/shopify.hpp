// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_PROVIDERS_SHOPIFY_HPP
#define WEBHOOKS_PROVIDERS_SHOPIFY_HPP

/// @file
/// Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(client secret, body)>`; the Events delivery type sends the
/// same MAC as `shopify-hmac-sha256`. No timestamp: deduplicate on the delivery id.

#include <webhooks/signature/hmac_scheme.hpp>

#include <chrono>

namespace webhooks::providers {

/// The Shopify preset. Delivery id: `X-Shopify-Webhook-Id` (or `shopify-webhook-id`); type: `X-Shopify-Topic`.
///
/// @par Example
/// @code
/// providers::shopify shop{secret{std::getenv("SHOPIFY_API_SECRET")}};
/// @endcode
class shopify : public signature::hmac_scheme {
public:
    /// How long a delivered event is remembered: Shopify retries 8 times over 4 hours; 72 h is the default.
    static constexpr std::chrono::hours dedup_retention{72};

    /// @return Shopify's scheme description.
    static signature::scheme_options options() {
        return {.name = "shopify",
                .signature_headers = {"X-Shopify-Hmac-Sha256", "shopify-hmac-sha256"},
                .format = signature::signature_format::prefixed(""),
                .encoding = crypto::encoding::base64,
                .fields = {.id = field_source::header("X-Shopify-Webhook-Id", "shopify-webhook-id"),
                           .type = field_source::header("X-Shopify-Topic", "shopify-topic"),
                           .type_action = {}},
                .media_types = {"application/json"},
                .id_prefix = ""};
    }

    /// @param keys the app's client secrets, primary first.
    explicit shopify(const secrets& keys)
        : signature::hmac_scheme(options(), {crypto::hmac_algorithm::sha256, keys, signature::key_format::raw}) {}
};

static_assert(SignatureScheme<shopify>);

} // namespace webhooks::providers

#endif
