// SPDX-License-Identifier: BSL-1.0
#include <webhooks/endpoint.hpp>

#include <webhooks/idempotency/memory_store.hpp>
#include <webhooks/providers/github.hpp>
#include <webhooks/providers/slack.hpp>
#include <webhooks/providers/stripe.hpp>

#include "support.hpp"
#include "../support/test_doubles.hpp"

#include <boost/describe/class.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <ctime>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace webhooks;
using namespace std::chrono_literals;
using webhooks::events::outcome;
using webhooks::test::owned_request;
using webhooks::test::signed_request;

namespace {

// --- Event types -------------------------------------------------------------------------------------------------

struct payment_intent_succeeded {
    static constexpr std::string_view event_name = "payment_intent.succeeded";
    static constexpr std::string_view payload_pointer = "/data/object";
    std::string id;
    std::int64_t amount = 0;
    std::string currency;
    std::optional<std::string> customer;
};
BOOST_DESCRIBE_STRUCT(payment_intent_succeeded, (), (id, amount, currency, customer))

struct issue_opened {
    static constexpr std::string_view event_name = "issues.opened";
    static constexpr std::string_view payload_pointer = "/issue";
    std::int64_t number = 0;
    std::string title;
};
BOOST_DESCRIBE_STRUCT(issue_opened, (), (number, title))

// --- Senders: the same secrets the endpoints verify with ---------------------------------------------------------

constexpr std::string_view stripe_secret = "whsec_endpoint_unit_secret";
constexpr std::string_view github_secret = "endpoint-unit-github-secret";
constexpr std::string_view slack_secret = "endpoint-unit-slack-secret";

const providers::stripe& stripe_sender() {
    static const providers::stripe s{secret{stripe_secret}};
    return s;
}
const providers::github& github_sender() {
    static const providers::github s{secret{github_secret}};
    return s;
}

std::string stripe_event(std::string_view id, std::int64_t amount = 1000,
                         std::string_view type = "payment_intent.succeeded") {
    std::string body = "{";
    if (!id.empty()) body += R"("id":")" + std::string(id) + R"(",)";
    body += R"("object":"event","type":")" + std::string(type) + R"(","data":{"object":{"id":"pi_1","amount":)" +
            std::to_string(amount) + R"(,"currency":"usd","status":"succeeded"}}})";
    return body;
}

// A Stripe delivery signed now (or at `timestamp`), as Stripe sends it.
owned_request stripe_post(std::string body, std::optional<std::int64_t> timestamp = std::nullopt) {
    auto headers = stripe_sender().sign(body, {.timestamp = timestamp});  // before the body is moved
    return signed_request(headers, std::move(body));
}

// A GitHub delivery: the signed headers, X-GitHub-Delivery = `delivery`, X-GitHub-Event = `event`.
owned_request github_post(std::string event, std::string body, std::string delivery) {
    auto headers = github_sender().sign(body, {.id = std::move(delivery)});  // before the body is moved
    auto r = signed_request(headers, std::move(body));
    r.add("X-GitHub-Event", std::move(event));
    return r;
}

std::string issue_body(std::int64_t number, std::string_view title = "It broke") {
    return R"({"action":"opened","issue":{"number":)" + std::to_string(number) + R"(,"title":")" + std::string(title) +
           R"("},"repository":{"full_name":"octo/repo"}})";
}

// --- Observation log ---------------------------------------------------------------------------------------------

// One observer call, copied (the observation's views live only during the call).
struct seen {
    std::string hook, provider, outcome, type, id, detail;
    unsigned status = 0;
    boost::system::error_code reason;
};

// Records every observer hook; thread-safe as the observer contract asks.
class observation_log {
public:
    observer make() {
        auto hook = [this](std::string name) {
            return [this, name](const observation& o) {
                std::lock_guard lock(mutex_);
                entries_.push_back({name, std::string(o.provider), std::string(o.outcome), std::string(o.type),
                                    std::string(o.id), std::string(o.detail), o.status, o.reason});
            };
        };
        return {hook("verified"), hook("rejected"), hook("duplicate"), hook("in_progress"),
                hook("handled"),  hook("failed"),   hook("completed")};
    }
    std::vector<seen> take() {
        std::lock_guard lock(mutex_);
        return std::exchange(entries_, {});
    }
    std::vector<std::string> hooks() {
        std::vector<std::string> out;
        for (const seen& s : take()) out.push_back(s.hook);
        return out;
    }

private:
    std::mutex mutex_;
    std::vector<seen> entries_;
};

using test::flaky_store;
using test::gate;

// A Stripe shop: payment_intent.succeeded marks payments; `effects` counts them.
struct shop {
    std::atomic<int> effects{0};
    std::atomic<int> unknown{0};
    std::mutex mutex;
    std::vector<std::string> paid;  // "pi_1 1000 usd"

