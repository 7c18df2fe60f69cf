// SPDX-License-Identifier: BSL-1.0
// The IdempotencyStore contract, written once, run against every store.
#include "fixtures.hpp"

#include <webhooks/idempotency/guard.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>
#include <thread>

using namespace std::chrono_literals;
namespace idem = webhooks::idempotency;

#define STORES test::memory_fixture, test::sqlite_fixture, test::redis_fixture, test::file_fixture

TEMPLATE_TEST_CASE("A first claim is acquired and a second one finds it in progress", "[store][claim]", STORES) {
    TestType f;
    auto first = f.store.claim("k:1", "hash-a", 10s);
    REQUIRE(first.has_value());
    CHECK(first->status == idem::claim_status::acquired);
    CHECK(first->token.size() == 32);
    auto second = f.store.claim("k:1", "hash-a", 10s);
    REQUIRE(second.has_value());
    CHECK(second->status == idem::claim_status::in_progress);
    CHECK(second->token.empty());
    CHECK(second->lease_left > 0ms);
    CHECK(second->lease_left <= 10s);
    auto other = f.store.claim("k:2", "hash-a", 10s);
    REQUIRE(other.has_value());
    CHECK(other->status == idem::claim_status::acquired);
    CHECK(other->token != first->token);
}

TEMPLATE_TEST_CASE("A completed event answers duplicates with its stored response", "[store][complete]", STORES) {
    TestType f;
    auto c = f.store.claim("k:done", "h", 10s);
    REQUIRE(c.has_value());
    REQUIRE(c->status == idem::claim_status::acquired);
    std::string binary(256, '\0');
    for (int i = 0; i < 256; ++i) binary[i] = static_cast<char>(i);
    idem::stored_response response{202, "application/octet-stream", binary};
    REQUIRE(f.store.complete("k:done", c->token, {.failed = false, .response = response}, 10s));
    auto again = f.store.claim("k:done", "h", 10s);
    REQUIRE(again.has_value());
    CHECK(again->status == idem::claim_status::completed);
    CHECK_FALSE(again->outcome.failed);
    REQUIRE(again->outcome.response);
    CHECK(*again->outcome.response == response);
}

TEMPLATE_TEST_CASE("A permanent failure is recorded and acknowledged to duplicates", "[store][complete]", STORES) {
    TestType f;
    auto c = f.store.claim("k:poison", "h", 10s);
    REQUIRE(c.has_value());
    REQUIRE(f.store.complete("k:poison", c->token, {.failed = true, .response = std::nullopt}, 10s));
    auto again = f.store.claim("k:poison", "h", 10s);
    REQUIRE(again.has_value());
    CHECK(again->status == idem::claim_status::completed);
    CHECK(again->outcome.failed);
    CHECK_FALSE(again->outcome.response);
}

TEMPLATE_TEST_CASE("A released claim can be claimed again at once", "[store][release]", STORES) {
    TestType f;
    auto c = f.store.claim("k:rel", "h", 10s);
    REQUIRE(c.has_value());
    REQUIRE(f.store.release("k:rel", c->token));
    auto again = f.store.claim("k:rel", "h", 10s);
    REQUIRE(again.has_value());
    CHECK(again->status == idem::claim_status::acquired);
    CHECK(again->token != c->token);
}

TEMPLATE_TEST_CASE("The same id with a different body is a payload mismatch", "[store][mismatch]", STORES) {
    TestType f;
    auto c = f.store.claim("k:mm", "hash-a", 10s);
    REQUIRE(c.has_value());
    auto in_progress = f.store.claim("k:mm", "hash-b", 10s);
    REQUIRE(in_progress.has_value());
    CHECK(in_progress->status == idem::claim_status::payload_mismatch);
    REQUIRE(f.store.complete("k:mm", c->token, {}, 10s));
    auto completed = f.store.claim("k:mm", "hash-b", 10s);
    REQUIRE(completed.has_value());
    CHECK(completed->status == idem::claim_status::payload_mismatch);
}

TEMPLATE_TEST_CASE("An empty body hash is never a mismatch, on either side", "[store][mismatch]", STORES) {
    TestType f;
    auto unhashed = f.store.claim("k:nohash", "", 10s);
    REQUIRE(unhashed.has_value());
    REQUIRE(unhashed->status == idem::claim_status::acquired);
    auto hashed = f.store.claim("k:nohash", "hash-a", 10s);  // the record has no hash: nothing to compare
    REQUIRE(hashed.has_value());
    CHECK(hashed->status == idem::claim_status::in_progress);
    REQUIRE(f.store.complete("k:nohash", unhashed->token, {}, 10s));

    auto first = f.store.claim("k:hash", "hash-a", 10s);
    REQUIRE(first.has_value());
    REQUIRE(f.store.complete("k:hash", first->token, {}, 10s));
    auto without = f.store.claim("k:hash", "", 10s);  // the claim has no hash: nothing to compare
    REQUIRE(without.has_value());
    CHECK(without->status == idem::claim_status::completed);
    auto other = f.store.claim("k:hash", "hash-b", 10s);  // but a different hash still is a mismatch
    REQUIRE(other.has_value());
    CHECK(other->status == idem::claim_status::payload_mismatch);
}

