// SPDX-License-Identifier: BSL-1.0
// The endpoint's outcome table over real HTTP: a Beast server on 127.0.0.1 answers with `webhooks::beast::handle`,
// a Beast client sends signed deliveries, and every row of the table is checked on the wire. The only translation
// unit of this executable (Beast is slow to compile).
#include <webhooks/beast.hpp>

#include <webhooks/endpoint.hpp>
#include <webhooks/idempotency/memory_store.hpp>
#include <webhooks/providers/github.hpp>
#include <webhooks/providers/stripe.hpp>

#include "loopback.hpp"
#include "../support/test_doubles.hpp"

#include <boost/describe/class.hpp>

#include <catch2/catch.hpp>

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
using webhooks::test::http_request;
using webhooks::test::http_response;
using webhooks::test::loopback_client;
using webhooks::test::loopback_server;
using webhooks::test::make_request;
namespace http = boost::beast::http;

namespace {

struct payment_intent_succeeded {
    static constexpr std::string_view event_name = "payment_intent.succeeded";
    static constexpr std::string_view payload_pointer = "/data/object";
    std::string id;
    std::int64_t amount = 0;
    std::string currency;
};
BOOST_DESCRIBE_STRUCT(payment_intent_succeeded, (), (id, amount, currency))

struct issue_opened {
    static constexpr std::string_view event_name = "issues.opened";
    static constexpr std::string_view payload_pointer = "/issue";
    std::int64_t number = 0;
    std::string title;
};
BOOST_DESCRIBE_STRUCT(issue_opened, (), (number, title))

constexpr std::string_view stripe_secret = "whsec_endpoint_over_http";
constexpr std::string_view github_secret = "github-endpoint-over-http";

std::string stripe_event(std::string_view id, std::int64_t amount = 1000,
                         std::string_view type = "payment_intent.succeeded") {
    std::string body = "{";
    if (!id.empty()) body += R"("id":")" + std::string(id) + R"(",)";
    body += R"("object":"event","type":")" + std::string(type) + R"(","data":{"object":{"id":"pi_1","amount":)" +
            std::to_string(amount) + R"(,"currency":"eur"}}})";
    return body;
}

// A Stripe delivery signed by `sender` now (or at `timestamp`).
http_request stripe_request(const providers::stripe& sender, std::string body,
                            std::optional<std::int64_t> timestamp = std::nullopt) {
    auto headers = sender.sign(body, {.timestamp = timestamp});
    return make_request(headers, std::move(body));
}

using webhooks::test::gate;
using switchable_store = webhooks::test::flaky_store;

// The fixture: a Stripe endpoint with a switchable store, its handlers, and a server in front of it. The handler
// fails on demand (by amount) and can be held at a gate; `effects` counts the payments it recorded.
struct stripe_over_http {
    static constexpr std::size_t max_body = 8 * 1024;

    switchable_store store;
    providers::stripe sender{secret{stripe_secret}};
    std::atomic<int> effects{0};
    std::atomic<int> throws_left{0};
    std::atomic<int> unknown{0};
    gate entered, release;
    std::atomic<bool> hold{false};
    endpoint<providers::stripe, switchable_store> stripe;
    loopback_server server;  // last: started after, and stopped before, everything it uses

    stripe_over_http()
        : stripe(providers::stripe{secret{stripe_secret}}, store, make_events(), options()), server(stripe) {}

    ~stripe_over_http() { release.open(); }  // never leave a handler waiting

    unsigned short port() const { return server.port(); }

private:
    static endpoint_options options() {
        endpoint_options o;
        o.limits.max_body = max_body;
        o.lease = 30s;
        return o;
    }
    events::dispatcher<> make_events() {
        events::dispatcher<> d;
        d.on<payment_intent_succeeded>([this](const payment_intent_succeeded& pi) {
            if (hold) {
                entered.open();
                release.wait();
            }
            if (throws_left > 0 && throws_left-- > 0) throw std::runtime_error("ledger unavailable");
            if (pi.amount == 66) return outcome::permanent;
            ++effects;
            return outcome::done;
        });
        d.on_unknown([this](const events::delivery&) { ++unknown; });
        return d;
    }
};

std::string header(const http_response& res, std::string_view name) {
    auto it = res.find(boost::beast::string_view(name.data(), name.size()));
    return it == res.end() ? std::string() : std::string(it->value());
}

} // namespace

TEST_CASE("Over HTTP, a new event is handled and answered 200, and its copy 200 with Idempotent-Replayed",
          "[endpoint][http]") {
    stripe_over_http f;
    auto res = test::send(f.port(), stripe_request(f.sender, stripe_event("evt_http_1")));
    CHECK(res.result_int() == 200);
    CHECK(header(res, "Content-Type") == "application/json");
    CHECK(res.body() == R"({"status":"handled"})");
    CHECK(header(res, "Idempotent-Replayed").empty());
    CHECK(f.effects == 1);

    // Stripe's retry: a new connection, a new signature, the same event.
    res = test::send(f.port(), stripe_request(f.sender, stripe_event("evt_http_1"), std::time(nullptr) - 30));
    CHECK(res.result_int() == 200);
    CHECK(header(res, "Idempotent-Replayed") == "true");
    CHECK(f.effects == 1);
}

