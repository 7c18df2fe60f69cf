// SPDX-License-Identifier: BSL-1.0
#include <webhooks/providers/stripe.hpp>

#include "../support.hpp"

#include <atomic>
#include <cctype>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace webhooks;
using webhooks::test::owned_request;
using webhooks::test::signed_request;

namespace {

// Generated with stripe-node 23.2.0 (generateTestHeaderString), checked against constructEvent.
constexpr std::string_view secret_text = "whsec_test_secret";
constexpr std::string_view body = R"({"id":"evt_test_webhook","object":"event"})";
constexpr std::string_view v1 = "d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990";
const std::string header = "t=1700000000,v1=" + std::string(v1);

owned_request stripe_request(std::string signature_header, std::string_view payload = body) {
    owned_request r{std::string(payload)};
    r.add("Content-Type", "application/json").add("Stripe-Signature", std::move(signature_header));
    return r;
}

providers::stripe make_stripe(std::int64_t now = 1700000000) {
    providers::stripe stripe{secret{secret_text}};
    stripe.set_clock(webhooks::clock::fixed(now));
    return stripe;
}

} // namespace

TEST_CASE("Stripe verifies the stripe-node reference vector", "[providers][stripe]") {
    auto stripe = make_stripe();
    auto request = stripe_request(header);
    auto delivery = stripe.verify(request.view());
    REQUIRE(delivery);
    CHECK(delivery->provider() == "stripe");
    CHECK(delivery->timestamp() == std::optional<std::int64_t>(1700000000));
    CHECK(delivery->key_id() == "1");
    CHECK(delivery->body().data() == request.body().data());
    CHECK(delivery->id().empty()); // evt_… is in the body: fields().id says where
    CHECK(stripe.fields().id == field_source::body("/id"));
    CHECK(stripe.fields().type == field_source::body("/type"));
}

TEST_CASE("Stripe signing reproduces the reference header", "[providers][stripe]") {
    auto headers = make_stripe().sign(body, {.timestamp = 1700000000});
    CHECK(headers == signed_headers{{"Stripe-Signature", header}});
}

TEST_CASE("Stripe keys the HMAC with the whole whsec_ string, not its base64 decoding", "[providers][stripe]") {
    // "whsec_test_secret" is not even valid base64 after the prefix; Stripe takes the text as it is.
    providers::stripe without_prefix{secret{"test_secret"}};
    without_prefix.set_clock(webhooks::clock::fixed(1700000000));
    WEBHOOKS_CHECK_REJECTED(without_prefix.verify(stripe_request(header).view()), error::no_matching_signature, 401,
                            "Stripe-Signature");
    // A whsec_ secret that is not base64 is fine for Stripe.
    CHECK_NOTHROW(providers::stripe{secret{"whsec_not-base64!"}});
}

TEST_CASE("Stripe ignores v0 and unknown keys, and refuses a header with no v1", "[providers][stripe]") {
    auto stripe = make_stripe();
    CHECK(stripe.verify(stripe_request(header + ",v0=" + std::string(64, 'a')).view()));
    CHECK(stripe.verify(stripe_request("v0=" + std::string(64, 'a') + "," + header).view()));
    // stripe-node 23 diagnostic keys.
    CHECK(stripe.verify(stripe_request(header + ",secret=whsec_****,destination=we_1,payload=0a1b2c3d").view()));

    WEBHOOKS_CHECK_REJECTED(stripe.verify(stripe_request("t=1700000000,v0=" + std::string(v1)).view()),
                            error::unsupported_signature, 401, "Stripe-Signature");
    WEBHOOKS_CHECK_REJECTED(stripe.verify(stripe_request("v1=" + std::string(v1)).view()),
                            error::malformed_signature_header, 401, "Stripe-Signature");
    WEBHOOKS_CHECK_REJECTED(stripe.verify(stripe_request(std::string(v1)).view()), error::malformed_signature_header,
                            401, "Stripe-Signature");
}