    events::dispatcher<> events() {
        events::dispatcher<> d;
        d.on<payment_intent_succeeded>([this](const payment_intent_succeeded& pi, const events::delivery& del) {
            CHECK(del.type() == "payment_intent.succeeded");
            std::lock_guard lock(mutex);
            paid.push_back(pi.id + " " + std::to_string(pi.amount) + " " + pi.currency);
            ++effects;
        });
        d.on_unknown([this](const events::delivery&) { ++unknown; });
        return d;
    }
};

template <class Store = idempotency::memory_store>
using stripe_endpoint = endpoint<providers::stripe, Store>;

stripe_endpoint<> make_stripe(idempotency::memory_store& store, events::dispatcher<> d, endpoint_options o = {}) {
    return {providers::stripe{secret{stripe_secret}}, store, std::move(d), std::move(o)};
}

} // namespace

TEST_CASE("A verified, new event is handled once and answered 200", "[endpoint][stripe]") {
    idempotency::memory_store store;
    shop s;
    observation_log log;
    auto stripe = make_stripe(store, s.events());
    stripe.set_observer(log.make());

    auto request = stripe_post(stripe_event("evt_handled", 4200));
    response r = stripe.handle(request.view());
    CHECK(r.status == 200);
    CHECK(r.header("Content-Type") == "application/json");
    CHECK(r.body == R"({"status":"handled"})");
    CHECK(r.header("Idempotent-Replayed").empty());
    CHECK(s.effects == 1);
    CHECK(s.paid == std::vector<std::string>{"pi_1 4200 usd"});

    auto entries = log.take();
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].hook == "verified");
    CHECK(entries[0].provider == "stripe");
    CHECK(entries[0].status == 0);  // not answered yet
    CHECK(entries[1].hook == "handled");
    CHECK(entries[2].hook == "completed");
    for (const seen& e : {entries[1], entries[2]}) {
        CHECK(e.provider == "stripe");
        CHECK(e.outcome == "handled");
        CHECK(e.status == 200);
        CHECK(e.type == "payment_intent.succeeded");
        CHECK(e.id == "evt_handled");
        CHECK_FALSE(e.reason);
    }
    CHECK(store.stats().records == 1);
}

TEST_CASE("A duplicate of a completed event is acknowledged 200 with Idempotent-Replayed and not handled again",
          "[endpoint][stripe]") {
    idempotency::memory_store store;
    shop s;
    observation_log log;
    auto stripe = make_stripe(store, s.events());
    stripe.set_observer(log.make());

    auto first = stripe_post(stripe_event("evt_dup"));
    REQUIRE(stripe.handle(first.view()).status == 200);
    log.take();

    // Stripe retries with a new signature (a new timestamp) and the same body.
    auto again = stripe_post(stripe_event("evt_dup"), std::time(nullptr) - 60);
    REQUIRE(again.get("Stripe-Signature") != first.get("Stripe-Signature"));
    for (int i = 0; i < 3; ++i) {
        response r = stripe.handle(again.view());
        CHECK(r.status == 200);
        CHECK(r.header("Idempotent-Replayed") == "true");
        CHECK(r.body == R"({"status":"duplicate"})");
    }
    CHECK(s.effects == 1);
    auto hooks = log.hooks();
    CHECK(std::count(hooks.begin(), hooks.end(), "duplicate") == 3);
    CHECK(std::count(hooks.begin(), hooks.end(), "handled") == 0);
}

TEST_CASE("With replay_responses a duplicate gets the stored response again", "[endpoint][stripe]") {
    idempotency::memory_store store;
    shop s;
    auto stripe = make_stripe(store, s.events(), {.replay_responses = true});

    auto request = stripe_post(stripe_event("evt_replay"));
    response first = stripe.handle(request.view());
    REQUIRE(first.status == 200);
    response second = stripe.handle(request.view());
    CHECK(second.status == first.status);
    CHECK(second.body == first.body);
    CHECK(second.body == R"({"status":"handled"})");
    CHECK(second.header("Content-Type") == "application/json");
    CHECK(second.header("Idempotent-Replayed") == "true");
    CHECK(s.effects == 1);
}

