// SPDX-License-Identifier: BSL-1.0
// stripe_shop: a shop that receives Stripe webhooks. Typed handlers for two events, deduplication in SQLite, and
// the endpoint that answers so Stripe does the right thing.
//
//   stripe_shop [DB_FILE]          (default ":memory:"; STRIPE_WEBHOOK_SECRET overrides the demo secret)
//
// A real shop calls `shop_endpoint.handle(request)` from its HTTP server (see examples/receiver). So that this
// program runs on its own, main() plays Stripe: it signs a few deliveries with the same secret, feeds them in, and
// prints each answer. It exits 0 only when every answer is the expected one.

#include <webhooks/endpoint.hpp>
#include <webhooks/idempotency/sqlite_store.hpp>
#include <webhooks/providers/stripe.hpp>

#include <boost/describe/class.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// 1. The events the shop cares about: each names its Stripe type, where its object sits in the event, and the
//    fields we read. Fields Stripe sends and we do not declare are ignored; optional ones may be absent.
struct payment_intent_succeeded {
    static constexpr std::string_view event_name = "payment_intent.succeeded";
    static constexpr std::string_view payload_pointer = "/data/object";
    std::string id;  // pi_…
    std::int64_t amount = 0;
    std::string currency;
    std::optional<std::string> customer;
};
BOOST_DESCRIBE_STRUCT(payment_intent_succeeded, (), (id, amount, currency, customer))

struct charge_refunded {
    static constexpr std::string_view event_name = "charge.refunded";
    static constexpr std::string_view payload_pointer = "/data/object";
    std::string id;              // ch_…
    std::string payment_intent;  // the pi_… it refunds
    std::int64_t amount_refunded = 0;
};
BOOST_DESCRIBE_STRUCT(charge_refunded, (), (id, payment_intent, amount_refunded))

namespace {

// The shop's state: what is paid, by PaymentIntent. A real shop has a database.
std::map<std::string, std::int64_t> balance;

// Stripe's side of the demo: a signed delivery, as it arrives at the server.
struct delivery {
    std::string body;
    webhooks::signed_headers headers;
};

// What an HTTP server does with a delivery: view it as a basic_request (no copy) and let the endpoint answer.
template <class Endpoint>
webhooks::response receive(const Endpoint& endpoint, const delivery& d) {
    std::vector<webhooks::header_field> headers{{"Content-Type", "application/json"}};
    for (const auto& h : d.headers) headers.push_back({h.name, h.value});
    return endpoint.handle(webhooks::basic_request{"POST", "/webhooks/stripe", headers, d.body});
}

std::string event(std::string_view id, std::string_view type, std::string_view object) {
    return R"({"id":")" + std::string(id) + R"(","object":"event","type":")" + std::string(type) +
           R"(","data":{"object":)" + std::string(object) + "}}";
}

} // namespace

int main(int argc, char** argv) {
    const char* env = std::getenv("STRIPE_WEBHOOK_SECRET");
    const webhooks::secret signing_secret{env ? env : "whsec_stripe_shop_demo"};

    // 2. Handlers. A handler that returns normally means "done": the event is recorded and Stripe gets 200. One
    //    that throws means "try again": the claim is released and Stripe gets 500, so it retries later.
    webhooks::events::dispatcher<> events;
    events.on<payment_intent_succeeded>([](const payment_intent_succeeded& pi) {
        balance[pi.id] += pi.amount;
        std::printf("  -> paid %s: %lld %s\n", pi.id.c_str(), static_cast<long long>(pi.amount), pi.currency.c_str());
    });
    events.on<charge_refunded>([](const charge_refunded& ch, const webhooks::events::delivery& d) {
        balance[ch.payment_intent] -= ch.amount_refunded;
        std::printf("  -> refunded %lld of %s (event %.*s)\n", static_cast<long long>(ch.amount_refunded),
                    ch.payment_intent.c_str(), static_cast<int>(d.id().size()), d.id().data());
    });
    events.on_unknown([](const webhooks::events::delivery& d) {  // acknowledged with 200 all the same
        std::printf("  -> ignored %.*s\n", static_cast<int>(d.type().size()), d.type().data());
    });

    // 3. The endpoint: Stripe's scheme with our secret, a durable store shared by every instance of the shop
    //    (so a retry that lands on another instance is still a duplicate), and the handlers.
    webhooks::idempotency::sqlite_store store{{.path = argc > 1 ? argv[1] : ":memory:"}};
    webhooks::endpoint shop_endpoint{webhooks::providers::stripe{signing_secret}, store, std::move(events)};

    // 4. Play Stripe. `sign` makes the Stripe-Signature header for a body, stamped now.
    const webhooks::providers::stripe stripe{signing_secret};
    const webhooks::providers::stripe forger{webhooks::secret{"whsec_someone_else"}};
    auto signed_by = [](const webhooks::providers::stripe& s, std::string body) {
        auto headers = s.sign(body);
        return delivery{std::move(body), std::move(headers)};
    };
    const std::string paid = event("evt_1", "payment_intent.succeeded",
                                   R"({"id":"pi_1","object":"payment_intent","amount":2500,"currency":"eur"})");
    const std::string refund = event("evt_2", "charge.refunded",
                                     R"({"id":"ch_1","payment_intent":"pi_1","amount_refunded":500})");
    struct step {
        const char* what;
        delivery d;
        unsigned expected;
    };
    const step steps[] = {
        {"payment succeeded", signed_by(stripe, paid), 200},
        {"the same event again (Stripe retries)", signed_by(stripe, paid), 200},
        {"charge refunded", signed_by(stripe, refund), 200},
        {"an event the shop does not handle", signed_by(stripe, event("evt_3", "customer.created", "{}")), 200},
        {"a forged payment", signed_by(forger, event("evt_4", "payment_intent.succeeded", "{}")), 401},
    };

    bool ok = true;
    for (const step& s : steps) {
        std::printf("%s\n", s.what);
        webhooks::response r = receive(shop_endpoint, s.d);
        std::string replayed(r.header("Idempotent-Replayed"));
        std::printf("  <- %u %s%s", r.status, replayed.empty() ? "" : "(replayed) ", r.body.c_str());
        if (r.body.empty() || r.body.back() != '\n') std::printf("\n");
        ok = ok && r.status == s.expected;
    }

    // The payment counted once despite the retry, minus the refund; the forgery changed nothing.
    std::printf("balance of pi_1: %lld\n", static_cast<long long>(balance["pi_1"]));
    ok = ok && balance["pi_1"] == 2000 && balance.size() == 1;
    std::printf("%s\n", ok ? "all answers as expected" : "UNEXPECTED ANSWER");
    return ok ? 0 : 1;
}
