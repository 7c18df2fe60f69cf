// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_PROVIDERS_SVIX_HPP
#define WEBHOOKS_PROVIDERS_SVIX_HPP

/// @file
/// Svix: Standard Webhooks with `svix-id`, `svix-timestamp`, `svix-signature` headers; white-labelled senders use
/// the `webhook-*` names, which are accepted as a fallback (as Svix's own libraries do).

#include <webhooks/providers/standard_webhooks.hpp>

namespace webhooks::providers {

/// Svix `v1` (HMAC-SHA256), `whsec_` secrets.
///
/// @par Example
/// @code
/// providers::svix hook{secret{std::getenv("SVIX_WEBHOOK_SECRET")}};
/// @endcode
class svix : public signature::hmac_scheme {
public:
    /// How long a delivered event is remembered: longer than the Standard Webhooks example retry schedule (~76 h).
    static constexpr std::chrono::hours dedup_retention{80};

    /// @param keys `whsec_` + base64 secrets, primary first.
    explicit svix(const secrets& keys)
        : signature::hmac_scheme(standard_webhooks_options("svix", "v1", true),
                      {crypto::hmac_algorithm::sha256, keys, signature::key_format::whsec_base64}) {}
};

static_assert(SignatureScheme<svix>);

} // namespace webhooks::providers

#endif