TEST_CASE("A copy delivered while the first is still being handled gets 409 with a Retry-After of at least 1",
          "[endpoint][stripe][threads]") {
    idempotency::memory_store store;
    gate entered, release;
    std::atomic<int> effects{0};
    observation_log log;
    events::dispatcher<> d;
    d.on<payment_intent_succeeded>([&](const payment_intent_succeeded&) {
        entered.open();
        release.wait();  // bounded: the test opens it, and it gives up after 10 s anyway
        ++effects;
    });
    auto stripe = make_stripe(store, std::move(d), {.lease = 30s});
    stripe.set_observer(log.make());

    auto request = stripe_post(stripe_event("evt_slow"));
    std::optional<response> first;
    std::jthread worker([&] { first = stripe.handle(request.view()); });
    struct opener {
        gate& g;
        ~opener() { g.open(); }  // runs before the jthread joins, even when a REQUIRE throws
    } open_on_exit{release};

    REQUIRE(entered.wait());
    log.take();
    response copy = stripe.handle(request.view());
    CHECK(copy.status == 409);
    const std::string retry_after(copy.header("Retry-After"));
    REQUIRE_FALSE(retry_after.empty());
    CHECK(std::stoi(retry_after) >= 1);
    CHECK(std::stoi(retry_after) <= 30);
    CHECK(copy.header("Idempotent-Replayed").empty());
    auto entries = log.take();
    REQUIRE(entries.size() == 3);
    CHECK(entries[1].hook == "in_progress");
    CHECK(entries[1].outcome == "in_progress");
    CHECK(entries[1].status == 409);
    CHECK(entries[1].reason == error::delivery_in_progress);

    release.open();
    worker.join();
    REQUIRE(first);
    CHECK(first->status == 200);
    CHECK(effects == 1);

    response after = stripe.handle(request.view());
    CHECK(after.status == 200);
    CHECK(after.header("Idempotent-Replayed") == "true");
    CHECK(effects == 1);
}

TEST_CASE("The same event id with a different body is refused with 409", "[endpoint][stripe]") {
    idempotency::memory_store store;
    shop s;
    observation_log log;
    auto stripe = make_stripe(store, s.events());
    stripe.set_observer(log.make());

    auto original = stripe_post(stripe_event("evt_same", 1000));
    REQUIRE(stripe.handle(original.view()).status == 200);
    log.take();
    auto altered = stripe_post(stripe_event("evt_same", 999999));  // correctly signed, different body
    response r = stripe.handle(altered.view());
    CHECK(r.status == 409);
    CHECK(r.header("Idempotent-Replayed").empty());
    CHECK(r.header("Retry-After").empty());
    CHECK(s.effects == 1);
    auto entries = log.take();
    REQUIRE(entries.size() == 3);
    CHECK(entries[1].hook == "rejected");
    CHECK(entries[1].outcome == "payload_mismatch");
    CHECK(entries[1].reason == error::payload_mismatch);
    CHECK(entries[2].status == 409);
}

TEST_CASE("With check_payload off, no body is hashed and a different body under a seen id is a duplicate",
          "[endpoint][stripe]") {
    idempotency::memory_store store;
    shop s;
    auto stripe = make_stripe(store, s.events(), {.check_payload = false});

    REQUIRE(stripe.handle(stripe_post(stripe_event("evt_unchecked", 1000)).view()).status == 200);
    response r = stripe.handle(stripe_post(stripe_event("evt_unchecked", 999999)).view());
    CHECK(r.status == 200);
    CHECK(r.header("Idempotent-Replayed") == "true");
    CHECK(s.effects == 1);
    // The record carries no hash, so an endpoint that checks later does not call the first body a mismatch.
    auto checking = make_stripe(store, s.events());
    response later = checking.handle(stripe_post(stripe_event("evt_unchecked", 1000)).view());
    CHECK(later.status == 200);
    CHECK(later.header("Idempotent-Replayed") == "true");
    CHECK(s.effects == 1);
}

TEST_CASE("A wrong or stale signature is refused with 401 before the store is consulted", "[endpoint][stripe]") {
    idempotency::memory_store store;
    shop s;
    observation_log log;
    auto stripe = make_stripe(store, s.events());
    stripe.set_observer(log.make());

    providers::stripe forger{secret{"whsec_not_the_secret"}};
    auto body = stripe_event("evt_forged");
    auto forged = signed_request(forger.sign(body), body);
    response r = stripe.handle(forged.view());
    CHECK(r.status == 401);
    CHECK(r.header("Content-Type") == "text/plain; charset=utf-8");
    CHECK_THAT(r.body, Catch::Matchers::Contains("Stripe-Signature"));

    auto tampered = stripe_post(stripe_event("evt_tampered", 1));
    tampered.body(stripe_event("evt_tampered", 2));
    CHECK(stripe.handle(tampered.view()).status == 401);

    auto unsigned_request = stripe_post(stripe_event("evt_unsigned"));
    unsigned_request.remove("Stripe-Signature");
    CHECK(stripe.handle(unsigned_request.view()).status == 401);

    auto stale = stripe_post(stripe_event("evt_stale"), std::time(nullptr) - 3600);
    r = stripe.handle(stale.view());
    CHECK(r.status == 401);

    CHECK(s.effects == 0);
    CHECK(store.stats().records == 0);
    auto entries = log.take();
    std::vector<boost::system::error_code> reasons;
    for (const seen& e : entries)
        if (e.hook == "rejected") {
            CHECK(e.outcome == "rejected");
            CHECK(e.status == 401);
            reasons.push_back(e.reason);
        }
    CHECK(reasons == std::vector<boost::system::error_code>{
                         make_error_code(error::no_matching_signature), make_error_code(error::no_matching_signature),
                         make_error_code(error::missing_header), make_error_code(error::timestamp_too_old)});
    for (const seen& e : entries) CHECK(e.hook != "verified");
}

