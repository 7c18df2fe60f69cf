// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_SIGNATURE_SCHEME_HPP
#define WEBHOOKS_SIGNATURE_SCHEME_HPP

/// @file
/// The `SignatureScheme` concept, what verification yields (`verified_delivery`), and what signing yields (the
/// headers to send).

#include <webhooks/error.hpp>
#include <webhooks/request.hpp>
#include <webhooks/signature/key_ring.hpp>

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace webhooks {

/// Where a provider puts a field of a delivery: a header, or a JSON pointer into the body.
struct field_source {
    enum class kind {
        none,    ///< The provider does not send it.
        header,  ///< `name` is a header name.
        // For both, `fallback` (a second header name or pointer) is tried when `name` is absent.
        body,    ///< `name` is a JSON pointer into the body (RFC 6901), e.g. `/id`.
    };
    kind where = kind::none;
    std::string name{};
    std::string fallback{};

    static field_source none() { return {}; }
    static field_source header(std::string name, std::string fallback = {}) {
        return {kind::header, std::move(name), std::move(fallback)};
    }
    static field_source body(std::string pointer, std::string fallback = {}) {
        return {kind::body, std::move(pointer), std::move(fallback)};
    }
    friend bool operator==(const field_source&, const field_source&) = default;
};

/// Where a provider's delivery id (for deduplication) and event type (for routing) are.
struct event_fields {
    field_source id;          ///< The id that stays the same across retries of one event.
    field_source type;        ///< The event type, or its first part.
    field_source type_action; ///< A second part joined with '.' (GitHub: `X-GitHub-Event` + body `/action`).
};

/// What a scheme read from a request besides the signature.
struct delivery_details {
    std::string_view id{};                       ///< Delivery id from a header, or empty.
    std::optional<std::int64_t> timestamp{};     ///< The signed timestamp, if the scheme signs one.
    std::string_view event_type{};               ///< Event type from a header, or empty.
    std::string_view provider{};                 ///< The scheme's name.
};

/// A request whose signature checked out: what it says, over the exact bytes received.
///
/// Only a `key_match` can make one, and only a key ring makes those, so holding a `verified_delivery` means a key
/// verified these bytes. Everything here views the request (and the scheme, for the key id and name); keep both
/// alive while using it.
class verified_delivery {
public:
    /// @param match the proof: the key that verified the signature.
    /// @param body the raw bytes that were verified.
    /// @param details what else the scheme read from the request.
    verified_delivery(key_match match, std::string_view body, const delivery_details& details = {}) noexcept
        : key_id_(match.key_id()), body_(body), details_(details) {}

    /// @return the delivery id from a header (`webhook-id`, `X-GitHub-Delivery`, …), or empty when the provider
    ///         has it in the body (see the scheme's `fields()`).
    std::string_view id() const noexcept { return details_.id; }
    /// @return the signed timestamp, when the scheme signs one.
    std::optional<std::int64_t> timestamp() const noexcept { return details_.timestamp; }
    /// @return the event type from a header (`X-GitHub-Event`, `X-Shopify-Topic`), or empty when it is in the body.
    std::string_view event_type() const noexcept { return details_.event_type; }
    /// @return the raw body, exactly the bytes that were verified.
    std::string_view body() const noexcept { return body_; }
    /// @return the id of the key that matched.
    std::string_view key_id() const noexcept { return key_id_; }
    /// @return the name of the scheme that verified it ("stripe", "github", …).
    std::string_view provider() const noexcept { return details_.provider; }

private:
    std::string_view key_id_;
    std::string_view body_;
    delivery_details details_;
};

/// A header to send with a signed request.
struct outgoing_header {
    std::string name;
    std::string value;
    friend bool operator==(const outgoing_header&, const outgoing_header&) = default;
};

/// The headers a scheme produces when signing, in the order to send them.
using signed_headers = std::vector<outgoing_header>;

/// What to sign besides the body. Empty id: a fresh random one (`msg_…`) for schemes that send one. No timestamp:
/// the scheme's clock.
struct sign_options {
    std::string id{};
    std::optional<std::int64_t> timestamp{};
};

/// A **SignatureScheme** proves a request authentic (and can sign one, for tests, tools and senders).
///
/// Requirements, for `const S& s`, a `Request` `r`, `std::string_view body` and `sign_options o`:
/// 1. `s.verify(r)` returns `result<verified_delivery>`: the delivery over `r.body()`, or the reason it is refused.
///    It must look at nothing but the request and the keys, compare in constant time, and never log a secret.
/// 2. `s.sign(body, o)` returns `signed_headers`: the headers that make `verify` accept a request with that body.
/// 3. `s.name()` converts to `std::string_view`: the provider's name.
/// 4. `s.fields()` returns `event_fields`: where the delivery id and event type are.
///
/// @par Example
/// Every preset in `webhooks/providers/` is one; `signature::hmac_scheme` makes a new HMAC provider a few lines:
/// @code
/// signature::hmac_scheme linear{{.name = "linear", .signature_header = "Linear-Signature"}, secret{"…"}};
/// @endcode
template <class S>
concept SignatureScheme = requires(const S& s, const basic_request& r, std::string_view body, const sign_options& o) {
    { s.verify(r) } -> std::same_as<result<verified_delivery>>;
    { s.sign(body, o) } -> std::same_as<signed_headers>;
    { s.name() } -> std::convertible_to<std::string_view>;
    { s.fields() } -> std::convertible_to<event_fields>;
};

} // namespace webhooks

#endif