TEST_CASE("Over HTTP, one keep-alive connection carries several deliveries", "[endpoint][http]") {
    stripe_over_http f;
    loopback_client client{f.port()};
    for (int i = 0; i < 5; ++i) {
        auto res = client.exchange(stripe_request(f.sender, stripe_event("evt_keep_" + std::to_string(i))));
        CHECK(res.result_int() == 200);
        CHECK(res.keep_alive());
    }
    auto again = client.exchange(stripe_request(f.sender, stripe_event("evt_keep_0")));
    CHECK(header(again, "Idempotent-Replayed") == "true");
    CHECK(f.effects == 5);
    CHECK(f.server.connections() == 1);
}

TEST_CASE("Over HTTP, a copy sent while the first is being handled gets 409 with Retry-After", "[endpoint][http]") {
    stripe_over_http f;
    f.hold = true;
    auto request = stripe_request(f.sender, stripe_event("evt_http_slow"));
    std::optional<http_response> first;
    std::string first_error;
    std::jthread worker([&] {
        try {
            first = test::send(f.port(), request);
        } catch (const std::exception& e) {
            first_error = e.what();
        }
    });
    struct opener {
        gate& g;
        ~opener() { g.open(); }  // before the worker joins, even when a REQUIRE throws
    } open_on_exit{f.release};

    REQUIRE(f.entered.wait());
    auto copy = test::send(f.port(), request);
    CHECK(copy.result_int() == 409);
    const std::string retry_after = header(copy, "Retry-After");
    REQUIRE_FALSE(retry_after.empty());
    CHECK(std::stoi(retry_after) >= 1);
    CHECK(std::stoi(retry_after) <= 30);

    f.release.open();
    worker.join();
    CHECK(first_error.empty());
    REQUIRE(first);
    CHECK(first->result_int() == 200);
    CHECK(f.effects == 1);
    CHECK(header(test::send(f.port(), request), "Idempotent-Replayed") == "true");
    CHECK(f.effects == 1);
}

TEST_CASE("Over HTTP, the same event id with another body gets 409", "[endpoint][http]") {
    stripe_over_http f;
    REQUIRE(test::send(f.port(), stripe_request(f.sender, stripe_event("evt_http_m", 100))).result_int() == 200);
    auto res = test::send(f.port(), stripe_request(f.sender, stripe_event("evt_http_m", 101)));
    CHECK(res.result_int() == 409);
    CHECK(header(res, "Retry-After").empty());
    CHECK(f.effects == 1);
}

TEST_CASE("Over HTTP, a forged or stale signature gets 401", "[endpoint][http]") {
    stripe_over_http f;
    providers::stripe forger{secret{"whsec_forger"}};
    auto res = test::send(f.port(), stripe_request(forger, stripe_event("evt_http_forged")));
    CHECK(res.result_int() == 401);
    CHECK_THAT(res.body(), Catch::Matchers::Contains("Stripe-Signature"));
    CHECK_THAT(res.body(), !Catch::Matchers::Contains(std::string(stripe_secret)));

    res = test::send(f.port(), stripe_request(f.sender, stripe_event("evt_http_stale"), std::time(nullptr) - 3600));
    CHECK(res.result_int() == 401);

    auto unsigned_request = stripe_request(f.sender, stripe_event("evt_http_unsigned"));
    unsigned_request.erase("Stripe-Signature");
    CHECK(test::send(f.port(), unsigned_request).result_int() == 401);
    CHECK(f.effects == 0);
}

TEST_CASE("Over HTTP, a body that is not JSON or has no event id gets 400", "[endpoint][http]") {
    stripe_over_http f;
    CHECK(test::send(f.port(), stripe_request(f.sender, "not json at all")).result_int() == 400);
    auto res = test::send(f.port(), stripe_request(f.sender, stripe_event("")));
    CHECK(res.result_int() == 400);
    CHECK_THAT(res.body(), Catch::Matchers::Contains("missing event id"));
    CHECK(f.effects == 0);
}

TEST_CASE("Over HTTP, a body above the limit gets 413 from Beast's parser, with or without Content-Length",
          "[endpoint][http]") {
    stripe_over_http f;
    std::string big = stripe_event("evt_http_big");
    big.insert(big.size() - 1, R"(,"padding":")" + std::string(stripe_over_http::max_body, 'x') + "\"");
    auto res = test::send(f.port(), stripe_request(f.sender, big));
    CHECK(res.result_int() == 413);
    CHECK_FALSE(res.keep_alive());

    auto chunked = stripe_request(f.sender, big);
    chunked.chunked(true);
    res = test::send(f.port(), chunked);
    CHECK(res.result_int() == 413);

    // Exactly at the limit is accepted by Beast (and by the endpoint).
    std::string exact = stripe_event("evt_http_exact");
    const std::size_t wrapping = std::string_view(R"(,"padding":"")").size();
    exact.insert(exact.size() - 1,
                 R"(,"padding":")" + std::string(stripe_over_http::max_body - exact.size() - wrapping, 'x') + "\"");
    REQUIRE(exact.size() == stripe_over_http::max_body);
    CHECK(test::send(f.port(), stripe_request(f.sender, exact)).result_int() == 200);
    CHECK(f.effects == 1);
}

