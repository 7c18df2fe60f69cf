// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_SIGNATURE_SIGNATURE_HEADER_HPP
#define WEBHOOKS_SIGNATURE_SIGNATURE_HEADER_HPP

/// @file
/// The shapes a signature header comes in, read and written:
/// - `prefixed("sha256=")`: one signature after a fixed prefix (GitHub `sha256=<hex>`, Slack `v0=<hex>`, or no
///   prefix at all: Shopify, Linear);
/// - `key_value(',', "t", "v1")`: `t=<unix>,v1=<sig>[,v1=<sig>…]` (Stripe, Calendly; Paddle is `ts=…;h1=…`);
///   unknown keys such as Stripe's `v0` are ignored;
/// - `versioned("v1")`: space-separated `v1,<sig> v1a,<sig>` (Standard Webhooks, Svix); other versions ignored.

#include <webhooks/detail/inline_list.hpp>
#include <webhooks/error.hpp>
#include <webhooks/request.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace webhooks::signature {

/// The most signatures one header may carry (Svix rotation sends at most 11); more is refused as malformed.
inline constexpr std::size_t max_signatures = 16;

/// What a signature header holds: the signatures of the wanted version, still encoded, and a timestamp when the
/// shape carries one. Views the header value.
struct signature_list {
    std::optional<std::string_view> timestamp{};
    detail::inline_list<std::string_view, max_signatures> items{};

    std::span<const std::string_view> signatures() const noexcept { return items.span(); }
};

/// A signature header's shape. See the file comment for the three shapes.
struct signature_format {
    enum class shape { prefixed, key_value, versioned };
    shape kind = shape::prefixed;
    std::string prefix{};         ///< prefixed: the text before the signature ("sha256=", "v0=", or "").
    char separator = ',';         ///< key_value: between pairs.
    std::string timestamp_key{};  ///< key_value: the timestamp's key ("t", "ts").
    std::string signature_key{};  ///< key_value: the signature's key ("v1", "h1"); versioned: the version ("v1").

    static signature_format prefixed(std::string prefix) { return {shape::prefixed, std::move(prefix), ',', {}, {}}; }
    static signature_format key_value(char separator, std::string timestamp_key, std::string signature_key) {
        return {shape::key_value, {}, separator, std::move(timestamp_key), std::move(signature_key)};
    }
    static signature_format versioned(std::string version) {
        return {shape::versioned, {}, ' ', {}, std::move(version)};
    }

    /// @return true when the shape carries the timestamp itself.
    bool carries_timestamp() const noexcept { return kind == shape::key_value && !timestamp_key.empty(); }
    /// @return true when the shape can carry several signatures.
    bool carries_several() const noexcept { return kind != shape::prefixed; }

    /// Reads a header value.
    /// @param value the header value (trimmed).
    /// @param header the header's name, for the rejection.
    /// @return the signatures of the wanted version; `malformed_signature_header` when the value has the wrong
    ///         shape (or more than `max_signatures`), `unsupported_signature` when it holds none of that version.
    result<signature_list> parse(std::string_view value, std::string_view header) const {
        signature_list out;
        if (auto why = parse_into(value, header, out)) return *why;
        return out;
    }

    /// `parse` into `out` (which must be empty), without copying the list: what `verify` uses.
    /// @return the rejection, or nothing when `out` holds the signatures.
    std::optional<rejection> parse_into(std::string_view value, std::string_view header, signature_list& out) const {
        auto push = [&](std::string_view sig) {
            if (out.items.full()) return false;
            out.items.push_back(sig);
            return true;
        };
        switch (kind) {
        case shape::prefixed:
            if (!value.starts_with(prefix) || value.size() == prefix.size())
                return reject(error::malformed_signature_header, header);
            push(value.substr(prefix.size()));
            return std::nullopt;
        case shape::key_value: {
            bool other = false;
            for (std::string_view item : split(value, separator)) {
                item = detail::trim(item);
                auto eq = item.find('=');
                if (eq == std::string_view::npos || eq == 0) return reject(error::malformed_signature_header, header);
                std::string_view key = item.substr(0, eq), val = item.substr(eq + 1);
                if (!timestamp_key.empty() && key == timestamp_key) {
                    if (out.timestamp && *out.timestamp != val) return reject(error::malformed_signature_header, header);
                    out.timestamp = val;
                } else if (key == signature_key) {
                    if (val.empty() || !push(val)) return reject(error::malformed_signature_header, header);
                } else {
                    other = true;
                }
            }
            if (!timestamp_key.empty() && !out.timestamp) return reject(error::malformed_signature_header, header);
            if (out.items.empty())
                return reject(other ? error::unsupported_signature : error::malformed_signature_header, header);
            return std::nullopt;
        }
        case shape::versioned: {
            for (std::string_view token : split(value, ' ')) {
                if (token.empty()) continue;  // several spaces in a row
                auto comma = token.find(',');
                if (comma == std::string_view::npos || comma == 0 || comma + 1 == token.size())
                    return reject(error::malformed_signature_header, header);
                if (token.substr(0, comma) == signature_key && !push(token.substr(comma + 1)))
                    return reject(error::malformed_signature_header, header);
            }
            if (out.items.empty()) return reject(error::unsupported_signature, header);
            return std::nullopt;
        }
        }
        return reject(error::malformed_signature_header, header);
    }

    /// Writes a header value.
    /// @param timestamp the timestamp text, for shapes that carry one.
    /// @param signatures encoded signatures; `prefixed` writes only the first.
    std::string write(std::string_view timestamp, std::span<const std::string> signatures) const {
        std::string out;
        switch (kind) {
        case shape::prefixed:
            out = prefix;
            if (!signatures.empty()) out += signatures.front();
            break;
        case shape::key_value:
            if (!timestamp_key.empty()) out.append(timestamp_key).append(1, '=').append(timestamp);
            for (const std::string& s : signatures) {
                if (!out.empty()) out += separator;
                out.append(signature_key).append(1, '=').append(s);
            }
            break;
        case shape::versioned:
            for (const std::string& s : signatures) {
                if (!out.empty()) out += ' ';
                out.append(signature_key).append(1, ',').append(s);
            }
            break;
        }
        return out;
    }

private:
    // Splits without allocating: a range of views between separators.
    struct split {
        std::string_view text;
        char sep;
        split(std::string_view t, char s) : text(t), sep(s) {}
        struct iterator {
            std::string_view rest;
            char sep;
            bool done;
            std::string_view operator*() const { return rest.substr(0, rest.find(sep)); }
            iterator& operator++() {
                auto p = rest.find(sep);
                if (p == std::string_view::npos) done = true;
                else rest.remove_prefix(p + 1);
                return *this;
            }
            bool operator!=(const iterator& o) const { return done != o.done; }
        };
        iterator begin() const { return {text, sep, false}; }
        iterator end() const { return {{}, sep, true}; }
    };
};

} // namespace webhooks::signature

#endif
