// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_IDEMPOTENCY_STORE_HPP
#define WEBHOOKS_IDEMPOTENCY_STORE_HPP

/// @file
/// The `IdempotencyStore` concept: where claims on events live, so that each event's effect happens once even when
/// the sender retries, or delivers twice at the same moment to two instances. The library ships memory, SQLite and
/// Redis stores; implement the concept for anything else.

#include <webhooks/crypto/encoding.hpp>
#include <webhooks/crypto/random.hpp>
#include <webhooks/error.hpp>

#include <boost/system/result.hpp>

#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <span>
#include <concepts>
#include <optional>
#include <string>
#include <string_view>

namespace webhooks::idempotency {

/// How long a claim protects an event being handled before another worker may take it over (renewable).
inline constexpr std::chrono::milliseconds default_lease = std::chrono::seconds(60);
/// How long a completed event is remembered: longer than the sender retries (Stripe: 3 days).
inline constexpr std::chrono::milliseconds default_retention = std::chrono::hours(72);

/// @return how long `Scheme`'s events are remembered: its `dedup_retention` when the preset says (longer than the
///         provider retries), `default_retention` otherwise.
template <class Scheme>
constexpr std::chrono::milliseconds retention_for() {
    if constexpr (requires { Scheme::dedup_retention; })
        return std::chrono::duration_cast<std::chrono::milliseconds>(Scheme::dedup_retention);
    else
        return default_retention;
}

/// A small response kept with a completed event, replayed to duplicates when configured.
struct stored_response {
    unsigned status = 200;
    std::string content_type{};
    std::string body{};
    friend bool operator==(const stored_response&, const stored_response&) = default;
};

/// How an event ended, as recorded by `complete`.
struct completion {
    /// True when the handler failed permanently (a poison event): duplicates are acknowledged, not retried.
    bool failed = false;
    /// The response to replay to duplicates, if any.
    std::optional<stored_response> response{};
};

/// What a claim found.
enum class claim_status {
    acquired,          ///< The caller owns the event now, under `token`, until the lease runs out.
    in_progress,       ///< Another owner is handling it; its lease has `lease_left` to run.
    completed,         ///< Done already (or failed permanently); `outcome` says how.
    payload_mismatch,  ///< A record exists for this key with a different body hash.
};

/// The answer to `claim`.
struct claim_result {
    claim_status status = claim_status::acquired;
    std::string token{};                            ///< acquired: the owner token that fences complete/release/renew.
    std::chrono::milliseconds lease_left{0};        ///< in_progress: time until the lease runs out.
    completion outcome{};                           ///< completed: what `complete` recorded.
};

/// @return true when a claim with body hash `given` may be the same delivery as a record with body hash `stored`:
///         equal hashes, or either one empty (a hash that was not computed is never a mismatch). Stores compare
///         with this.
constexpr bool same_payload(std::string_view stored, std::string_view given) noexcept {
    return stored.empty() || given.empty() || stored == given;
}

/// The length of every token `new_owner_token` makes.
inline constexpr std::size_t owner_token_size = 32;

namespace detail {
// Bumped in a forked child, so that its tokens never repeat its parent's (no getpid system call per token).
inline std::atomic<std::uint64_t> fork_generation{1};
inline void count_fork() noexcept { fork_generation.fetch_add(1, std::memory_order_relaxed); }
} // namespace detail

/// @return a fresh owner token, unique across threads, processes and machines: 64 random bits drawn once per thread
///         (and again after a fork), then a per-thread counter; `owner_token_size` hex characters. Tokens fence
///         workers from each other; they are not secrets, so one `RAND_bytes` per thread instead of per claim is
///         enough.
inline std::string new_owner_token() {
    static const bool fork_watched = (::pthread_atfork(nullptr, nullptr, &detail::count_fork), true);
    (void)fork_watched;
    thread_local std::array<unsigned char, 8> prefix{};
    thread_local std::uint64_t counter = 0;
    thread_local std::uint64_t generation = 0;
    if (const auto g = detail::fork_generation.load(std::memory_order_relaxed); g != generation) {
        const std::string bytes = crypto::random_bytes(prefix.size());
        std::copy(bytes.begin(), bytes.end(), prefix.begin());
        counter = 0;
        generation = g;
    }
    std::array<unsigned char, 16> bytes;  // the prefix, then the count big-endian
    std::copy(prefix.begin(), prefix.end(), bytes.begin());
    std::uint64_t n = ++counter;
    for (std::size_t i = bytes.size(); i > prefix.size(); n >>= 8) bytes[--i] = static_cast<unsigned char>(n & 0xff);
    std::string token(owner_token_size, '0');
    crypto::encode(bytes, crypto::encoding::hex, std::span(token.data(), token.size()));
    return token;
}

/// An **IdempotencyStore** keeps one record per idempotency key, and changes it only atomically.
///
/// Requirements, for `S& s`, `std::string_view key, body_hash, token`, `std::chrono::milliseconds lease,
/// retention` and `const completion& done`:
/// 1. `s.claim(key, body_hash, lease)` returns `boost::system::result<claim_result>`. In one atomic step: no record, or
///    an expired one (lease or retention run out) → a new in-progress record owned by a fresh token, `acquired`;
///    a live record with another body hash → `payload_mismatch` (whatever its state: the hash is compared
///    first; an empty hash on either side is never a mismatch, see `same_payload`); a live in-progress record →
///    `in_progress` with the lease left; a completed one → `completed` with its outcome. Check-then-insert is a bug.
/// 2. `s.complete(key, token, done, retention)` returns `boost::system::result<void>`: turns the caller's
///    in-progress record into a completed one kept for `retention`. Fenced: if the record is not in progress
///    under `token` (the lease ran out and another owner took it), nothing changes and the error is
///    `error::lease_lost`.
/// 3. `s.release(key, token)` returns `boost::system::result<void>`: deletes the caller's in-progress record so a
///    retry can claim at once. Fenced like `complete` (`error::lease_lost`).
/// 4. `s.renew(key, token, lease)` returns `boost::system::result<void>`: extends the caller's lease from now.
///    Fenced like `complete`.
/// 5. Any failure to reach or use the backend is `error::store_unavailable`, never a silent success. Nothing
///    throws but for resource exhaustion (`std::bad_alloc`, no randomness for a token).
/// 6. All four are safe to call from several threads at once.
/// 7. Durations saturate: a huge lease or retention means "practically forever", never an overflow into the past.
///    `lease_left` is at least 1 ms, so a Retry-After derived from it is never 0.
///
/// Taking the claim is the atomic step; the reason a claim was not acquired may come from a second read (SQL
/// stores), since it only informs the answer. Expiry times are the store's own clock: monotonic in memory, the
/// wall clock where several processes share records (SQLite, Redis).
///
/// @par Example
/// `examples/custom_store` implements it over an append-only file; its skeleton:
/// @code
/// struct my_store {
///     boost::system::result<claim_result> claim(std::string_view key, std::string_view body_hash,
///                                        std::chrono::milliseconds lease);
///     boost::system::result<void> complete(std::string_view key, std::string_view token, const completion& done,
///                                          std::chrono::milliseconds retention);
///     boost::system::result<void> release(std::string_view key, std::string_view token);
///     boost::system::result<void> renew(std::string_view key, std::string_view token,
///                                       std::chrono::milliseconds lease);
/// };
/// static_assert(webhooks::idempotency::IdempotencyStore<my_store>);
/// @endcode
template <class S>
concept IdempotencyStore = requires(S& s, std::string_view key, std::string_view body_hash, std::string_view token,
                                    std::chrono::milliseconds duration, const completion& done) {
    { s.claim(key, body_hash, duration) } -> std::same_as<boost::system::result<claim_result>>;
    { s.complete(key, token, done, duration) } -> std::same_as<boost::system::result<void>>;
    { s.release(key, token) } -> std::same_as<boost::system::result<void>>;
    { s.renew(key, token, duration) } -> std::same_as<boost::system::result<void>>;
};

namespace detail {

// Readable diagnostics: name the missing piece instead of a wall of substitution failures.
template <class S>
constexpr bool check_store() {
    static_assert(requires(S& s, std::string_view k, std::string_view h, std::chrono::milliseconds d) {
        { s.claim(k, h, d) } -> std::same_as<boost::system::result<claim_result>>;
    }, "IdempotencyStore: needs `boost::system::result<claim_result> claim(string_view key, string_view body_hash, "
       "milliseconds lease)`");
    static_assert(requires(S& s, std::string_view k, std::string_view t, const completion& c,
                           std::chrono::milliseconds d) {
        { s.complete(k, t, c, d) } -> std::same_as<boost::system::result<void>>;
    }, "IdempotencyStore: needs `boost::system::result<void> complete(string_view key, string_view token, const "
       "completion&, milliseconds retention)`");
    static_assert(requires(S& s, std::string_view k, std::string_view t) {
        { s.release(k, t) } -> std::same_as<boost::system::result<void>>;
    }, "IdempotencyStore: needs `boost::system::result<void> release(string_view key, string_view token)`");
    static_assert(requires(S& s, std::string_view k, std::string_view t, std::chrono::milliseconds d) {
        { s.renew(k, t, d) } -> std::same_as<boost::system::result<void>>;
    }, "IdempotencyStore: needs `boost::system::result<void> renew(string_view key, string_view token, "
       "milliseconds lease)`");
    return true;
}

} // namespace detail

} // namespace webhooks::idempotency

#endif
