// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_PROVIDERS_STRIPE_HPP
#define WEBHOOKS_PROVIDERS_STRIPE_HPP

/// @file
/// Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=…]`, HMAC-SHA256 over `t + "." + body`, keyed with
/// the whole `whsec_…` string as given (not base64-decoded). Any `v1` may match (secret rolls send several);
/// `v0` and unknown keys are ignored. Only age is checked: 300 s.

#include <webhooks/signature/hmac_scheme.hpp>

#include <chrono>

namespace webhooks::providers {

/// The Stripe preset. Event id: body `/id` (`evt_…`); type: body `/type`.
///
/// @par Example
/// @code
/// providers::stripe stripe{secret{std::getenv("STRIPE_WEBHOOK_SECRET")}};
/// auto delivery = stripe.verify(request);
/// @endcode
class stripe : public signature::hmac_scheme {
public:
    /// How long a delivered event is remembered: Stripe retries for up to 3 days.
    static constexpr std::chrono::hours dedup_retention{72};

    /// @return Stripe's scheme description.
    static signature::scheme_options options() {
        using signature::part;
        return {.name = "stripe",
                .signature_headers = {"Stripe-Signature"},
                .format = signature::signature_format::key_value(',', "t", "v1"),
                .encoding = crypto::encoding::hex,
                .signed_parts = {part::timestamp(), part::literal("."), part::body()},
                .window = timestamp_window::age_only(std::chrono::seconds(300)),
                .fields = {.id = field_source::body("/id"), .type = field_source::body("/type"), .type_action = {}},
                .media_types = {"application/json"}};
    }

    /// @param keys the endpoint's signing secrets (`whsec_…`), primary first.
    explicit stripe(const secrets& keys)
        : signature::hmac_scheme(options(), {crypto::hmac_algorithm::sha256, keys, signature::key_format::raw}) {}
};

static_assert(SignatureScheme<stripe>);

} // namespace webhooks::providers

#endif