TEST_CASE("A verified body that is not JSON, or has no event id, is refused with 400", "[endpoint][stripe]") {
    idempotency::memory_store store;
    shop s;
    observation_log log;
    auto stripe = make_stripe(store, s.events());
    stripe.set_observer(log.make());

    auto not_json = stripe_post("this is not json");
    response r = stripe.handle(not_json.view());
    CHECK(r.status == 400);
    auto truncated = stripe_post(stripe_event("evt_cut").substr(0, 30));
    CHECK(stripe.handle(truncated.view()).status == 400);

    auto no_id = stripe_post(stripe_event(""));
    r = stripe.handle(no_id.view());
    CHECK(r.status == 400);
    CHECK_THAT(r.body, Catch::Matchers::Contains("missing event id"));

    CHECK(s.effects == 0);
    CHECK(store.stats().records == 0);
    std::vector<boost::system::error_code> reasons;
    for (const seen& e : log.take())
        if (e.hook == "rejected") reasons.push_back(e.reason);
    CHECK(reasons == std::vector<boost::system::error_code>{make_error_code(error::malformed_payload),
                                                             make_error_code(error::malformed_payload),
                                                             make_error_code(error::missing_event_id)});
}

TEST_CASE("Requests of the wrong size, method or media type get 413, 405 with Allow, and 415", "[endpoint][stripe]") {
    idempotency::memory_store store;
    shop s;
    observation_log log;
    endpoint_options options;
    options.limits.max_body = 256;
    auto stripe = make_stripe(store, s.events(), std::move(options));
    stripe.set_observer(log.make());
    CHECK(stripe.limits().max_body == 256);
    CHECK(stripe.limits().media_types == std::vector<std::string>{"application/json"});  // the preset's

    std::string big = stripe_event("evt_big");
    big.insert(big.size() - 1, R"(,"padding":")" + std::string(300, 'x') + "\"");
    response r = stripe.handle(stripe_post(big).view());
    CHECK(r.status == 413);

    auto get = stripe_post(stripe_event("evt_get"));
    get.method("GET");
    r = stripe.handle(get.view());
    CHECK(r.status == 405);
    CHECK(r.header("Allow") == "POST");

    auto text = signed_request(stripe_sender().sign(stripe_event("evt_text")), stripe_event("evt_text"), "text/plain");
    r = stripe.handle(text.view());
    CHECK(r.status == 415);
    CHECK(r.header("Allow").empty());
    auto none = signed_request(stripe_sender().sign(stripe_event("evt_none")), stripe_event("evt_none"), "");
    CHECK(stripe.handle(none.view()).status == 415);
    auto charset = signed_request(stripe_sender().sign(stripe_event("evt_cs")), stripe_event("evt_cs"),
                                  "Application/JSON; charset=utf-8");
    CHECK(stripe.handle(charset.view()).status == 200);

    CHECK(s.effects == 1);
    std::vector<unsigned> statuses;
    for (const seen& e : log.take())
        if (e.hook == "completed") statuses.push_back(e.status);
    CHECK(statuses == std::vector<unsigned>{413, 405, 415, 415, 200});

    // Several allowed methods are listed.
    idempotency::memory_store other_store;
    endpoint_options two;
    two.limits.methods = {"POST", "PUT"};
    auto both = make_stripe(other_store, s.events(), std::move(two));
    auto del = stripe_post(stripe_event("evt_del"));
    del.method("DELETE");
    r = both.handle(del.view());
    CHECK(r.status == 405);
    CHECK(r.header("Allow") == "POST, PUT");
}

