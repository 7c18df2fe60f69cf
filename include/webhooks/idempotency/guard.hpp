// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_IDEMPOTENCY_GUARD_HPP
#define WEBHOOKS_IDEMPOTENCY_GUARD_HPP

/// @file
/// The claim guard: owns an acquired claim and releases it on every path that does not commit (an exception, an
/// early return), so a failed attempt leaves the event free for the sender's retry. Never lost, never doubled.

#include <webhooks/error.hpp>
#include <webhooks/idempotency/store.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace webhooks::idempotency {

/// An acquired claim on one event. Commit it when the effect is done; otherwise it is released when the guard goes.
///
/// @par Example
/// @code
/// auto attempt = idempotency::try_claim(store, *key, idempotency::body_hash(delivery.body()));
/// if (!attempt) return respond(503);                                  // store unavailable: fail closed
/// if (attempt->status() != idempotency::claim_status::acquired) return respond_duplicate(*attempt);
/// apply_effect(delivery);                                             // throws? the guard releases
/// if (auto done = attempt->guard->commit(); !done) log("lease lost");  // another owner took over
/// @endcode
template <class Store>
class claim_guard {
    static_assert(detail::check_store<Store>());

public:
    /// @param store the store that granted the claim; must outlive the guard.
    /// @param key the claimed key.
    /// @param token the owner token from the `acquired` claim.
    claim_guard(Store& store, std::string key, std::string token) noexcept
        : store_(&store), key_(std::move(key)), token_(std::move(token)), active_(true) {}

    claim_guard(claim_guard&& o) noexcept
        : store_(o.store_), key_(std::move(o.key_)), token_(std::move(o.token_)), active_(std::exchange(o.active_, false)) {}
    claim_guard& operator=(claim_guard&& o) noexcept {
        if (this != &o) {
            (void)release();
            store_ = o.store_;
            key_ = std::move(o.key_);
            token_ = std::move(o.token_);
            active_ = std::exchange(o.active_, false);
        }
        return *this;
    }
    claim_guard(const claim_guard&) = delete;
    claim_guard& operator=(const claim_guard&) = delete;

    /// Releases the claim unless it was committed or released.
    ~claim_guard() { (void)release(); }

    /// Records the event as done (or failed permanently) for `retention`; the guard no longer owns it.
    /// @return `error::lease_lost` when another owner took the event over. `error::store_unavailable` when the
    ///         store could not be reached, or its answer was lost (a networked store may then have completed the
    ///         record after all): the guard still owns the claim, and calling `commit` again while the lease lasts
    ///         is how an effect that already happened gets recorded after an outage. A retry that answers
    ///         `lease_lost` after such an outage may mean the first attempt did complete: a claim then says
    ///         `completed`.
    boost::system::result<void> commit(const completion& done = {},
                                       std::chrono::milliseconds retention = default_retention) {
        if (!active_) return make_error_code(error::lease_lost);
        auto r = store_->complete(key_, token_, done, retention);
        if (r || r.error() != error::store_unavailable) active_ = false;
        return r;
    }

    /// Gives the event up now so a retry can claim it at once.
    boost::system::result<void> release() {
        if (!active_) return {};
        active_ = false;
        return store_->release(key_, token_);
    }

    /// Stops owning the claim without releasing it: the record stays in progress until its lease runs out. For an
    /// effect that happened but could not be recorded (the store kept failing): releasing would let a copy of the
    /// event run the effect again at once, while an expiring lease holds copies off (409) for its length.
    void dismiss() noexcept { active_ = false; }

    /// Extends the lease from now, for handlers that run long.
    boost::system::result<void> renew(std::chrono::milliseconds lease = default_lease) {
        if (!active_) return make_error_code(error::lease_lost);
        return store_->renew(key_, token_, lease);
    }

    /// @return true while the guard owns the claim.
    bool active() const noexcept { return active_; }
    const std::string& key() const noexcept { return key_; }
    const std::string& token() const noexcept { return token_; }

private:
    Store* store_;
    std::string key_;
    std::string token_;
    bool active_;
};

/// The outcome of `try_claim`: what the store said, and the guard when the claim was acquired.
template <class Store>
struct claim_attempt {
    claim_result claim;                        ///< The store's answer.
    /// Set exactly when `claim.status == acquired`; `claim.token` is moved into it.
    std::optional<claim_guard<Store>> guard{};

    claim_status status() const noexcept { return claim.status; }
};

/// Claims `key` in `store` and wraps an acquired claim in a guard.
/// @return the attempt, or `error::store_unavailable`.
template <class Store>
boost::system::result<claim_attempt<Store>> try_claim(Store& store, std::string key, std::string_view body_hash,
                                                      std::chrono::milliseconds lease = default_lease) {
    static_assert(detail::check_store<Store>());
    auto c = store.claim(key, body_hash, lease);
    if (!c) return c.error();
    claim_attempt<Store> attempt{std::move(*c)};
    if (attempt.claim.status == claim_status::acquired)
        attempt.guard.emplace(store, std::move(key), std::move(attempt.claim.token));  // the guard holds it now
    return attempt;
}

} // namespace webhooks::idempotency

#endif
