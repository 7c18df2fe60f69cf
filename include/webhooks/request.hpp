// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_REQUEST_HPP
#define WEBHOOKS_REQUEST_HPP

/// @file
/// The `Request` concept (what the library needs from an HTTP request) and `basic_request`, a plain non-owning view
/// that any HTTP stack can fill. Boost.Beast requests are adapted by `webhooks/beast.hpp`.

#include <concepts>
#include <cstddef>
#include <span>
#include <string_view>

namespace webhooks {

/// One header as received.
struct header_field {
    std::string_view name;   ///< Header name, any case.
    std::string_view value;  ///< Header value, as received (the library trims surrounding spaces and tabs itself).
};

/// What looking a header up found.
enum class header_presence {
    absent,      ///< No header of that name.
    present,     ///< Once, or repeated with identical values.
    conflicting, ///< Repeated with different values: which one is meant is ambiguous, so the request is refused.
};

/// The answer of a header lookup: whether the header is there, and its value when it is.
struct header_lookup {
    header_presence presence = header_presence::absent;  ///< Absent, present or conflicting.
    std::string_view value{};                             ///< The value when present (trimmed of spaces and tabs).

    /// @return true when the header is present exactly once (or repeated identically).
    explicit operator bool() const noexcept { return presence == header_presence::present; }
};

namespace detail {

constexpr char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    // Names of one length often share a prefix (webhook-timestamp, webhook-signature): the last byte tells first.
    if (!a.empty() && ascii_lower(a.back()) != ascii_lower(b.back()))
        return false;
    if (a == b)  // the usual case: the sender spells the name as we do
        return true;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i] && ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    return true;
}

constexpr std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

/// Folds the values found for one name into a lookup. Call `add` for each header whose name matched.
struct header_accumulator {
    header_lookup result{};
    constexpr void add(std::string_view raw) noexcept {
        std::string_view v = trim(raw);
        if (result.presence == header_presence::absent)
            result = {header_presence::present, v};
        else if (result.presence == header_presence::present && result.value != v)
            result = {header_presence::conflicting, {}};
    }
};

} // namespace detail

/// A **Request** is what the library reads from an HTTP request. It never copies the body.
///
/// Requirements, for `const R& r` and `std::string_view name`:
/// 1. `r.method()` converts to `std::string_view`: the method as received (`"POST"`).
/// 2. `r.target()` converts to `std::string_view`: the request target (`"/webhooks/stripe?x=1"`).
/// 3. `r.header(name)` returns `header_lookup`: a case-insensitive lookup that reports a header repeated with
///    different values as `conflicting`.
/// 4. `r.body()` converts to `std::string_view`: the raw body bytes exactly as received, not decoded or re-encoded.
///
/// @par Example
/// A stack that hands out headers as a map can satisfy it with a few lines; most users fill `basic_request`.
template <class R>
concept Request = requires(const R& r, std::string_view name) {
    { r.method() } -> std::convertible_to<std::string_view>;
    { r.target() } -> std::convertible_to<std::string_view>;
    { r.header(name) } -> std::same_as<header_lookup>;
    { r.body() } -> std::convertible_to<std::string_view>;
};

/// A non-owning view of a request, for any HTTP stack: cpp-httplib, Drogon, CGI, a cloud function.
/// Everything it views must outlive it; nothing is copied.
///
/// @par Example
/// @code
/// // cpp-httplib
/// std::vector<webhooks::header_field> headers;
/// for (auto& [name, value] : req.headers) headers.push_back({name, value});
/// webhooks::basic_request request{req.method, req.target, headers, req.body};
/// auto delivery = verifier.parse(request);
/// @endcode
class basic_request {
public:
    /// @param method the HTTP method.
    /// @param target the request target.
    /// @param headers every header as received, in any order, repeats included.
    /// @param body the raw body bytes.
    constexpr basic_request(std::string_view method, std::string_view target, std::span<const header_field> headers,
                            std::string_view body) noexcept
        : method_(method), target_(target), headers_(headers), body_(body) {}

    constexpr std::string_view method() const noexcept { return method_; }
    constexpr std::string_view target() const noexcept { return target_; }
    constexpr std::string_view body() const noexcept { return body_; }
    constexpr std::span<const header_field> headers() const noexcept { return headers_; }

    /// Case-insensitive lookup; a header repeated with different values is `conflicting`.
    constexpr header_lookup header(std::string_view name) const noexcept {
        detail::header_accumulator acc;
        for (const header_field& h : headers_)
            if (detail::iequals(h.name, name))
                acc.add(h.value);
        return acc.result;
    }

private:
    std::string_view method_;
    std::string_view target_;
    std::span<const header_field> headers_;
    std::string_view body_;
};

static_assert(Request<basic_request>);

} // namespace webhooks

#endif
