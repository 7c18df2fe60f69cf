// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_ERROR_HPP
#define WEBHOOKS_ERROR_HPP

/// @file
/// Every reason the library rejects a request, as an error code of the category `webhooks`, with the HTTP status
/// that makes a sender behave (retry, stop, alert) and a `rejection` that also names the header at fault.

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>
#include <boost/assert/source_location.hpp>
#include <boost/throw_exception.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace webhooks {

/// Why a request or a piece of configuration was refused. Each value is its own reason; messages never carry a
/// secret. `http_status(e)` gives the answer to send.
enum class error {
    // -- the request --------------------------------------------------------------------------------------------
    method_not_allowed = 1,  ///< The HTTP method is not one the endpoint accepts (405).
    body_too_large,          ///< The body is larger than the configured limit (413).
    unsupported_media_type,  ///< The Content-Type is missing or not accepted (415).
    malformed_payload,       ///< The body is not what the provider sends, e.g. not JSON where JSON is required (400).

    // -- the headers that carry the signature ----------------------------------------------------------------------
    missing_header,              ///< A header the scheme needs (signature, id, timestamp) is absent (401).
    empty_header,                ///< A header the scheme needs is present but empty (401).
    conflicting_header,          ///< A header the scheme needs is repeated with different values (400).
    malformed_signature_header,  ///< The signature header does not have the provider's shape (401).
    unsupported_signature,       ///< The signature header holds no signature of a version this scheme accepts (401).
    malformed_signature,         ///< A signature is not valid hex or base64 (401).
    signature_length_mismatch,   ///< A signature decodes to the wrong number of bytes for the algorithm (401).
    no_matching_signature,       ///< No signature matches any key: a wrong secret or a changed body (401).

    // -- the timestamp ----------------------------------------------------------------------------------------------
    malformed_timestamp,  ///< The timestamp is not a plain decimal number of seconds, or overflows (400).
    timestamp_too_old,    ///< The timestamp is older than the window allows: a replay or a late retry (401).
    timestamp_too_new,    ///< The timestamp is further in the future than the window allows (401).

    // -- keys and configuration (raised at construction, never for a request) -----------------------------------
    invalid_secret,  ///< A secret is empty, padded with white space, or not in the provider's format.
    unknown_key_id,  ///< No key in the ring has that id.
    duplicate_key_id,///< A key with that id is already in the ring.
    invalid_key,     ///< Key material has the wrong length or encoding (e.g. an Ed25519 key that is not 32 bytes).

    // -- idempotency (after the signature is verified) ------------------------------------------------------------
    missing_event_id,      ///< The delivery has no event id and the key policy says reject (400).
    delivery_in_progress,  ///< The same event is being handled by another worker; retry later (409).
    payload_mismatch,      ///< The same event id arrived with a different body (409).
    store_unavailable,     ///< The deduplication store cannot be reached or is full; fail closed (503).
    lease_lost,            ///< The claim's lease ran out and another worker owns the event now (409).
};

/// Coarse groups of errors, for code that reacts to a kind of failure rather than to each reason.
enum class condition {
    bad_request = 1,      ///< The request is not acceptable as HTTP (method, size, media type, payload).
    authentication_failed,///< The signature or its timestamp does not prove the request authentic and fresh.
    configuration,        ///< Keys or options are wrong; found at construction.
    retry_later,          ///< Not the request's fault: the sender should try again (in progress, store down).
};