TEMPLATE_TEST_CASE("An expired lease lets another owner take over, and fences the stale one", "[store][lease]",
                   STORES) {
    TestType f;
    auto stale = f.store.claim("k:lease", "h", 150ms);
    REQUIRE(stale.has_value());
    REQUIRE(stale->status == idem::claim_status::acquired);
    std::this_thread::sleep_for(300ms);
    auto fresh = f.store.claim("k:lease", "h", 10s);
    REQUIRE(fresh.has_value());
    REQUIRE(fresh->status == idem::claim_status::acquired);
    auto complete = f.store.complete("k:lease", stale->token, {}, 10s);
    REQUIRE_FALSE(complete.has_value());
    CHECK(complete.error() == webhooks::error::lease_lost);
    auto release = f.store.release("k:lease", stale->token);
    REQUIRE_FALSE(release.has_value());
    CHECK(release.error() == webhooks::error::lease_lost);
    auto renew = f.store.renew("k:lease", stale->token, 10s);
    REQUIRE_FALSE(renew.has_value());
    CHECK(renew.error() == webhooks::error::lease_lost);
    // The new owner is untouched by the stale one's attempts.
    auto probe = f.store.claim("k:lease", "h", 10s);
    REQUIRE(probe.has_value());
    CHECK(probe->status == idem::claim_status::in_progress);
    CHECK(f.store.complete("k:lease", fresh->token, {}, 10s));
}

TEMPLATE_TEST_CASE("A token that never owned the key is fenced out", "[store][fencing]", STORES) {
    TestType f;
    auto c = f.store.claim("k:fence", "h", 10s);
    REQUIRE(c.has_value());
    auto forged = idem::new_owner_token();
    CHECK(f.store.complete("k:fence", forged, {}, 10s).error() == webhooks::error::lease_lost);
    CHECK(f.store.release("k:fence", forged).error() == webhooks::error::lease_lost);
    CHECK(f.store.renew("k:fence", forged, 10s).error() == webhooks::error::lease_lost);
    CHECK(f.store.complete("k:nothing", forged, {}, 10s).error() == webhooks::error::lease_lost);
    // Completing twice: the second finds the record no longer in progress.
    REQUIRE(f.store.complete("k:fence", c->token, {}, 10s));
    CHECK(f.store.complete("k:fence", c->token, {}, 10s).error() == webhooks::error::lease_lost);
}

TEMPLATE_TEST_CASE("Renewing a lease keeps the event owned past its first lease", "[store][renew]", STORES) {
    TestType f;
    auto c = f.store.claim("k:renew", "h", 300ms);
    REQUIRE(c.has_value());
    std::this_thread::sleep_for(150ms);
    REQUIRE(f.store.renew("k:renew", c->token, 2s));
    std::this_thread::sleep_for(300ms);  // past the first lease
    auto probe = f.store.claim("k:renew", "h", 10s);
    REQUIRE(probe.has_value());
    CHECK(probe->status == idem::claim_status::in_progress);
    CHECK(probe->lease_left > 1s);
    CHECK(f.store.complete("k:renew", c->token, {}, 10s));
}

TEMPLATE_TEST_CASE("A completed record is forgotten after its retention", "[store][retention]", STORES) {
    TestType f;
    auto c = f.store.claim("k:ret", "h", 10s);
    REQUIRE(c.has_value());
    REQUIRE(f.store.complete("k:ret", c->token, {}, 150ms));
    auto within = f.store.claim("k:ret", "h", 10s);
    REQUIRE(within.has_value());
    CHECK(within->status == idem::claim_status::completed);
    std::this_thread::sleep_for(300ms);
    auto after = f.store.claim("k:ret", "other-hash", 10s);
    REQUIRE(after.has_value());
    CHECK(after->status == idem::claim_status::acquired);
}

