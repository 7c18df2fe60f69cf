// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_PROVIDERS_SLACK_HPP
#define WEBHOOKS_PROVIDERS_SLACK_HPP

/// @file
/// Slack: `X-Slack-Signature: v0=<hex>` with `X-Slack-Request-Timestamp`, HMAC-SHA256 over
/// `"v0:" + timestamp + ":" + body`, keyed with the signing secret. Only age is checked: 300 s.
/// The `url_verification` handshake is signed too, so it passes through here like any event.

#include <webhooks/signature/hmac_scheme.hpp>

#include <chrono>
#include <string_view>

namespace webhooks::providers {

/// The Slack preset. Event id: body `/event_id`; type: body `/event/type`, or `/type` (`url_verification`).
///
/// @par Example
/// @code
/// providers::slack slack{secret{std::getenv("SLACK_SIGNING_SECRET")}};
/// @endcode
class slack : public signature::hmac_scheme {
public:
    /// How long a delivered event is remembered: Slack retries 3 times within the hour; 72 h is the default.
    static constexpr std::chrono::hours dedup_retention{72};
    /// The handshake: a signed `url_verification` event, answered with its `challenge` before deduplication.
    static constexpr std::string_view handshake_type = "url_verification";
    /// Where the handshake's challenge is.
    static constexpr std::string_view handshake_challenge = "/challenge";

    /// @return Slack's scheme description.
    static signature::scheme_options options() {
        using signature::part;
        return {.name = "slack",
                .signature_headers = {"X-Slack-Signature"},
                .format = signature::signature_format::prefixed("v0="),
                .encoding = crypto::encoding::hex,
                .timestamp_headers = {"X-Slack-Request-Timestamp"},
                .signed_parts = {part::literal("v0:"), part::timestamp(), part::literal(":"), part::body()},
                .window = timestamp_window::age_only(std::chrono::seconds(300)),
                .fields = {.id = field_source::body("/event_id"),
                           .type = field_source::body("/event/type", "/type"),
                           .type_action = {}},
                .media_types = {"application/json", "application/x-www-form-urlencoded"}};
    }

    /// @param keys the app's signing secrets, primary first.
    explicit slack(const secrets& keys)
        : signature::hmac_scheme(options(), {crypto::hmac_algorithm::sha256, keys, signature::key_format::raw}) {}
};

static_assert(SignatureScheme<slack>);

} // namespace webhooks::providers

#endif