TEST_CASE("A handler that throws gets 500 and releases the claim: the retry is handled, exactly once",
          "[endpoint][stripe]") {
    idempotency::memory_store store;
    std::atomic<int> attempts{0}, effects{0};
    observation_log log;
    events::dispatcher<> d;
    d.on<payment_intent_succeeded>([&](const payment_intent_succeeded&) {
        if (++attempts == 1) throw std::runtime_error("inventory service timed out");
        ++effects;
    });
    auto stripe = make_stripe(store, std::move(d));
    stripe.set_observer(log.make());

    auto request = stripe_post(stripe_event("evt_flaky"));
    response r = stripe.handle(request.view());
    CHECK(r.status == 500);
    CHECK(r.header("Idempotent-Replayed").empty());
    CHECK(effects == 0);
    auto entries = log.take();
    REQUIRE(entries.size() == 3);
    CHECK(entries[1].hook == "failed");
    CHECK(entries[1].outcome == "retry");
    CHECK(entries[1].detail == "inventory service timed out");
    CHECK(entries[2].status == 500);

    // The claim was released, not left to expire: the retry is handled at once.
    r = stripe.handle(request.view());
    CHECK(r.status == 200);
    CHECK(r.body == R"({"status":"handled"})");
    CHECK(effects == 1);
    r = stripe.handle(request.view());
    CHECK(r.status == 200);
    CHECK(r.header("Idempotent-Replayed") == "true");
    CHECK(attempts == 2);
    CHECK(effects == 1);
}

TEST_CASE("A handler returning retry_later gets 500 too, and a decode failure is retried", "[endpoint][stripe]") {
    idempotency::memory_store store;
    int calls = 0;
    events::dispatcher<> d;
    d.on<payment_intent_succeeded>([&](const payment_intent_succeeded&) {
        ++calls;
        return calls == 1 ? outcome::retry_later : outcome::done;
    });
    auto stripe = make_stripe(store, std::move(d));
    auto request = stripe_post(stripe_event("evt_later"));
    CHECK(stripe.handle(request.view()).status == 500);
    CHECK(stripe.handle(request.view()).status == 200);
    CHECK(calls == 2);

    // "amount" is a string: the payload does not fit the type.
    std::string body = stripe_event("evt_shape");
    body.replace(body.find("1000"), 4, "\"1000\"");
    observation_log log;
    stripe.set_observer(log.make());
    CHECK(stripe.handle(stripe_post(body).view()).status == 500);
    CHECK(calls == 2);
    auto entries = log.take();
    REQUIRE_FALSE(entries.empty());
    CHECK(entries.back().outcome == "retry");
    CHECK_THAT(entries.back().detail, Catch::Matchers::Contains("/data/object/amount"));
}

TEST_CASE("A permanent failure is recorded, dead-lettered and answered 200, and its duplicates are acknowledged",
          "[endpoint][stripe]") {
    idempotency::memory_store store;
    int calls = 0;
    std::vector<std::string> dead;
    events::dispatcher<> d;
    d.on<payment_intent_succeeded>([&](const payment_intent_succeeded&) {
        ++calls;
        return outcome::permanent;
    });
    observation_log log;
    endpoint_options o;
    o.dead_letter = [&](const events::delivery& del, std::string_view why) {
        dead.push_back(std::string(del.id()) + " " + std::string(del.type()) + " [" + std::string(why) + "]");
        CHECK(del.body() == stripe_event("evt_poison"));
    };
    auto stripe = make_stripe(store, std::move(d), std::move(o));
    stripe.set_observer(log.make());

    auto request = stripe_post(stripe_event("evt_poison"));
    response r = stripe.handle(request.view());
    CHECK(r.status == 200);
    CHECK(r.body == R"({"status":"failed"})");
    CHECK(dead == std::vector<std::string>{"evt_poison payment_intent.succeeded []"});
    auto entries = log.take();
    REQUIRE(entries.size() == 3);
    CHECK(entries[1].hook == "failed");
    CHECK(entries[1].outcome == "dead_letter");
    CHECK(entries[1].status == 200);

    for (int i = 0; i < 2; ++i) {
        r = stripe.handle(request.view());
        CHECK(r.status == 200);
        CHECK(r.header("Idempotent-Replayed") == "true");
    }
    CHECK(calls == 1);
    CHECK(dead.size() == 1);
}

TEST_CASE("A decode failure made permanent is dead-lettered with its reason", "[endpoint][stripe]") {
    idempotency::memory_store store;
    std::vector<std::string> dead;
    events::dispatcher<> d;
    d.on<payment_intent_succeeded>([](const payment_intent_succeeded&) {});
    d.decode_failures(outcome::permanent);
    endpoint_options o;
    o.dead_letter = [&](const events::delivery&, std::string_view why) { dead.emplace_back(why); };
    auto stripe = make_stripe(store, std::move(d), std::move(o));

    std::string body = stripe_event("evt_bad_shape");
    body.replace(body.find(R"("currency":"usd")"), 16, R"("currency":7)");
    auto request = stripe_post(body);
    CHECK(stripe.handle(request.view()).status == 200);
    REQUIRE(dead.size() == 1);
    CHECK_THAT(dead[0], Catch::Matchers::Contains("/data/object/currency"));
    CHECK(stripe.handle(request.view()).header("Idempotent-Replayed") == "true");
}

