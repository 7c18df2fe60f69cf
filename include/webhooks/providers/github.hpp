// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_PROVIDERS_GITHUB_HPP
#define WEBHOOKS_PROVIDERS_GITHUB_HPP

/// @file
/// GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`. No timestamp: deduplicate on
/// `X-GitHub-Delivery`, which stays the same on redelivery. The legacy `X-Hub-Signature: sha1=<hex>` is accepted
/// only when enabled, and only when the SHA-256 header is absent (never a downgrade).

#include <webhooks/signature/hmac_scheme.hpp>

#include <chrono>

#include <optional>

namespace webhooks::providers {

/// The GitHub preset. Delivery id: `X-GitHub-Delivery`; type: `X-GitHub-Event` plus the body's `/action`
/// (`issues.opened`).
///
/// @par Example
/// @code
/// providers::github github{secret{std::getenv("GITHUB_WEBHOOK_SECRET")}};
/// providers::github old_server{secret{"…"}, providers::github::legacy_sha1::accept};
/// @endcode
class github {
public:
    /// How long a delivered event is remembered: GitHub does not retry by itself, but a delivery can be
    /// redelivered by hand, with the same `X-GitHub-Delivery`, for 3 days.
    static constexpr std::chrono::hours dedup_retention{72};

    /// Whether a request signed only with the legacy SHA-1 header is accepted.
    enum class legacy_sha1 { reject, accept };

    /// @return GitHub's scheme description for `algorithm` (the SHA-1 one reads `X-Hub-Signature`).
    static signature::scheme_options options(crypto::hmac_algorithm algorithm = crypto::hmac_algorithm::sha256) {
        bool sha1 = algorithm == crypto::hmac_algorithm::sha1;
        return {.name = "github",
                .signature_headers = {sha1 ? "X-Hub-Signature" : "X-Hub-Signature-256"},
                .format = signature::signature_format::prefixed(sha1 ? "sha1=" : "sha256="),
                .encoding = crypto::encoding::hex,
                .fields = {.id = field_source::header("X-GitHub-Delivery"),
                           .type = field_source::header("X-GitHub-Event"),
                           .type_action = field_source::body("/action")},
                .media_types = {"application/json", "application/x-www-form-urlencoded"},
                .id_prefix = ""};
    }

    /// @param keys the hook's secrets, primary first (several while changing it).
    /// @param legacy whether to accept `X-Hub-Signature` (SHA-1) when `X-Hub-Signature-256` is absent.
    explicit github(const secrets& keys, legacy_sha1 legacy = legacy_sha1::reject)
        : sha256_(options(), {crypto::hmac_algorithm::sha256, keys}) {
        if (legacy == legacy_sha1::accept)
            sha1_.emplace(options(crypto::hmac_algorithm::sha1), signature::hmac_keys{crypto::hmac_algorithm::sha1, keys});
    }

    std::string_view name() const noexcept { return sha256_.name(); }
    const event_fields& fields() const noexcept { return sha256_.fields(); }
    const std::vector<std::string>& media_types() const noexcept { return sha256_.media_types(); }
    /// @return the SHA-256 scheme (its keys, options).
    signature::hmac_scheme& sha256() noexcept { return sha256_; }
    /// @return the legacy SHA-1 scheme, when enabled.
    signature::hmac_scheme* sha1() noexcept { return sha1_ ? &*sha1_ : nullptr; }
    /// Sets the clock (used only to stamp nothing: GitHub signs no timestamp; kept for a uniform interface).
    github& set_clock(webhooks::clock c) {
        sha256_.set_clock(c);
        if (sha1_) sha1_->set_clock(std::move(c));
        return *this;
    }

    /// Verifies `X-Hub-Signature-256`; with legacy enabled, that header absent and `X-Hub-Signature` present,
    /// `X-Hub-Signature`. With neither, the rejection names `X-Hub-Signature-256`, the header GitHub should send.
    template <Request R>
    result<verified_delivery> verify(const R& request) const {
        if (sha1_ && request.header("X-Hub-Signature-256").presence == header_presence::absent &&
            request.header("X-Hub-Signature").presence != header_presence::absent)
            return sha1_->verify(request);
        return sha256_.verify(request);
    }

    /// @return `X-GitHub-Delivery` and `X-Hub-Signature-256` (plus `X-Hub-Signature` when legacy is enabled, as
    ///         GitHub sends both).
    signed_headers sign(std::string_view body, const sign_options& options = {}) const {
        signed_headers out = sha256_.sign(body, options);
        if (sha1_) {
            sign_options same = options;
            same.id = out.front().value;  // one delivery id for both
            out.push_back(sha1_->sign(body, same).back());
        }
        return out;
    }

private:
    signature::hmac_scheme sha256_;
    std::optional<signature::hmac_scheme> sha1_;
};

static_assert(SignatureScheme<github>);

} // namespace webhooks::providers

#endif