namespace detail {

inline const char* error_message(int ev) noexcept {
    switch (static_cast<error>(ev)) {
    case error::method_not_allowed: return "method not allowed";
    case error::body_too_large: return "body too large";
    case error::unsupported_media_type: return "unsupported media type";
    case error::malformed_payload: return "malformed payload";
    case error::missing_header: return "missing header";
    case error::empty_header: return "empty header";
    case error::conflicting_header: return "header repeated with conflicting values";
    case error::malformed_signature_header: return "malformed signature header";
    case error::unsupported_signature: return "no signature of a supported version";
    case error::malformed_signature: return "malformed signature encoding";
    case error::signature_length_mismatch: return "signature has the wrong length";
    case error::no_matching_signature: return "no signature matches";
    case error::malformed_timestamp: return "malformed timestamp";
    case error::timestamp_too_old: return "timestamp too old";
    case error::timestamp_too_new: return "timestamp too new";
    case error::invalid_secret: return "invalid secret";
    case error::unknown_key_id: return "unknown key id";
    case error::duplicate_key_id: return "duplicate key id";
    case error::invalid_key: return "invalid key";
    case error::missing_event_id: return "missing event id";
    case error::delivery_in_progress: return "delivery in progress";
    case error::payload_mismatch: return "same event id with a different payload";
    case error::store_unavailable: return "idempotency store unavailable";
    case error::lease_lost: return "claim lease lost";
    }
    return "unknown webhooks error";
}

inline condition error_condition_of(int ev) noexcept {
    switch (static_cast<error>(ev)) {
    case error::method_not_allowed:
    case error::body_too_large:
    case error::unsupported_media_type:
    case error::malformed_payload:
    case error::conflicting_header:
    case error::malformed_timestamp:
    case error::missing_event_id: return condition::bad_request;
    case error::delivery_in_progress:
    case error::payload_mismatch:
    case error::store_unavailable:
    case error::lease_lost: return condition::retry_later;
    case error::invalid_secret:
    case error::unknown_key_id:
    case error::duplicate_key_id:
    case error::invalid_key: return condition::configuration;
    default: return condition::authentication_failed;
    }
}

} // namespace detail

/// The category of `webhooks::error`; its name is `"webhooks"`.
class error_category_impl final : public boost::system::error_category {
public:
    constexpr error_category_impl() noexcept : boost::system::error_category(0x7765'6268'6f6f'6b73ULL) {}
    const char* name() const noexcept override { return "webhooks"; }
    std::string message(int ev) const override { return detail::error_message(ev); }
    char const* message(int ev, char*, std::size_t) const noexcept override { return detail::error_message(ev); }
    boost::system::error_condition default_error_condition(int ev) const noexcept override;
};

/// The category of `webhooks::condition`; its name is `"webhooks.condition"`.
class condition_category_impl final : public boost::system::error_category {
public:
    constexpr condition_category_impl() noexcept : boost::system::error_category(0x7765'6268'636f'6e64ULL) {}
    const char* name() const noexcept override { return "webhooks.condition"; }
    std::string message(int ev) const override {
        switch (static_cast<condition>(ev)) {
        case condition::bad_request: return "bad request";
        case condition::authentication_failed: return "authentication failed";
        case condition::configuration: return "invalid configuration";
        case condition::retry_later: return "retry later";
        }
        return "unknown webhooks condition";
    }
};

/// @return the category of `webhooks::error`.
inline const boost::system::error_category& error_category() noexcept {
    static constexpr error_category_impl instance;
    return instance;
}

/// @return the category of `webhooks::condition`.
inline const boost::system::error_category& condition_category() noexcept {
    static constexpr condition_category_impl instance;
    return instance;
}

/// Makes `error_code ec = webhooks::error::timestamp_too_old;` work.
inline boost::system::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), error_category()};
}

/// Makes `ec == webhooks::condition::authentication_failed` work.
inline boost::system::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

inline boost::system::error_condition error_category_impl::default_error_condition(int ev) const noexcept {
    return make_error_condition(detail::error_condition_of(ev));
}