TEST_CASE("A store that is unavailable gets 503 with Retry-After, or the event handled when failing open",
          "[endpoint][stripe]") {
    flaky_store store;
    shop s;
    observation_log log;
    stripe_endpoint<flaky_store> closed{providers::stripe{secret{stripe_secret}}, store, s.events()};
    closed.set_observer(log.make());
    store.down = true;

    auto request = stripe_post(stripe_event("evt_outage"));
    response r = closed.handle(request.view());
    CHECK(r.status == 503);
    CHECK(r.header("Retry-After") == "10");
    CHECK(s.effects == 0);
    auto entries = log.take();
    REQUIRE(entries.size() == 3);
    CHECK(entries[1].hook == "failed");
    CHECK(entries[1].outcome == "store_unavailable");
    CHECK(entries[1].status == 503);
    CHECK(entries[1].reason == error::store_unavailable);

    stripe_endpoint<flaky_store> custom{providers::stripe{secret{stripe_secret}}, store, s.events(),
                                        {.store_retry_after = 42s}};
    CHECK(custom.handle(request.view()).header("Retry-After") == "42");

    stripe_endpoint<flaky_store> open{providers::stripe{secret{stripe_secret}}, store, s.events(), {.fail_open = true}};
    open.set_observer(log.make());
    r = open.handle(request.view());
    CHECK(r.status == 200);
    CHECK(r.body == R"({"status":"handled"})");
    CHECK(s.effects == 1);
    entries = log.take();
    REQUIRE(entries.size() == 3);
    CHECK(entries[1].hook == "handled");
    CHECK(entries[1].reason == error::store_unavailable);  // says dedup was skipped

    // Back up: the closed endpoint handles the event (it was never recorded).
    store.down = false;
    CHECK(closed.handle(request.view()).status == 200);
    CHECK(s.effects == 2);
}

TEST_CASE("A commit the store cannot record is retried a bounded number of times and still answered 200",
          "[endpoint][stripe]") {
    flaky_store store;
    shop s;
    stripe_endpoint<flaky_store> stripe{providers::stripe{secret{stripe_secret}}, store, s.events(),
                                        {.commit_attempts = 2}};
    store.complete_down = true;
    auto request = stripe_post(stripe_event("evt_commit"));
    response r = stripe.handle(request.view());
    CHECK(r.status == 200);  // the effect happened: do not make the sender repeat it
    CHECK(s.effects == 1);
    CHECK(store.completes == 2);
    // The claim was not released: with the store back, a copy finds the event in progress (its lease holds), and
    // the effect does not happen again.
    store.complete_down = false;
    response copy = stripe.handle(request.view());
    CHECK(copy.status == 409);
    CHECK_FALSE(copy.header("Retry-After").empty());
    CHECK(s.effects == 1);
}

TEST_CASE("An event type nobody registered is acknowledged 200 and seen by on_unknown", "[endpoint][stripe]") {
    idempotency::memory_store store;
    shop s;
    observation_log log;
    auto stripe = make_stripe(store, s.events());
    stripe.set_observer(log.make());

    auto request = stripe_post(stripe_event("evt_customer", 0, "customer.created"));
    response r = stripe.handle(request.view());
    CHECK(r.status == 200);
    CHECK(r.body == R"({"status":"ignored"})");
    CHECK(s.unknown == 1);
    CHECK(s.effects == 0);
    auto entries = log.take();
    REQUIRE(entries.size() == 3);
    CHECK(entries[1].hook == "handled");
    CHECK(entries[1].outcome == "unknown");
    CHECK(entries[1].type == "customer.created");
    // Recorded like any event: the copy is a duplicate.
    CHECK(stripe.handle(request.view()).header("Idempotent-Replayed") == "true");
    CHECK(s.unknown == 1);
}

