// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_PARSER_HPP
#define WEBHOOKS_PARSER_HPP

/// @file
/// The signature-verifying request parser: checks the request's shape (method, size, media type) against limits,
/// then has the provider's scheme prove it authentic. The first box every delivery goes through.

#include <webhooks/error.hpp>
#include <webhooks/request.hpp>
#include <webhooks/signature/scheme.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#ifndef WEBHOOKS_DEFAULT_MAX_BODY
/// The default body limit: 25 MiB, GitHub's documented maximum payload. A smaller limit loses real deliveries.
#define WEBHOOKS_DEFAULT_MAX_BODY (25u * 1024u * 1024u)
#endif

namespace webhooks {

/// What a request must look like before its signature is even checked.
struct limits {
    /// The largest body accepted, in bytes (413 above it).
    std::size_t max_body = WEBHOOKS_DEFAULT_MAX_BODY;
    /// Accepted methods (405 otherwise).
    std::vector<std::string> methods{"POST"};
    /// Accepted media types, compared without parameters and case (415 otherwise). Nothing: the scheme's
    /// `media_types()` if it has one; an empty list: any, a missing Content-Type included.
    std::optional<std::vector<std::string>> media_types{};
};

namespace detail {

// "application/json; charset=utf-8" -> "application/json"
constexpr std::string_view media_type_of(std::string_view content_type) noexcept {
    return trim(content_type.substr(0, content_type.find(';')));
}

} // namespace detail

/// Verifies requests for one provider: limits first (cheap, no crypto), then the scheme.
///
/// @tparam Scheme a `SignatureScheme` (any preset in `webhooks/providers/`).
///
/// @par Example
/// @code
/// webhooks::parser<webhooks::providers::github> github{webhooks::providers::github{secret{"…"}}};
/// auto delivery = github.parse(webhooks::basic_request{method, target, headers, body});
/// if (!delivery) return respond(delivery.error().status(), delivery.error().message());
/// handle(delivery->id(), delivery->body());
/// @endcode
template <class Scheme>
class parser {
    static_assert(SignatureScheme<Scheme>,
                  "webhooks::parser<Scheme>: Scheme must model webhooks::SignatureScheme (verify(request) -> "
                  "result<verified_delivery>, sign(body, sign_options) -> signed_headers, name(), fields())");

public:
    /// @param scheme the provider's scheme, keys set.
    /// @param limits what a request must look like.
    explicit parser(Scheme scheme, webhooks::limits limits = {}) : scheme_(std::move(scheme)), limits_(std::move(limits)) {
        if (!limits_.media_types) {
            if constexpr (requires { scheme_.media_types(); })
                limits_.media_types = std::vector<std::string>(scheme_.media_types().begin(), scheme_.media_types().end());
            else
                limits_.media_types.emplace();
        }
    }

    /// Checks `request` and verifies its signature.
    /// @return the verified delivery (viewing `request` and this parser), or why it was refused.
    template <Request R>
    result<verified_delivery> parse(const R& request) const {
        if (!method_allowed(request.method())) return reject(error::method_not_allowed);
        if (std::string_view(request.body()).size() > limits_.max_body) return reject(error::body_too_large);
        if (!limits_.media_types->empty()) {
            header_lookup ct = request.header("Content-Type");
            if (!ct || !media_type_allowed(detail::media_type_of(ct.value)))
                return reject(error::unsupported_media_type, "Content-Type");
        }
        return scheme_.verify(request);
    }

    /// @return the scheme.
    const Scheme& scheme() const noexcept { return scheme_; }
    Scheme& scheme() noexcept { return scheme_; }
    /// @return the limits in force.
    const webhooks::limits& limits() const noexcept { return limits_; }

private:
    bool method_allowed(std::string_view method) const noexcept {
        for (const std::string& m : limits_.methods)
            if (m == method) return true;
        return false;
    }
    bool media_type_allowed(std::string_view type) const noexcept {
        for (const std::string& m : *limits_.media_types)
            if (detail::iequals(m, type)) return true;
        return false;
    }

    Scheme scheme_;
    webhooks::limits limits_;
};

} // namespace webhooks

#endif
