// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_SIGNATURE_TIMESTAMP_WINDOW_HPP
#define WEBHOOKS_SIGNATURE_TIMESTAMP_WINDOW_HPP

/// @file
/// How old, and how far in the future, a signed timestamp may be: the replay window. Past and future are set
/// separately because providers differ (Standard Webhooks checks both ways, Stripe and Slack only age).

#include <webhooks/error.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace webhooks {

/// The replay window around "now" that a signed timestamp must fall in.
///
/// @par Example
/// @code
/// auto w = webhooks::timestamp_window::symmetric(std::chrono::minutes(5));   // Standard Webhooks
/// auto s = webhooks::timestamp_window::age_only(std::chrono::seconds(300));  // Stripe, Slack
/// @endcode
struct timestamp_window {
    /// How old a timestamp may be; nothing means any age.
    std::optional<std::chrono::seconds> past = std::chrono::seconds(300);
    /// How far ahead of now a timestamp may be; nothing means any distance (clock skew is then the sender's).
    std::optional<std::chrono::seconds> future = std::chrono::seconds(300);

    /// @return a window of `tolerance` both ways.
    static constexpr timestamp_window symmetric(std::chrono::seconds tolerance) { return {tolerance, tolerance}; }
    /// @return a window that only limits age.
    static constexpr timestamp_window age_only(std::chrono::seconds tolerance) { return {tolerance, std::nullopt}; }
    /// @return a window that accepts any timestamp (the signature is still checked).
    static constexpr timestamp_window unlimited() { return {std::nullopt, std::nullopt}; }

    /// @param timestamp the signed Unix time.
    /// @param now the current Unix time.
    /// @return nothing when inside, else `error::timestamp_too_old` or `error::timestamp_too_new`.
    constexpr std::optional<error> check(std::int64_t timestamp, std::int64_t now) const noexcept {
        // Both are parsed from at most 18 digits or read from a clock, so the differences cannot overflow.
        if (past && timestamp < now && now - timestamp > past->count()) return error::timestamp_too_old;
        if (future && timestamp > now && timestamp - now > future->count()) return error::timestamp_too_new;
        return std::nullopt;
    }
};

/// Parses a Unix timestamp written as plain decimal digits (no sign, no space, no fraction, no leading zero), at
/// most 18 digits so it can never overflow. Leading zeros are refused because senders' own libraries sign the
/// number re-printed (`0170…` would be signed as `170…`): one text, one meaning.
/// @return the value, or nothing when `text` is not such a number.
constexpr std::optional<std::int64_t> parse_unix_timestamp(std::string_view text) noexcept {
    if (text.empty() || text.size() > 18 || (text.size() > 1 && text.front() == '0')) return std::nullopt;
    std::int64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

} // namespace webhooks

#endif