TEST_CASE("GitHub deliveries route issues.opened by header and action, dedup on X-GitHub-Delivery",
          "[endpoint][github]") {
    idempotency::memory_store store;
    std::vector<std::string> opened;
    std::vector<std::string> unknown;
    events::dispatcher<> d;
    d.on<issue_opened>([&](const issue_opened& i, const events::delivery& del) {
        opened.push_back("#" + std::to_string(i.number) + " " + i.title + " " + std::string(del.id()));
    });
    d.on_unknown([&](const events::delivery& del) { unknown.emplace_back(del.type()); });
    endpoint github{providers::github{secret{github_secret}}, store, std::move(d)};
    static_assert(std::is_same_v<decltype(github), endpoint<providers::github, idempotency::memory_store>>);

    auto issue = github_post("issues", issue_body(7), "11111111-2222-3333-4444-555555555555");
    response r = github.handle(issue.view());
    CHECK(r.status == 200);
    CHECK(opened == std::vector<std::string>{"#7 It broke 11111111-2222-3333-4444-555555555555"});

    // Redelivered by hand: same X-GitHub-Delivery, same body.
    auto redelivery = github_post("issues", issue_body(7), "11111111-2222-3333-4444-555555555555");
    r = github.handle(redelivery.view());
    CHECK(r.status == 200);
    CHECK(r.header("Idempotent-Replayed") == "true");
    CHECK(opened.size() == 1);

    // Same delivery id, another body: 409.
    auto changed = github_post("issues", issue_body(8), "11111111-2222-3333-4444-555555555555");
    CHECK(github.handle(changed.view()).status == 409);

    // ping is unknown: acknowledged.
    auto ping = github_post("ping", R"({"zen":"Design for failure.","hook_id":1})", "ping-1");
    CHECK(github.handle(ping.view()).status == 200);
    CHECK(unknown == std::vector<std::string>{"ping"});

    // No X-GitHub-Delivery: no idempotency key, refused.
    auto anonymous = github_post("issues", issue_body(9), "x");
    anonymous.remove("X-GitHub-Delivery");
    r = github.handle(anonymous.view());
    CHECK(r.status == 400);
    CHECK_THAT(r.body, Catch::Matchers::Contains("X-GitHub-Delivery"));

    // Form-encoded deliveries verify (the media type is allowed) but are not JSON.
    std::string form = "payload=%7B%7D";
    auto encoded = signed_request(github_sender().sign(form, {.id = "form-1"}), form,
                                  "application/x-www-form-urlencoded");
    encoded.add("X-GitHub-Event", "push");
    CHECK(github.handle(encoded.view()).status == 400);
    CHECK(opened.size() == 1);
}

TEST_CASE("Slack's url_verification is answered with its challenge and never deduplicated", "[endpoint][slack]") {
    idempotency::memory_store store;
    int handled = 0;
    events::dispatcher<> d;
    d.on_any([&](const events::delivery&) { ++handled; });
    observation_log log;
    endpoint slack{providers::slack{secret{slack_secret}}, store, std::move(d)};
    slack.set_observer(log.make());
    providers::slack sender{secret{slack_secret}};

    const std::string body =
        R"({"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aB\"x","type":"url_verification"})";
    for (int i = 0; i < 2; ++i) {
        auto request = signed_request(sender.sign(body), body);
        response r = slack.handle(request.view());
        CHECK(r.status == 200);
        CHECK(r.header("Content-Type") == "application/json");
        CHECK(r.body == R"({"challenge":"3eZbrw1aB\"x"})");
        CHECK(r.header("Idempotent-Replayed").empty());
    }
    CHECK(handled == 0);
    CHECK(store.stats().records == 0);
    auto entries = log.take();
    REQUIRE(entries.size() == 4);  // verified, completed; twice
    CHECK(entries[0].hook == "verified");
    CHECK(entries[1].hook == "completed");
    CHECK(entries[1].outcome == "handshake");
    CHECK(entries[1].type == "url_verification");

    // The handshake is signed like everything else.
    providers::slack forger{secret{"not-the-slack-secret"}};
    CHECK(slack.handle(signed_request(forger.sign(body), body).view()).status == 401);

    // Without a challenge it is malformed.
    const std::string empty = R"({"type":"url_verification"})";
    CHECK(slack.handle(signed_request(sender.sign(empty), empty).view()).status == 400);

    // An event callback goes through deduplication on /event_id.
    const std::string event = R"({"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention"}})";
    CHECK(slack.handle(signed_request(sender.sign(event), event).view()).status == 200);
    CHECK(slack.handle(signed_request(sender.sign(event), event).view()).header("Idempotent-Replayed") == "true");
    CHECK(handled == 1);
}

