// SPDX-License-Identifier: BSL-1.0
#include <webhooks/idempotency/guard.hpp>

#include <webhooks/idempotency/memory_store.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
namespace idem = webhooks::idempotency;

namespace {

// A store that works or fails on demand, and records what it was asked: to see the guard's calls.
struct scripted_store {
    idem::memory_store inner;
    bool down = false;
    std::vector<std::string> calls;

    boost::system::result<idem::claim_result> claim(std::string_view k, std::string_view h, std::chrono::milliseconds l) {
        calls.push_back("claim");
        if (down) return make_error_code(webhooks::error::store_unavailable);
        return inner.claim(k, h, l);
    }
    boost::system::result<void> complete(std::string_view k, std::string_view t, const idem::completion& c,
                                         std::chrono::milliseconds r) {
        calls.push_back("complete");
        if (down) return make_error_code(webhooks::error::store_unavailable);
        return inner.complete(k, t, c, r);
    }
    boost::system::result<void> release(std::string_view k, std::string_view t) {
        calls.push_back("release");
        if (down) return make_error_code(webhooks::error::store_unavailable);
        return inner.release(k, t);
    }
    boost::system::result<void> renew(std::string_view k, std::string_view t, std::chrono::milliseconds l) {
        calls.push_back("renew");
        if (down) return make_error_code(webhooks::error::store_unavailable);
        return inner.renew(k, t, l);
    }
};

// Types that are not stores, for the concept's negative cases.
struct no_renew {
    boost::system::result<idem::claim_result> claim(std::string_view, std::string_view, std::chrono::milliseconds);
    boost::system::result<void> complete(std::string_view, std::string_view, const idem::completion&,
                                         std::chrono::milliseconds);
    boost::system::result<void> release(std::string_view, std::string_view);
};
struct wrong_claim_type {
    bool claim(std::string_view, std::string_view, std::chrono::milliseconds);
    boost::system::result<void> complete(std::string_view, std::string_view, const idem::completion&,
                                         std::chrono::milliseconds);
    boost::system::result<void> release(std::string_view, std::string_view);
    boost::system::result<void> renew(std::string_view, std::string_view, std::chrono::milliseconds);
};

} // namespace

static_assert(idem::IdempotencyStore<idem::memory_store>);
static_assert(idem::IdempotencyStore<scripted_store>);
static_assert(!idem::IdempotencyStore<no_renew>);
static_assert(!idem::IdempotencyStore<wrong_claim_type>);
static_assert(!idem::IdempotencyStore<int>);

TEST_CASE("A guard that is neither committed nor released releases when it goes", "[idempotency][guard]") {
    scripted_store store;
    {
        auto attempt = idem::try_claim(store, "k", "h");
        REQUIRE(attempt.has_value());
        REQUIRE(attempt->guard);
    }
    CHECK(store.calls == std::vector<std::string>{"claim", "release"});
    auto again = idem::try_claim(store, "k", "h");
    REQUIRE(again.has_value());
    CHECK(again->status() == idem::claim_status::acquired);
}

TEST_CASE("A committed guard does not release", "[idempotency][guard]") {
    scripted_store store;
    {
        auto attempt = idem::try_claim(store, "k", "h");
        REQUIRE(attempt->guard->commit({.failed = false, .response = idem::stored_response{204, "", ""}}, 1h));
    }
    CHECK(store.calls == std::vector<std::string>{"claim", "complete"});
    auto duplicate = idem::try_claim(store, "k", "h");
    CHECK(duplicate->status() == idem::claim_status::completed);
    CHECK(duplicate->claim.outcome.response->status == 204);
}

TEST_CASE("A commit during a store outage keeps the claim, and a later commit records it", "[idempotency][guard]") {
    scripted_store store;
    auto attempt = idem::try_claim(store, "k", "h");
    store.down = true;
    auto first = attempt->guard->commit();
    REQUIRE_FALSE(first.has_value());
    CHECK(first.error() == webhooks::error::store_unavailable);
    CHECK(attempt->guard->active());
    store.down = false;
    CHECK(attempt->guard->commit().has_value());
    CHECK_FALSE(attempt->guard->active());
    CHECK(idem::try_claim(store, "k", "h")->status() == idem::claim_status::completed);
}

TEST_CASE("A guard whose lease was taken over cannot commit", "[idempotency][guard]") {
    scripted_store store;
    auto stale = idem::try_claim(store, "k", "h", 30ms);
    std::this_thread::sleep_for(60ms);
    auto fresh = idem::try_claim(store, "k", "h");
    REQUIRE(fresh->status() == idem::claim_status::acquired);
    auto lost = stale->guard->commit();
    REQUIRE_FALSE(lost.has_value());
    CHECK(lost.error() == webhooks::error::lease_lost);
    CHECK(lost.error() == webhooks::condition::retry_later);
    CHECK_FALSE(stale->guard->active());
}

TEST_CASE("A store that is down makes try_claim fail, never pass", "[idempotency][guard]") {
    scripted_store store;
    store.down = true;
    auto attempt = idem::try_claim(store, "k", "h");
    REQUIRE_FALSE(attempt.has_value());
    CHECK(attempt.error() == webhooks::error::store_unavailable);
    CHECK(webhooks::http_status(webhooks::error::store_unavailable) == 503);
}

TEST_CASE("Moving a guard moves the claim; the moved-from guard releases nothing", "[idempotency][guard]") {
    scripted_store store;
    {
        auto attempt = idem::try_claim(store, "k", "h");
        idem::claim_guard<scripted_store> moved = std::move(*attempt->guard);
        CHECK_FALSE(attempt->guard->active());
        CHECK(moved.active());
        REQUIRE(moved.renew(10s));
    }
    CHECK(store.calls == std::vector<std::string>{"claim", "renew", "release"});
}
