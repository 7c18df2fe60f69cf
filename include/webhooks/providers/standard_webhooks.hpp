// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_PROVIDERS_STANDARD_WEBHOOKS_HPP
#define WEBHOOKS_PROVIDERS_STANDARD_WEBHOOKS_HPP

/// @file
/// Standard Webhooks (standardwebhooks.com), used by Svix-powered senders, GitLab signing tokens and many others.
/// `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64> [v1a,<base64>] …` over
/// `id + "." + timestamp + "." + body`; ±5 minutes.
/// - `standard_webhooks`: `v1`, HMAC-SHA256, keyed with `whsec_` + base64 secrets.
/// - `standard_webhooks_ed25519`: `v1a`, Ed25519, verified with pinned `whpk_` public keys (signs with `whsk_`).
///   The reference libraries skip `v1a`; this one verifies it.

#include <webhooks/signature/ed25519_scheme.hpp>
#include <webhooks/signature/hmac_scheme.hpp>

#include <chrono>
#include <string>

namespace webhooks::providers {

/// @return Standard Webhooks' scheme description for signature `version` ("v1" or "v1a"), with the `webhook-*`
///         headers (or, for Svix, `svix-*` first with `webhook-*` as fallback when `svix_headers`).
inline signature::scheme_options standard_webhooks_options(std::string name, std::string version,
                                                           bool svix_headers = false) {
    using signature::part;
    auto names = [&](const char* suffix) {
        std::vector<std::string> v;
        if (svix_headers) v.push_back(std::string("svix-") + suffix);
        v.push_back(std::string("webhook-") + suffix);
        return v;
    };
    return {.name = std::move(name),
            .signature_headers = names("signature"),
            .format = signature::signature_format::versioned(std::move(version)),
            .encoding = crypto::encoding::base64,
            .padding = crypto::padding::optional,
            .id_headers = names("id"),
            .timestamp_headers = names("timestamp"),
            .signed_parts = {part::id(), part::literal("."), part::timestamp(), part::literal("."), part::body()},
            .window = timestamp_window::symmetric(std::chrono::seconds(300)),
            .fields = {.id = field_source::header(svix_headers ? "svix-id" : "webhook-id",
                                                  svix_headers ? "webhook-id" : ""),
                       .type = field_source::body("/type"),
                       .type_action = {}},
            .media_types = {"application/json"},
            .id_prefix = "msg_"};
}

/// Standard Webhooks `v1` (HMAC-SHA256).
///
/// @par Example
/// @code
/// providers::standard_webhooks hook{secret{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}};
/// auto delivery = hook.verify(request);
/// @endcode
class standard_webhooks : public signature::hmac_scheme {
public:
    /// How long a delivered event is remembered: longer than the spec's example retry schedule (about 76 h).
    static constexpr std::chrono::hours dedup_retention{80};

    /// @param keys `whsec_` + base64 secrets (the prefix is optional, as in the reference libraries), primary first.
    /// @throws boost::system::system_error `invalid_secret` when a secret is not base64 after its prefix.
    explicit standard_webhooks(const secrets& keys)
        : signature::hmac_scheme(standard_webhooks_options("standard", "v1"),
                      {crypto::hmac_algorithm::sha256, keys, signature::key_format::whsec_base64}) {}
};

/// Standard Webhooks `v1a` (Ed25519).
///
/// @par Example
/// @code
/// providers::standard_webhooks_ed25519 hook{secret{"whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4="}};
/// @endcode
class standard_webhooks_ed25519 : public signature::ed25519_scheme {
public:
    /// How long a delivered event is remembered: longer than the spec's example retry schedule (about 76 h).
    static constexpr std::chrono::hours dedup_retention{80};

    /// @param keys `whpk_` public keys to verify with, or `whsk_` private keys (which can also sign).
    explicit standard_webhooks_ed25519(const secrets& keys)
        : signature::ed25519_scheme(standard_webhooks_options("standard-ed25519", "v1a"), signature::ed25519_keys{keys}) {}
};

static_assert(SignatureScheme<standard_webhooks>);
static_assert(SignatureScheme<standard_webhooks_ed25519>);

} // namespace webhooks::providers

#endif