TEST_CASE("Observer hooks see each outcome with its status, at most once each, and never the secret",
          "[endpoint][observer]") {
    flaky_store store;
    observation_log log;
    events::dispatcher<> d;
    // A handler whose exception quotes the body (a careless message) still does not reveal the secret.
    d.on<payment_intent_succeeded>([&](const payment_intent_succeeded& pi) {
        if (pi.amount == 13) throw std::runtime_error("unlucky amount");
        if (pi.amount == 66) return outcome::permanent;
        return outcome::done;
    });
    stripe_endpoint<flaky_store> stripe{providers::stripe{secret{stripe_secret}}, store, std::move(d),
                                        {.dead_letter = [](const events::delivery&, std::string_view) {}}};
    stripe.set_observer(log.make());
    providers::stripe forger{secret{"whsec_forger"}};

    struct row {
        std::string name;
        owned_request request;
        std::string outcome;
        unsigned status;
        std::string hook;  // the one hook before completed
        bool verified;     // whether the signature checked out (the verified hook ran first)
    };
    auto forged_body = stripe_event("evt_o_forged");
    auto get = stripe_post(stripe_event("evt_o_get"));
    get.method("GET");
    std::vector<row> rows;
    rows.push_back({"handled", stripe_post(stripe_event("evt_o_ok")), "handled", 200, "handled", true});
    rows.push_back({"duplicate", stripe_post(stripe_event("evt_o_ok")), "duplicate", 200, "duplicate", true});
    rows.push_back({"mismatch", stripe_post(stripe_event("evt_o_ok", 1)), "payload_mismatch", 409, "rejected", true});
    auto forged = signed_request(forger.sign(forged_body), forged_body);
    rows.push_back({"forged", forged, "rejected", 401, "rejected", false});
    rows.push_back({"method", get, "rejected", 405, "rejected", false});
    rows.push_back({"not json", stripe_post("{not json"), "rejected", 400, "rejected", true});
    rows.push_back({"no id", stripe_post(stripe_event("")), "rejected", 400, "rejected", true});
    rows.push_back({"throws", stripe_post(stripe_event("evt_o_13", 13)), "retry", 500, "failed", true});
    rows.push_back({"poison", stripe_post(stripe_event("evt_o_66", 66)), "dead_letter", 200, "failed", true});
    rows.push_back(
        {"unknown", stripe_post(stripe_event("evt_o_u", 0, "charge.refunded")), "unknown", 200, "handled", true});

    for (const row& r : rows) {
        INFO(r.name);
        response out = stripe.handle(r.request.view());
        CHECK(out.status == r.status);
        auto entries = log.take();
        REQUIRE(entries.size() >= 2);
        CHECK((entries.front().hook == "verified") == r.verified);
        REQUIRE(entries.size() == (r.verified ? 3u : 2u));
        const seen& middle = entries[entries.size() - 2];
        const seen& last = entries.back();
        CHECK(middle.hook == r.hook);
        CHECK(last.hook == "completed");
        for (const seen& e : {middle, last}) {
            CHECK(e.outcome == r.outcome);
            CHECK(e.status == r.status);
            CHECK(e.provider == "stripe");
        }
        for (const seen& e : entries)
            for (const std::string& text : {e.provider, e.outcome, e.type, e.id, e.detail, e.reason.message()})
                CHECK_THAT(text, !Catch::Matchers::Contains(std::string(stripe_secret)) &&
                                     !Catch::Matchers::Contains("whsec_forger"));
        CHECK_THAT(out.body, !Catch::Matchers::Contains(std::string(stripe_secret)));
        for (const auto& [name, value] : out.headers)
            CHECK_THAT(value, !Catch::Matchers::Contains(std::string(stripe_secret)));
    }

    // Store down: failed, 503.
    store.down = true;
    stripe.handle(stripe_post(stripe_event("evt_o_down")).view());
    auto entries = log.take();
    REQUIRE(entries.size() == 3);
    CHECK(entries[1].hook == "failed");
    CHECK(entries[1].outcome == "store_unavailable");
    CHECK(entries[2].status == 503);
}

TEST_CASE("One endpoint serves many threads: each event's effect happens exactly once", "[endpoint][threads]") {
    constexpr int threads = 8;
    constexpr int events_count = 20;
    idempotency::memory_store store;
    std::mutex mutex;
    std::vector<int> effects(events_count, 0);
    events::dispatcher<> d;
    d.on<payment_intent_succeeded>([&](const payment_intent_succeeded& pi) {
        std::lock_guard lock(mutex);
        ++effects[static_cast<std::size_t>(pi.amount)];
    });
    auto stripe = make_stripe(store, std::move(d));

    std::vector<owned_request> requests;
    for (int i = 0; i < events_count; ++i)
        requests.push_back(stripe_post(stripe_event("evt_t" + std::to_string(i), i)));
    std::vector<std::thread> workers;
    // owned_request::view() is not thread-safe, so take the views first; a basic_request is a plain value.
    std::vector<basic_request> views;
    for (const owned_request& r : requests) views.push_back(r.view());
    std::atomic<int> bad{0}, handled{0};
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (int round = 0; round < 3; ++round)
                for (int i = 0; i < events_count; ++i) {
                    response r = stripe.handle(views[static_cast<std::size_t>((i + t) % events_count)]);
                    // 200 (handled or duplicate), or 409 while another thread handles the same event.
                    if (r.status != 200 && r.status != 409) ++bad;
                    if (r.status == 200 && r.header("Idempotent-Replayed").empty()) ++handled;
                }
        });
    for (auto& w : workers) w.join();
    CHECK(bad == 0);
    CHECK(handled == events_count);
    for (int n : effects) CHECK(n == 1);
}
