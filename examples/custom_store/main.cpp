// SPDX-License-Identifier: BSL-1.0
// custom_store: a user-defined IdempotencyStore (file_store.hpp, an append-only log) used through the claim guard.
//
//   custom_store LOG_FILE
//
// Delivers the same event three times, with a handler that fails on its first attempt: the failure releases the
// claim, the retry does the work once, the duplicate is recognised. Then reopens the log to show it survived.

#include "file_store.hpp"

#include <webhooks/idempotency/guard.hpp>
#include <webhooks/idempotency/key_policy.hpp>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace idem = webhooks::idempotency;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: custom_store LOG_FILE\n");
        return 2;
    }
    const std::string body = R"({"id":"evt_1","type":"payment_intent.succeeded"})";
    const std::string key = "stripe:evt_1";
    int effects = 0, attempts = 0;

    example::file_store store{argv[1]};
    for (int delivery = 1; delivery <= 3; ++delivery) {
        auto attempt = idem::try_claim(store, key, idem::body_hash(body));
        if (!attempt) {
            std::printf("delivery %d: store unavailable -> 503\n", delivery);
            return 1;
        }
        if (attempt->status() != idem::claim_status::acquired) {
            std::printf("delivery %d: duplicate (%s) -> 200\n", delivery,
                        attempt->status() == idem::claim_status::completed ? "completed" : "in progress");
            continue;
        }
        try {
            if (++attempts == 1) throw std::runtime_error("payment service timed out");
            ++effects;  // the application's effect: mark the order paid
            if (!attempt->guard->commit({.failed = false, .response = idem::stored_response{200, "text/plain", "ok"}}))
                return 1;
            std::printf("delivery %d: handled -> 200\n", delivery);
        } catch (const std::exception& e) {
            std::printf("delivery %d: handler failed (%s), claim released -> 500\n", delivery, e.what());
        }  // the guard releases here when it was not committed
    }

    example::file_store reopened{argv[1]};
    auto again = idem::try_claim(reopened, key, idem::body_hash(body));
    bool remembered = again && again->status() == idem::claim_status::completed && again->claim.outcome.response &&
                      again->claim.outcome.response->body == "ok";
    std::printf("effects: %d, remembered after reopening: %s\n", effects, remembered ? "yes" : "no");
    return effects == 1 && remembered ? 0 : 1;
}
