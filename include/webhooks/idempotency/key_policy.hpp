// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_IDEMPOTENCY_KEY_POLICY_HPP
#define WEBHOOKS_IDEMPOTENCY_KEY_POLICY_HPP

/// @file
/// The `KeyPolicy` concept, which turns a verified delivery into its idempotency key (scope + the provider's event
/// id), and `field_key_policy`, the default, which reads the id where the preset says it is.

#include <webhooks/crypto/encoding.hpp>
#include <webhooks/crypto/sha256.hpp>
#include <webhooks/error.hpp>
#include <webhooks/signature/scheme.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <concepts>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace webhooks::idempotency {

/// What to do with a delivery that carries no event id.
enum class missing_id {
    reject,     ///< Refuse it: `error::missing_event_id` (400). The default: deduplication cannot be promised.
    bypass,     ///< Handle it without deduplication.
    hash_body,  ///< Use the SHA-256 of the body as the id: identical bodies are one event.
};

/// A **KeyPolicy** derives the idempotency key of a verified delivery.
///
/// Requirements, for `const P& p` and `const verified_delivery& d`:
/// 1. `p.key(d)` returns `result<std::optional<std::string>>`: the key; `std::nullopt` to skip deduplication for
///    this delivery; or a rejection (`error::missing_event_id`, `error::malformed_payload`).
/// 2. Equal events give equal keys, and keys of different scopes never collide.
///
/// @par Example
/// @code
/// struct tenant_policy {   // one scope per tenant, id from the delivery's header
///     std::string tenant;
///     webhooks::result<std::optional<std::string>> key(const webhooks::verified_delivery& d) const {
///         return std::optional<std::string>(tenant + ":" + std::string(d.id()));
///     }
/// };
/// @endcode
template <class P>
concept KeyPolicy = requires(const P& p, const verified_delivery& d) {
    { p.key(d) } -> std::same_as<result<std::optional<std::string>>>;
};

/// Room for a body hash (`body_hash` without allocating).
using body_hash_buffer = std::array<char, 64>;

/// @return the hex SHA-256 of a delivery's body, written into `out`: what stores compare to detect one id with two
///         payloads.
inline std::string_view body_hash(std::string_view body, body_hash_buffer& out) {
    const crypto::digest d = crypto::sha256(body);
    crypto::encode(d.bytes(), crypto::encoding::hex, std::span(out.data(), out.size()));
    return {out.data(), out.size()};
}

/// @return the hex SHA-256 of a delivery's body (see above), as a string.
inline std::string body_hash(std::string_view body) {
    body_hash_buffer out;
    return std::string(body_hash(body, out));
}

/// The default policy: key = `scope + ":" + id`, the id read from the header or JSON pointer the preset names
/// (`webhook-id`, `X-GitHub-Delivery`, Stripe `/id`, Slack `/event_id`…).
///
/// The scope tells apart deliveries of different providers, endpoints or tenants (GitHub delivery ids repeat
/// across apps): `"github"`, `"github/app-42"`. It may not contain ':', so keys of two scopes never collide.
///
/// @par Example
/// @code
/// auto policy = idempotency::field_key_policy::for_scheme(stripe);                // scope "stripe", id at /id
/// idempotency::field_key_policy github_app{"github/app-42", github.fields().id};  // per app
/// @endcode
class field_key_policy {
public:
    /// @param scope the key prefix; must not be empty or contain ':'.
    /// @param id where the event id is.
    /// @param when_missing what to do when the delivery has none.
    /// @throws boost::system::system_error `invalid_key` for a bad scope.
    field_key_policy(std::string scope, field_source id, missing_id when_missing = missing_id::reject)
        : scope_(std::move(scope)), id_(std::move(id)), missing_(when_missing) {
        if (scope_.empty() || scope_.find(':') != std::string::npos)
            throw_error(error::invalid_key, "an idempotency scope is non-empty and has no ':'");
    }

    /// @return the policy for a scheme's id field, scoped by the scheme's name unless `scope` is given.
    template <SignatureScheme S>
    static field_key_policy for_scheme(const S& scheme, std::string scope = {},
                                       missing_id when_missing = missing_id::reject) {
        if (scope.empty()) scope = std::string(scheme.name());
        return {std::move(scope), scheme.fields().id, when_missing};
    }

    const std::string& scope() const noexcept { return scope_; }

    /// @return `scope:id`; nothing when bypassing; `missing_event_id` or `malformed_payload` otherwise.
    /// Parses the body when the id is in it; `key(d, read)` reuses a body already parsed.
    result<std::optional<std::string>> key(const verified_delivery& d) const {
        if (id_.where != field_source::kind::body) return key(d, [](std::string_view) { return std::optional<std::string>(); });
        boost::system::error_code ec;
        boost::json::value doc = boost::json::parse(d.body(), ec);
        if (ec) {
            if (missing_ == missing_id::reject) return reject(error::malformed_payload);
            return key(d, [](std::string_view) { return std::optional<std::string>(); });
        }
        return key(d, [&](std::string_view pointer) { return read(doc, pointer); });
    }

    /// @param read_body `std::optional<std::string>(std::string_view pointer)`: the text at a JSON pointer of the
    ///        already parsed body (a codec's `text_at`).
    /// @return as `key(d)`.
    template <class BodyReader>
    result<std::optional<std::string>> key(const verified_delivery& d, BodyReader&& read_body) const {
        std::string id;
        if (id_.where == field_source::kind::header) {
            id = std::string(d.id());
        } else if (id_.where == field_source::kind::body) {
            id = std::optional<std::string>(read_body(std::string_view(id_.name))).value_or(std::string{});
            if (id.empty() && !id_.fallback.empty())
                id = std::optional<std::string>(read_body(std::string_view(id_.fallback))).value_or(std::string{});
        }
        if (id.empty()) {
            switch (missing_) {
            case missing_id::reject: return reject(error::missing_event_id, header_name());
            case missing_id::bypass: return std::optional<std::string>();
            case missing_id::hash_body: id = "sha256-" + body_hash(d.body()); break;
            }
        }
        return std::optional<std::string>(scope_ + ":" + id);
    }

private:
    static std::optional<std::string> read(const boost::json::value& doc, std::string_view pointer) {
        boost::system::error_code ec;
        const boost::json::value* v = doc.find_pointer(pointer, ec);
        if (!v || ec) return std::nullopt;
        if (v->is_string()) return std::string(v->get_string());
        if (v->is_int64() || v->is_uint64()) return boost::json::serialize(*v);
        return std::nullopt;  // objects, arrays, null, booleans and floats are not ids
    }
    std::string_view header_name() const noexcept {
        return id_.where == field_source::kind::header ? std::string_view(id_.name) : std::string_view{};
    }

    std::string scope_;
    field_source id_;
    missing_id missing_;
};

static_assert(KeyPolicy<field_key_policy>);

} // namespace webhooks::idempotency

#endif