TEST_CASE("Over HTTP, a wrong method gets 405 with Allow, and a wrong media type 415", "[endpoint][http]") {
    stripe_over_http f;
    auto get = stripe_request(f.sender, stripe_event("evt_http_get"));
    get.method(http::verb::get);
    auto res = test::send(f.port(), get);
    CHECK(res.result_int() == 405);
    CHECK(header(res, "Allow") == "POST");

    auto text = stripe_request(f.sender, stripe_event("evt_http_text"));
    text.set(http::field::content_type, "text/plain");
    CHECK(test::send(f.port(), text).result_int() == 415);
    CHECK(f.effects == 0);
}

TEST_CASE("Over HTTP, a handler that throws gets 500, and the retry is handled exactly once", "[endpoint][http]") {
    stripe_over_http f;
    f.throws_left = 1;
    auto request = stripe_request(f.sender, stripe_event("evt_http_retry"));
    auto res = test::send(f.port(), request);
    CHECK(res.result_int() == 500);
    CHECK(f.effects == 0);
    res = test::send(f.port(), request);
    CHECK(res.result_int() == 200);
    CHECK(header(res, "Idempotent-Replayed").empty());
    CHECK(f.effects == 1);
    res = test::send(f.port(), request);
    CHECK(res.result_int() == 200);
    CHECK(header(res, "Idempotent-Replayed") == "true");
    CHECK(f.effects == 1);
}

TEST_CASE("Over HTTP, a poison event is acknowledged 200 and not retried", "[endpoint][http]") {
    stripe_over_http f;
    auto request = stripe_request(f.sender, stripe_event("evt_http_poison", 66));
    auto res = test::send(f.port(), request);
    CHECK(res.result_int() == 200);
    CHECK(res.body() == R"({"status":"failed"})");
    CHECK(header(test::send(f.port(), request), "Idempotent-Replayed") == "true");
    CHECK(f.effects == 0);
}

TEST_CASE("Over HTTP, an unavailable store gets 503 with Retry-After", "[endpoint][http]") {
    stripe_over_http f;
    f.store.down = true;
    auto request = stripe_request(f.sender, stripe_event("evt_http_down"));
    auto res = test::send(f.port(), request);
    CHECK(res.result_int() == 503);
    CHECK(header(res, "Retry-After") == "10");
    CHECK(f.effects == 0);
    f.store.down = false;
    CHECK(test::send(f.port(), request).result_int() == 200);
    CHECK(f.effects == 1);
}

TEST_CASE("Over HTTP, an event type nobody handles is acknowledged 200", "[endpoint][http]") {
    stripe_over_http f;
    auto res = test::send(f.port(), stripe_request(f.sender, stripe_event("evt_http_u", 0, "invoice.paid")));
    CHECK(res.result_int() == 200);
    CHECK(res.body() == R"({"status":"ignored"})");
    CHECK(f.unknown == 1);
    CHECK(f.effects == 0);
}

TEST_CASE("Over HTTP, GitHub deliveries route by X-GitHub-Event and action and dedup on X-GitHub-Delivery",
          "[endpoint][http][github]") {
    idempotency::memory_store store;
    std::vector<std::string> opened;  // written by the server's thread, read after each answer arrived
    std::mutex mutex;
    std::atomic<int> pings{0};
    events::dispatcher<> d;
    d.on<issue_opened>([&](const issue_opened& i) {
        std::lock_guard lock(mutex);
        opened.push_back("#" + std::to_string(i.number) + " " + i.title);
    });
    d.on_unknown([&](const events::delivery& del) {
        if (del.type() == "ping") ++pings;
    });
    endpoint github{providers::github{secret{github_secret}}, store, std::move(d)};
    loopback_server server{github};
    providers::github sender{secret{github_secret}};

    auto deliver = [&](std::string event, std::string body, std::string id) {
        auto headers = sender.sign(body, {.id = std::move(id)});
        auto req = make_request(headers, std::move(body));
        req.set("X-GitHub-Event", event);
        return test::send(server.port(), std::move(req));
    };
    const std::string issue = R"({"action":"opened","issue":{"number":3,"title":"Crash on start"},"sender":{}})";
    CHECK(deliver("issues", issue, "guid-1").result_int() == 200);
    CHECK(header(deliver("issues", issue, "guid-1"), "Idempotent-Replayed") == "true");
    CHECK(deliver("issues", issue, "guid-2").result_int() == 200);  // a new delivery id is a new event
    CHECK(deliver("ping", R"({"zen":"Speak like a human.","hook_id":9})", "guid-3").result_int() == 200);
    {
        std::lock_guard lock(mutex);
        CHECK(opened == std::vector<std::string>{"#3 Crash on start", "#3 Crash on start"});
    }
    CHECK(pings == 1);
    CHECK(server.requests() == 4);
}