TEST_CASE("Stripe accepts a secret roll's two v1 signatures when either matches", "[providers][stripe][rotation]") {
    auto stripe = make_stripe();
    std::string other(64, 'e');
    CHECK(stripe.verify(stripe_request("t=1700000000,v1=" + other + ",v1=" + std::string(v1)).view()));
    CHECK(stripe.verify(stripe_request("t=1700000000,v1=" + std::string(v1) + ",v1=" + other).view()));
    // A garbled first signature does not hide a good second one.
    CHECK(stripe.verify(stripe_request("t=1700000000,v1=zz,v1=" + std::string(v1)).view()));
    WEBHOOKS_CHECK_REJECTED(stripe.verify(stripe_request("t=1700000000,v1=" + other + ",v1=" + other).view()),
                            error::no_matching_signature, 401, "Stripe-Signature");

    // A scheme holding both secrets signs with both, as Stripe does during a roll.
    providers::stripe rolling{{secret{"whsec_new"}, secret{secret_text}}};
    auto headers = rolling.sign(body, {.timestamp = 1700000000});
    REQUIRE(headers.size() == 1);
    CHECK(headers[0].value.starts_with("t=1700000000,v1="));
    CHECK(headers[0].value.ends_with(",v1=" + std::string(v1)));
    CHECK(make_stripe().verify(signed_request(headers, std::string(body)).view()));
}

TEST_CASE("Stripe refuses a missing, empty or ambiguous signature header", "[providers][stripe]") {
    auto stripe = make_stripe();
    auto missing = stripe_request(header).remove("Stripe-Signature");
    WEBHOOKS_CHECK_REJECTED(stripe.verify(missing.view()), error::missing_header, 401, "Stripe-Signature");
    WEBHOOKS_CHECK_NO_SECRET(stripe.verify(missing.view()), secret_text);
    WEBHOOKS_CHECK_REJECTED(stripe.verify(stripe_request("").view()), error::empty_header, 401, "Stripe-Signature");
    auto conflicting = stripe_request(header).add("stripe-signature", "t=1700000000,v1=" + std::string(64, '0'));
    WEBHOOKS_CHECK_REJECTED(stripe.verify(conflicting.view()), error::conflicting_header, 400, "Stripe-Signature");
    auto identical = stripe_request(header).add("STRIPE-SIGNATURE", " " + header);
    CHECK(stripe.verify(identical.view()));
}

