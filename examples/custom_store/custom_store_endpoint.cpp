// SPDX-License-Identifier: BSL-1.0
// custom_store_endpoint: the user-defined store of file_store.hpp behind a whole endpoint (Standard Webhooks).
//
//   custom_store_endpoint LOG_FILE
//
// Any type that models IdempotencyStore plugs into `webhooks::endpoint` as it is. This program delivers one
// event whose handler fails the first time (500: the claim is released), then succeeds (200), then gets a
// duplicate (200, the stored response replayed). Then it "restarts": a new store reads the log, a new endpoint
// uses it, and the duplicate is still recognised. It exits 0 only when every answer is the expected one.

#include "file_store.hpp"

#include <webhooks/endpoint.hpp>
#include <webhooks/providers/standard_webhooks.hpp>

#include <boost/describe/class.hpp>

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// A Standard Webhooks payload: {"type": "invoice.paid", "timestamp": "…", "data": {…}}; the struct is `data`.
struct invoice_paid {
    static constexpr std::string_view event_name = "invoice.paid";
    static constexpr std::string_view payload_pointer = "/data";
    std::string invoice;
    std::int64_t amount = 0;
};
BOOST_DESCRIBE_STRUCT(invoice_paid, (), (invoice, amount))

namespace {

constexpr std::string_view signing_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

int attempts = 0, effects = 0;

// The handlers: the first attempt fails as a flaky downstream service would; an exception means "retry later".
webhooks::events::dispatcher<> handlers() {
    webhooks::events::dispatcher<> events;
    events.on<invoice_paid>([](const invoice_paid& paid) {
        if (++attempts == 1) throw std::runtime_error("accounting service timed out");
        ++effects;
        std::printf("  -> booked %s: %lld\n", paid.invoice.c_str(), static_cast<long long>(paid.amount));
    });
    return events;
}

// One delivery as the sender signs it: webhook-id, webhook-timestamp, webhook-signature.
struct delivery {
    std::string body;
    webhooks::signed_headers headers;
};

template <class Endpoint>
unsigned receive(const Endpoint& endpoint, const delivery& d, const char* what) {
    std::vector<webhooks::header_field> headers{{"Content-Type", "application/json"}};
    for (const auto& h : d.headers) headers.push_back({h.name, h.value});
    webhooks::response r = endpoint.handle(webhooks::basic_request{"POST", "/webhooks", headers, d.body});
    std::string replayed(r.header("Idempotent-Replayed"));
    std::printf("%s\n  <- %u %s%s%s", what, r.status, replayed.empty() ? "" : "(replayed) ", r.body.c_str(),
                !r.body.empty() && r.body.back() == '\n' ? "" : "\n");
    return r.status;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: custom_store_endpoint LOG_FILE\n");
        return 2;
    }
    const webhooks::secret key{signing_secret};
    const webhooks::providers::standard_webhooks sender{key};
    const std::string body =
        R"({"type":"invoice.paid","timestamp":"2024-05-01T12:00:00Z","data":{"invoice":"in_7","amount":990}})";
    const delivery event{body, sender.sign(body, {.id = "msg_invoice_7"})};
    // The sender retries with the same webhook-id and a fresh signature.
    const delivery retry{body, sender.sign(body, {.id = "msg_invoice_7"})};

    // `replay_responses`: the response of a handled event is kept in the store and sent again to its duplicates.
    const webhooks::endpoint_options options{.replay_responses = true};
    bool ok = true;
    {
        example::file_store store{argv[1]};
        webhooks::endpoint hooks{webhooks::providers::standard_webhooks{key}, store, handlers(), options};
        ok = receive(hooks, event, "first delivery (the handler fails)") == 500 && ok;
        ok = receive(hooks, retry, "retry") == 200 && ok;
        ok = receive(hooks, retry, "duplicate") == 200 && ok;
    }
    {
        // A restart: the records come back from the log.
        example::file_store store{argv[1]};
        webhooks::endpoint hooks{webhooks::providers::standard_webhooks{key}, store, handlers(), options};
        ok = receive(hooks, retry, "duplicate after a restart") == 200 && ok;
    }
    std::printf("attempts: %d, effects: %d\n", attempts, effects);
    ok = ok && attempts == 2 && effects == 1;
    std::printf("%s\n", ok ? "all answers as expected" : "UNEXPECTED ANSWER");
    return ok ? 0 : 1;
}
