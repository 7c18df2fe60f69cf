// SPDX-License-Identifier: BSL-1.0
#include <webhooks/idempotency/key_policy.hpp>

#include "../support.hpp"

#include <webhooks/idempotency/store.hpp>
#include <webhooks/providers.hpp>

#include <catch2/catch.hpp>

using namespace webhooks;
using idempotency::field_key_policy;
using idempotency::missing_id;

namespace {

// Verifies `body` signed by `scheme` and returns the key the scheme's default policy gives it.
template <class Scheme>
result<std::optional<std::string>> key_of(const Scheme& scheme, std::string body, const sign_options& options = {},
                                          missing_id when_missing = missing_id::reject,
                                          std::vector<std::pair<std::string, std::string>> extra = {}) {
    auto request = test::signed_request(scheme.sign(body, options), body);
    for (auto& [name, value] : extra) request.add(name, value);
    auto delivery = scheme.verify(request.view());
    REQUIRE(delivery.has_value());
    return field_key_policy::for_scheme(scheme, {}, when_missing).key(*delivery);
}

} // namespace

TEST_CASE("Each preset's default key is its scope and the provider's event id", "[idempotency][key_policy]") {
    providers::stripe stripe{secret{"whsec_test"}};
    CHECK(key_of(stripe, R"({"id":"evt_123","type":"charge.succeeded"})").value() == "stripe:evt_123");

    providers::standard_webhooks standard{secret{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}};
    CHECK(key_of(standard, R"({"type":"x"})", {.id = "msg_abc"}).value() == "standard:msg_abc");

    providers::svix svix{secret{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}};
    CHECK(key_of(svix, R"({})", {.id = "msg_svix"}).value() == "svix:msg_svix");

    providers::github github{secret{"gh-secret"}};
    CHECK(key_of(github, R"({"action":"opened"})", {.id = "72d3162e-cc78-11e3-81ab-4c9367dc0958"}).value() ==
          "github:72d3162e-cc78-11e3-81ab-4c9367dc0958");

    providers::shopify shopify{secret{"shop-secret"}};
    CHECK(key_of(shopify, R"({"id":1})", {.id = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"}).value() ==
          "shopify:b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");

    providers::slack slack{secret{"8f742231b10e8888abcd99yyyzzz85a5"}};
    CHECK(key_of(slack, R"({"event_id":"Ev0PV52K21","event":{"type":"app_mention"}})").value() ==
          "slack:Ev0PV52K21");
}

TEST_CASE("A numeric id in the body is an id; other JSON values are not", "[idempotency][key_policy]") {
    providers::stripe stripe{secret{"whsec_test"}};
    CHECK(key_of(stripe, R"({"id":42})").value() == "stripe:42");
    for (std::string body : {R"({"id":null})", R"({"id":{"a":1}})", R"({"id":[1]})", R"({"id":true})", R"({"id":""})",
                             R"({"other":"x"})", R"([1,2])"}) {
        INFO(body);
        WEBHOOKS_CHECK_REJECTED(key_of(stripe, body), error::missing_event_id, 400u, "");
    }
}

TEST_CASE("A delivery without an id is rejected, bypassed or keyed by its body, as the policy says",
          "[idempotency][key_policy]") {
    providers::stripe stripe{secret{"whsec_test"}};
    std::string body = R"({"type":"no.id"})";
    WEBHOOKS_CHECK_REJECTED(key_of(stripe, body), error::missing_event_id, 400u, "");
    CHECK(key_of(stripe, body, {}, missing_id::bypass).value() == std::nullopt);
    auto hashed = key_of(stripe, body, {}, missing_id::hash_body).value();
    REQUIRE(hashed);
    CHECK(*hashed == "stripe:sha256-" + idempotency::body_hash(body));
    CHECK(*key_of(stripe, body, {}, missing_id::hash_body).value() == *hashed);  // the same body, the same key
    CHECK(*key_of(stripe, R"({"type":"no.id2"})", {}, missing_id::hash_body).value() != *hashed);
}

TEST_CASE("A body that is not JSON cannot yield a body id", "[idempotency][key_policy]") {
    providers::stripe stripe{secret{"whsec_test"}};
    WEBHOOKS_CHECK_REJECTED(key_of(stripe, "not json"), error::malformed_payload, 400u, "");
    CHECK(key_of(stripe, "not json", {}, missing_id::bypass).value() == std::nullopt);
}

TEST_CASE("Slack's url_verification has no event id", "[idempotency][key_policy]") {
    providers::slack slack{secret{"8f742231b10e8888abcd99yyyzzz85a5"}};
    WEBHOOKS_CHECK_REJECTED(key_of(slack, R"({"type":"url_verification","challenge":"c"})"), error::missing_event_id,
                            400u, "");
}

TEST_CASE("Scopes keep tenants apart and may not contain the separator", "[idempotency][key_policy]") {
    providers::github github{secret{"gh-secret"}};
    auto body = std::string(R"({"zen":"x"})");
    auto request = test::signed_request(github.sign(body, {.id = "same-guid"}), body);
    auto delivery = github.verify(request.view());
    REQUIRE(delivery.has_value());
    field_key_policy app1{"github/app-1", github.fields().id};
    field_key_policy app2{"github/app-2", github.fields().id};
    CHECK(app1.key(*delivery).value() == "github/app-1:same-guid");
    CHECK(app1.key(*delivery).value() != app2.key(*delivery).value());
    CHECK_THROWS_AS((field_key_policy{"github:app", github.fields().id}), boost::system::system_error);
    CHECK_THROWS_AS((field_key_policy{"", github.fields().id}), boost::system::system_error);
    // A header id that is missing (GitHub's X-GitHub-Delivery is not signed) names the header.
    auto no_id = test::signed_request(github.sign(body, {.id = "x"}), body).remove("X-GitHub-Delivery");
    auto unkeyed = github.verify(no_id.view());
    REQUIRE(unkeyed.has_value());
    WEBHOOKS_CHECK_REJECTED(app1.key(*unkeyed), error::missing_event_id, 400u, "X-GitHub-Delivery");
}

TEST_CASE("Presets say how long their events are remembered", "[idempotency][retention]") {
    using std::chrono::hours;
    CHECK(idempotency::retention_for<providers::stripe>() == hours(72));
    CHECK(idempotency::retention_for<providers::standard_webhooks>() == hours(80));
    CHECK(idempotency::retention_for<providers::github>() == hours(72));
    CHECK(idempotency::retention_for<signature::hmac_scheme>() == idempotency::default_retention);
    CHECK(idempotency::default_lease == std::chrono::seconds(60));
    CHECK(idempotency::default_retention == hours(72));
}
