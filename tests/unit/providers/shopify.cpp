// SPDX-License-Identifier: BSL-1.0
#include <webhooks/providers/shopify.hpp>

#include "../support.hpp"

#include <string>
#include <string_view>

using namespace webhooks;
using webhooks::test::owned_request;
using webhooks::test::signed_request;

namespace {

// Computed with @shopify/shopify-api's getHmac.
constexpr std::string_view secret_text = "shop-secret";
constexpr std::string_view body = R"({"id":1})";
constexpr std::string_view hmac = "plW8VGqq0nDMIEhDqaNNW99asdUCy7EIqLZVcQwtAZ0=";

owned_request shopify_request(std::string_view signature, std::string_view payload = body) {
    owned_request r{std::string(payload)};
    r.add("Content-Type", "application/json")
        .add("X-Shopify-Topic", "orders/create")
        .add("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
        .add("X-Shopify-Hmac-Sha256", std::string(signature));
    return r;
}

} // namespace

TEST_CASE("Shopify verifies the getHmac vector", "[providers][shopify]") {
    providers::shopify shopify{secret{secret_text}};
    auto request = shopify_request(hmac);
    auto delivery = shopify.verify(request.view());
    REQUIRE(delivery);
    CHECK(delivery->provider() == "shopify");
    CHECK(delivery->id() == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
    CHECK(delivery->event_type() == "orders/create");
    CHECK_FALSE(delivery->timestamp());
}

TEST_CASE("Shopify signing reproduces the getHmac vector", "[providers][shopify]") {
    providers::shopify shopify{secret{secret_text}};
    CHECK(shopify.sign(body, {.id = "wh-1"}) ==
          signed_headers{{"X-Shopify-Webhook-Id", "wh-1"}, {"X-Shopify-Hmac-Sha256", std::string(hmac)}});
}

TEST_CASE("Shopify's Events delivery type with lower-case unprefixed names verifies too", "[providers][shopify]") {
    providers::shopify shopify{secret{secret_text}};
    owned_request events{std::string(body)};
    events.add("content-type", "application/json")
        .add("shopify-topic", "orders/create")
        .add("shopify-webhook-id", "evt-wh-2")
        .add("shopify-hmac-sha256", std::string(hmac));
    auto delivery = shopify.verify(events.view());
    REQUIRE(delivery);
    CHECK(delivery->id() == "evt-wh-2");
    CHECK(delivery->event_type() == "orders/create");
}

TEST_CASE("Shopify refuses a missing, malformed or wrong HMAC", "[providers][shopify]") {
    providers::shopify shopify{secret{secret_text}};
    auto missing = shopify_request(hmac).remove("X-Shopify-Hmac-Sha256");
    WEBHOOKS_CHECK_REJECTED(shopify.verify(missing.view()), error::missing_header, 401, "X-Shopify-Hmac-Sha256");
    WEBHOOKS_CHECK_NO_SECRET(shopify.verify(missing.view()), secret_text);
    WEBHOOKS_CHECK_REJECTED(shopify.verify(shopify_request("\t").view()), error::empty_header, 401,
                            "X-Shopify-Hmac-Sha256");
    // 44 characters, not base64.
    WEBHOOKS_CHECK_REJECTED(shopify.verify(shopify_request("plW8VGqq0nDMIEhDqaNNW99asdUCy7EIqLZVcQwtAZ0!").view()),
                            error::malformed_signature, 401, "X-Shopify-Hmac-Sha256");
    // Garbage of the wrong length is malformed too.
    WEBHOOKS_CHECK_REJECTED(shopify.verify(shopify_request("@@@@").view()), error::malformed_signature, 401,
                            "X-Shopify-Hmac-Sha256");
    // Hex is not what Shopify sends.
    WEBHOOKS_CHECK_REJECTED(shopify.verify(shopify_request(std::string(64, 'a')).view()),
                            error::signature_length_mismatch, 401, "X-Shopify-Hmac-Sha256");
    // Base64 of 20 bytes.
    WEBHOOKS_CHECK_REJECTED(
        shopify.verify(shopify_request(crypto::encode(std::string(20, 'a'), crypto::encoding::base64)).view()),
        error::signature_length_mismatch, 401, "X-Shopify-Hmac-Sha256");
    // Unpadded: Shopify pads, so the preset requires it.
    WEBHOOKS_CHECK_REJECTED(shopify.verify(shopify_request(hmac.substr(0, 43)).view()), error::malformed_signature, 401,
                            "X-Shopify-Hmac-Sha256");
    WEBHOOKS_CHECK_REJECTED(shopify.verify(shopify_request(hmac, R"({"id":2})").view()), error::no_matching_signature,
                            401, "X-Shopify-Hmac-Sha256");
    WEBHOOKS_CHECK_REJECTED(shopify.verify(shopify_request(hmac, R"({"id":1)").view()), error::no_matching_signature,
                            401, "X-Shopify-Hmac-Sha256");
    auto conflicting = shopify_request(hmac).add("x-shopify-hmac-sha256", "AAAA");
    WEBHOOKS_CHECK_REJECTED(shopify.verify(conflicting.view()), error::conflicting_header, 400,
                            "X-Shopify-Hmac-Sha256");
    providers::shopify wrong{secret{"shop-secreT"}};
    WEBHOOKS_CHECK_REJECTED(wrong.verify(shopify_request(hmac).view()), error::no_matching_signature, 401,
                            "X-Shopify-Hmac-Sha256");
    WEBHOOKS_CHECK_NO_SECRET(wrong.verify(shopify_request(hmac).view()), "shop-secreT");
}

TEST_CASE("Shopify verifies what it signs, empty and binary bodies included", "[providers][shopify]") {
    providers::shopify shopify{secret{secret_text}};
    for (const std::string& payload : {std::string(), test::all_byte_values()}) {
        auto request = signed_request(shopify.sign(payload), payload);
        auto delivery = shopify.verify(request.view());
        REQUIRE(delivery);
        CHECK_FALSE(delivery->id().empty()); // sign made up a webhook id
        request.body(payload + "}");
        CHECK_FALSE(shopify.verify(request.view()));
    }
}
