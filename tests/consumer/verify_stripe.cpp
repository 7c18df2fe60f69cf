// SPDX-License-Identifier: BSL-1.0
// Consumer smoke test: verifies a Stripe delivery signed by stripe-node (the reference vector).
#include <webhooks/webhooks.hpp>
#include <cstdio>
#include <string_view>
int main() {
    using namespace webhooks;
    providers::stripe stripe{secret{"whsec_test_secret"}};
    stripe.set_clock(clock::fixed(1700000000));
    std::string_view body = R"({"id":"evt_test_webhook","object":"event"})";
    header_field headers[] = {
        {"Content-Type", "application/json"},
        {"Stripe-Signature", "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990"}};
    basic_request request{"POST", "/webhooks/stripe", headers, body};
    parser<providers::stripe> verifier{stripe};
    auto delivery = verifier.parse(request);
    if (!delivery) { std::printf("rejected: %s\n", delivery.error().message().c_str()); return 1; }
    // A tampered body must fail, or this program proves nothing.
    basic_request forged{"POST", "/webhooks/stripe", headers, R"({"id":"evt_test_webhook","object":"evenT"})"};
    if (verifier.parse(forged)) { std::puts("forged delivery verified"); return 1; }
    std::puts("verified");
    return 0;
}
