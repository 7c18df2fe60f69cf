// SPDX-License-Identifier: BSL-1.0
// The README's usage example, compiled and run, so it cannot drift. README.md quotes the text between the markers.
#include <webhooks/webhooks.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

// [readme-snippet]
#include <webhooks/webhooks.hpp>

// Once, at start-up:
//   webhooks::parser<webhooks::providers::github> github{
//       webhooks::providers::github{webhooks::secret{std::getenv("GITHUB_WEBHOOK_SECRET")}}};

// For each request, with the pieces your HTTP stack parsed: the status and body to answer.
std::pair<unsigned, std::string> on_github(const webhooks::parser<webhooks::providers::github>& github,
                                           std::string_view method, std::string_view target,
                                           const std::vector<std::pair<std::string, std::string>>& headers,
                                           std::string_view raw_body) {
    std::vector<webhooks::header_field> fields;
    for (const auto& [name, value] : headers)
        fields.push_back({name, value});

    auto delivery = github.parse(webhooks::basic_request{method, target, fields, raw_body});
    if (!delivery) // e.g. 401 "no signature matches (X-Hub-Signature-256)"
        return {delivery.error().status(), delivery.error().message()};

    // Authentic: delivery->body() is exactly the bytes GitHub signed.
    return {200, "handled " + std::string(delivery->event_type()) + " " + std::string(delivery->id())};
}
// [/readme-snippet]

TEST_CASE("The README example answers 200 for a signed delivery and 401 for a forged one", "[readme]") {
    webhooks::parser<webhooks::providers::github> github{
        webhooks::providers::github{webhooks::secret{"It's a Secret to Everybody"}}};
    std::vector<std::pair<std::string, std::string>> headers{
        {"Content-Type", "application/json"},
        {"X-GitHub-Event", "ping"},
        {"X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"},
        {"X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"}};

    auto [status, body] = on_github(github, "POST", "/webhooks/github", headers, "Hello, World!");
    CHECK(status == 200);
    CHECK(body == "handled ping 72d3162e-cc78-11e3-81ab-4c9367dc0958");

    auto [forged_status, forged_body] = on_github(github, "POST", "/webhooks/github", headers, "Hello, World?");
    CHECK(forged_status == 401);
    CHECK(forged_body == "no signature matches (X-Hub-Signature-256)");

    headers.pop_back();
    auto [unsigned_status, unsigned_body] = on_github(github, "POST", "/webhooks/github", headers, "Hello, World!");
    CHECK(unsigned_status == 401);
    CHECK(unsigned_body == "missing header (X-Hub-Signature-256)");

    auto [get_status, get_body] = on_github(github, "GET", "/webhooks/github", headers, "");
    CHECK(get_status == 405);
    CHECK(get_body == "method not allowed");
}

namespace {

// The application's own code, which the second README example calls.
struct shop {
    std::vector<std::pair<std::string, std::int64_t>> paid;
    void mark_paid(const std::string& id, std::int64_t amount) { paid.emplace_back(id, amount); }
};

} // namespace

// [readme-endpoint]
struct payment_intent_succeeded {
    static constexpr std::string_view event_name = "payment_intent.succeeded";
    static constexpr std::string_view payload_pointer = "/data/object";
    std::string id;
    std::int64_t amount = 0;
    std::string currency;
    std::optional<std::string> customer;  // absent or null is fine; unknown fields are ignored
};
BOOST_DESCRIBE_STRUCT(payment_intent_succeeded, (), (id, amount, currency, customer))

// Once, at start-up; the store (or a sqlite_store / redis_store) and the shop outlive the endpoint.
auto make_stripe_endpoint(webhooks::idempotency::memory_store& store, shop& orders) {
    webhooks::events::dispatcher<> events;
    events.on<payment_intent_succeeded>([&orders](const payment_intent_succeeded& pi) {
        orders.mark_paid(pi.id, pi.amount);  // throws? the claim is released, the answer is 500, Stripe retries
    });
    return webhooks::endpoint{webhooks::providers::stripe{webhooks::secret{std::getenv("STRIPE_WEBHOOK_SECRET")}},
                              store, std::move(events)};
}

// For each request: the response to send (status, headers, body). With Boost.Beast: webhooks::beast::handle.
//   webhooks::response r = stripe.handle(webhooks::basic_request{method, target, fields, raw_body});
// [/readme-endpoint]

TEST_CASE("The README endpoint example handles a payment once and acknowledges its duplicate", "[readme]") {
    ::setenv("STRIPE_WEBHOOK_SECRET", "whsec_readme", 1);
    webhooks::idempotency::memory_store store;
    shop orders;
    auto stripe = make_stripe_endpoint(store, orders);
    std::string body = R"({"id":"evt_1","type":"payment_intent.succeeded",)"
                       R"("data":{"object":{"id":"pi_1","amount":2000,"currency":"eur","extra":true}}})";
    auto signed_headers = stripe.scheme().sign(body);
    std::vector<webhooks::header_field> fields{{"Content-Type", "application/json"}};
    for (const auto& h : signed_headers) fields.push_back({h.name, h.value});

    webhooks::response first = stripe.handle(webhooks::basic_request{"POST", "/webhooks/stripe", fields, body});
    webhooks::response again = stripe.handle(webhooks::basic_request{"POST", "/webhooks/stripe", fields, body});
    CHECK(first.status == 200);
    CHECK(again.status == 200);
    CHECK(again.header("Idempotent-Replayed") == "true");
    REQUIRE(orders.paid.size() == 1);
    CHECK(orders.paid[0] == std::pair<std::string, std::int64_t>{"pi_1", 2000});
}