TEST_CASE("Stripe refuses signatures that are not 32 bytes of hex", "[providers][stripe]") {
    auto stripe = make_stripe();
    std::string garbage = std::string(v1).replace(10, 2, "zz"); // right length, not hex
    WEBHOOKS_CHECK_REJECTED(stripe.verify(stripe_request("t=1700000000,v1=" + garbage).view()),
                            error::malformed_signature, 401, "Stripe-Signature");
    WEBHOOKS_CHECK_REJECTED(stripe.verify(stripe_request("t=1700000000,v1=" + std::string(v1.substr(1))).view()),
                            error::malformed_signature, 401, "Stripe-Signature"); // odd length
    WEBHOOKS_CHECK_REJECTED(stripe.verify(stripe_request("t=1700000000,v1=" + std::string(v1.substr(2))).view()),
                            error::signature_length_mismatch, 401, "Stripe-Signature");
    WEBHOOKS_CHECK_REJECTED(stripe.verify(stripe_request("t=1700000000,v1=" + std::string(v1) + "00").view()),
                            error::signature_length_mismatch, 401, "Stripe-Signature");
    // The same MAC in upper case is the same bytes.
    std::string upper(v1);
    for (char& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(stripe.verify(stripe_request("t=1700000000,v1=" + upper).view()));
}

TEST_CASE("Stripe refuses a changed body or the wrong secret", "[providers][stripe]") {
    auto stripe = make_stripe();
    WEBHOOKS_CHECK_REJECTED(stripe.verify(stripe_request(header, test::flip_byte(std::string(body), 7)).view()),
                            error::no_matching_signature, 401, "Stripe-Signature");
    WEBHOOKS_CHECK_REJECTED(stripe.verify(stripe_request(header, body.substr(0, body.size() - 1)).view()),
                            error::no_matching_signature, 401, "Stripe-Signature");
    WEBHOOKS_CHECK_REJECTED(stripe.verify(stripe_request(header, std::string(body) + "\n").view()),
                            error::no_matching_signature, 401, "Stripe-Signature");
    // The timestamp is signed too.
    WEBHOOKS_CHECK_REJECTED(stripe.verify(stripe_request("t=1700000001,v1=" + std::string(v1)).view()),
                            error::no_matching_signature, 401, "Stripe-Signature");

    providers::stripe wrong{secret{"whsec_test_secreT"}};
    wrong.set_clock(webhooks::clock::fixed(1700000000));
    WEBHOOKS_CHECK_REJECTED(wrong.verify(stripe_request(header).view()), error::no_matching_signature, 401,
                            "Stripe-Signature");
    WEBHOOKS_CHECK_NO_SECRET(wrong.verify(stripe_request(header).view()), "whsec_test_secreT");
}

TEST_CASE("Stripe checks only the age of the timestamp, 300 seconds", "[providers][stripe]") {
    auto request = stripe_request(header);
    CHECK(make_stripe(1700000000 + 300).verify(request.view()));
    auto late = make_stripe(1700000000 + 301);
    WEBHOOKS_CHECK_REJECTED(late.verify(request.view()), error::timestamp_too_old, 401, "Stripe-Signature");
    // A timestamp from the future passes (stripe-node checks age only).
    CHECK(make_stripe(1700000000 - 301).verify(request.view()));
    CHECK(make_stripe(1700000000 - 86400 * 30).verify(request.view()));
}

TEST_CASE("Stripe refuses a t= that is not plain decimal seconds", "[providers][stripe]") {
    auto stripe = make_stripe();
    for (std::string_view t :
         {"", "soon", "-1700000000", "+1700000000", "1700000000.0", "17000000000000000000", "99999999999999999999"}) {
        INFO("t=" << t);
        WEBHOOKS_CHECK_REJECTED(stripe.verify(stripe_request("t=" + std::string(t) + ",v1=" + std::string(v1)).view()),
                                error::malformed_timestamp, 400, "Stripe-Signature");
    }
    WEBHOOKS_CHECK_REJECTED(stripe.verify(stripe_request("t=1700000000,t=1700000001,v1=" + std::string(v1)).view()),
                            error::malformed_signature_header, 401, "Stripe-Signature");
}

TEST_CASE("Stripe verifies what it signs, empty and binary bodies included", "[providers][stripe]") {
    auto stripe = make_stripe();
    for (const std::string& payload : {std::string(), test::all_byte_values(), std::string(1 << 20, 'x')}) {
        INFO("body of " << payload.size() << " bytes");
        auto headers = stripe.sign(payload, {.timestamp = 1700000000});
        auto request = signed_request(headers, payload);
        auto delivery = stripe.verify(request.view());
        REQUIRE(delivery);
        CHECK(delivery->body() == payload);
        if (!payload.empty()) {
            request.body(test::flip_byte(payload, payload.size() / 2));
            CHECK_FALSE(stripe.verify(request.view()));
        }
    }
    // Without a timestamp, sign stamps the clock's now.
    auto now = make_stripe(1700000042).sign(body);
    CHECK(now[0].value.starts_with("t=1700000042,v1="));
}

TEST_CASE("One Stripe scheme verifies from four threads at once", "[providers][stripe][threads]") {
    const auto stripe = make_stripe();
    constexpr int threads = 4, per_thread = 500;
    std::atomic<int> verified{0}, forged_accepted{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                // Each thread checks its own requests (built here, so nothing but the scheme is shared).
                std::string payload = R"({"id":"evt_)" + std::to_string(t) + "_" + std::to_string(i) + R"("})";
                auto request = signed_request(stripe.sign(payload, {.timestamp = 1700000000}), payload);
                if (stripe.verify(request.view()))
                    ++verified;
                if (i % 50 == 0) {
                    request.body(payload + " ");
                    if (stripe.verify(request.view()))
                        ++forged_accepted;
                }
                if (stripe.verify(stripe_request(header).view()))
                    ++verified;
            }
        });
    }
    for (auto& th : pool)
        th.join();
    CHECK(verified == threads * per_thread * 2);
    CHECK(forged_accepted == 0);
}