/// The HTTP status a receiver answers for a rejection, chosen so the sender does the right thing: 401 when the
/// request could not be proven authentic and fresh, 400 when it is malformed, 405/413/415 for the request's shape.
/// Never 410: Standard Webhooks senders disable the whole endpoint on 410.
/// @param e the reason.
/// @return the status code; 500 for configuration errors, which are never a request's fault.
constexpr unsigned http_status(error e) noexcept {
    switch (e) {
    case error::method_not_allowed: return 405;
    case error::body_too_large: return 413;
    case error::unsupported_media_type: return 415;
    case error::malformed_payload:
    case error::conflicting_header:
    case error::malformed_timestamp:
    case error::missing_event_id: return 400;
    case error::delivery_in_progress:
    case error::payload_mismatch:
    case error::lease_lost: return 409;
    case error::store_unavailable: return 503;
    case error::missing_header:
    case error::empty_header:
    case error::malformed_signature_header:
    case error::unsupported_signature:
    case error::malformed_signature:
    case error::signature_length_mismatch:
    case error::no_matching_signature:
    case error::timestamp_too_old:
    case error::timestamp_too_new: return 401;
    case error::invalid_secret:
    case error::unknown_key_id:
    case error::duplicate_key_id:
    case error::invalid_key: return 500;
    }
    return 500;
}

/// Why a request was refused: the reason, and the header at fault when there is one.
///
/// It owns a copy of the header name (up to 63 characters, longer names are cut), so it stays valid after the
/// scheme or request it came from is gone, and making one never allocates. Nothing here ever holds a secret or a
/// signature.
///
/// @par Example
/// @code
/// auto delivery = verifier.parse(request);
/// if (!delivery) {
///     log("rejected: {}", delivery.error().message());     // "no signature matches (Stripe-Signature)"
///     return respond(delivery.error().status());            // 401
/// }
/// @endcode
class rejection {
public:
    rejection() = default;
    /// @param code a `webhooks::error` (or another error code).
    /// @param header the header at fault, or empty.
    rejection(boost::system::error_code code, std::string_view header = {}) noexcept : code(code) {
        size_ = static_cast<unsigned char>(header.size() < name_.size() ? header.size() : name_.size());
        for (std::size_t i = 0; i < size_; ++i) name_[i] = header[i];
    }

    boost::system::error_code code;  ///< A `webhooks::error`.

    /// @return the header at fault, or empty.
    std::string_view header() const noexcept { return {name_.data(), size_}; }

    /// @return `code`'s message, followed by the header name in parentheses when there is one.
    std::string message() const {
        std::string text = code.message();
        if (size_ != 0) {
            text += " (";
            text += header();
            text += ')';
        }
        return text;
    }

    /// @return the HTTP status to answer with (see `http_status`).
    unsigned status() const noexcept {
        return code.category() == error_category() ? http_status(static_cast<error>(code.value())) : 500;
    }

    friend bool operator==(const rejection& r, error e) noexcept { return r.code == make_error_code(e); }

private:
    std::array<char, 63> name_{};
    unsigned char size_ = 0;
};

/// @return a rejection for `e`, naming `header` (optional).
inline rejection reject(error e, std::string_view header = {}) noexcept { return {make_error_code(e), header}; }

/// Lets `result<T, rejection>::value()` throw a `boost::system::system_error` carrying the message.
[[noreturn]] inline void throw_exception_from_error(const rejection& r, const boost::source_location& loc) {
    boost::throw_exception(boost::system::system_error(r.code, std::string(r.header())), loc);
}

/// What verification returns: the value, or why not.
template <class T>
using result = boost::system::result<T, rejection>;

/// The exception thrown by constructors that refuse their arguments (an empty secret, say). Its message names the
/// reason, never the value.
inline void throw_error(error e, const char* what, const boost::source_location& loc = BOOST_CURRENT_LOCATION) {
    boost::throw_exception(boost::system::system_error(make_error_code(e), what), loc);
}

} // namespace webhooks

template <>
struct boost::system::is_error_code_enum<webhooks::error> : std::true_type {};
template <>
struct boost::system::is_error_condition_enum<webhooks::condition> : std::true_type {};
// `std::error_code ec = webhooks::error::…` works too: Boost's error_code converts to std::error_code, keeping the
// category's name and messages.
template <>
struct std::is_error_code_enum<webhooks::error> : std::true_type {};
// … and so does `std_ec == webhooks::condition::authentication_failed`.
template <>
struct std::is_error_condition_enum<webhooks::condition> : std::true_type {};

#endif