TEMPLATE_TEST_CASE("The guard releases on an exception and commits exactly once", "[store][guard]", STORES) {
    TestType f;
    try {
        auto attempt = idem::try_claim(f.store, "k:guard", "h");
        REQUIRE(attempt.has_value());
        REQUIRE(attempt->status() == idem::claim_status::acquired);
        throw std::runtime_error("handler failed");
    } catch (const std::runtime_error&) {
    }
    auto retry = idem::try_claim(f.store, "k:guard", "h");
    REQUIRE(retry.has_value());
    REQUIRE(retry->status() == idem::claim_status::acquired);
    REQUIRE(retry->guard->renew(5s));
    REQUIRE(retry->guard->commit());
    CHECK_FALSE(retry->guard->active());
    CHECK(retry->guard->commit().error() == webhooks::error::lease_lost);
    auto duplicate = idem::try_claim(f.store, "k:guard", "h");
    REQUIRE(duplicate.has_value());
    CHECK(duplicate->status() == idem::claim_status::completed);
    CHECK_FALSE(duplicate->guard);
}

TEST_CASE("A full memory store refuses new keys rather than dropping live records", "[store][memory][capacity]") {
    idem::memory_store store{{.capacity = 8, .shards = 1}};
    for (int i = 0; i < 8; ++i) {
        auto c = store.claim("full:" + std::to_string(i), "h", 10s);
        REQUIRE(c.has_value());
        REQUIRE(c->status == idem::claim_status::acquired);
    }
    auto refused = store.claim("full:8", "h", 10s);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error() == webhooks::error::store_unavailable);
    CHECK(store.stats().overflows == 1);
    CHECK(store.stats().records == 8);
    // Every record that was there is still there.
    for (int i = 0; i < 8; ++i) CHECK(store.claim("full:" + std::to_string(i), "h", 10s)->status == idem::claim_status::in_progress);
    // Room comes back as records expire.
    idem::memory_store small{{.capacity = 1, .shards = 1}};
    REQUIRE(small.claim("a", "h", 50ms)->status == idem::claim_status::acquired);
    std::this_thread::sleep_for(100ms);
    auto after = small.claim("b", "h", 10s);
    REQUIRE(after.has_value());
    CHECK(after->status == idem::claim_status::acquired);
    CHECK(small.stats().purged == 1);
    CHECK(small.stats().overflows == 0);
}

TEST_CASE("A Redis store whose server is down answers store unavailable, then recovers", "[store][redis][outage]") {
    test::redis_server server;
    idem::redis_store store{{.host = "127.0.0.1", .port = server.port(), .connect_timeout = 200ms,
                             .command_timeout = 200ms, .prefix = test::unique_prefix()}};
    auto before = store.claim("down:1", "h", 10s);
    REQUIRE(before.has_value());
    server.stop();
    auto start = std::chrono::steady_clock::now();
    auto claim = store.claim("down:2", "h", 10s);
    REQUIRE_FALSE(claim.has_value());
    CHECK(claim.error() == webhooks::error::store_unavailable);
    auto commit = store.complete("down:1", before->token, {}, 10s);
    REQUIRE_FALSE(commit.has_value());
    CHECK(commit.error() == webhooks::error::store_unavailable);
    CHECK(std::chrono::steady_clock::now() - start < 2s);  // bounded by the timeouts, not hanging
    server.start();
    auto after = store.claim("down:2", "h", 10s);
    REQUIRE(after.has_value());
    CHECK(after->status == idem::claim_status::acquired);
}

TEST_CASE("A SQLite store whose file is deleted answers store unavailable", "[store][sqlite][outage]") {
    test::temp_dir dir;
    auto path = dir.path / "gone.sqlite";
    idem::sqlite_store store{{.path = path.string()}};
    REQUIRE(store.claim("gone:1", "h", 10s).has_value());
    std::filesystem::remove(path);
    auto claim = store.claim("gone:2", "h", 10s);
    REQUIRE_FALSE(claim.has_value());
    CHECK(claim.error() == webhooks::error::store_unavailable);
}

TEST_CASE("A SQLite store keeps completed events across a restart", "[store][sqlite][durable]") {
    test::temp_dir dir;
    auto path = (dir.path / "durable.sqlite").string();
    {
        idem::sqlite_store store{{.path = path}};
        auto c = store.claim("durable:1", "h", 10s);
        REQUIRE(c.has_value());
        REQUIRE(store.complete("durable:1", c->token, {.failed = false, .response = idem::stored_response{200, "text/plain", "ok"}}, 1h).has_value());
    }
    idem::sqlite_store reopened{{.path = path}};
    auto again = reopened.claim("durable:1", "h", 10s);
    REQUIRE(again.has_value());
    CHECK(again->status == idem::claim_status::completed);
    REQUIRE(again->outcome.response);
    CHECK(again->outcome.response->body == "ok");
}
