// SPDX-License-Identifier: BSL-1.0
#include <webhooks/providers/github.hpp>

#include "../support.hpp"

#include <string>
#include <string_view>

using namespace webhooks;
using webhooks::test::owned_request;
using webhooks::test::signed_request;
using legacy = webhooks::providers::github::legacy_sha1;

namespace {

// GitHub's documented example ("Validating webhook deliveries").
constexpr std::string_view secret_text = "It's a Secret to Everybody";
constexpr std::string_view payload = "Hello, World!";
constexpr std::string_view sha256_header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
// HMAC-SHA1 of the same payload with the same secret (openssl dgst -sha1 -hmac).
constexpr std::string_view sha1_header = "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59";

owned_request github_request(std::string_view body = payload) {
    owned_request r{std::string(body)};
    r.add("Content-Type", "application/json")
        .add("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
        .add("X-GitHub-Event", "issues");
    return r;
}

} // namespace

TEST_CASE("GitHub verifies its documented example", "[providers][github]") {
    providers::github github{secret{secret_text}};
    auto request = github_request().add("X-Hub-Signature-256", std::string(sha256_header));
    auto delivery = github.verify(request.view());
    REQUIRE(delivery);
    CHECK(delivery->provider() == "github");
    CHECK(delivery->id() == "72d3162e-cc78-11e3-81ab-4c9367dc0958");
    CHECK(delivery->event_type() == "issues");
    CHECK_FALSE(delivery->timestamp());
    CHECK(delivery->body() == payload);
    CHECK(github.fields().type_action == field_source::body("/action"));
}

TEST_CASE("GitHub signing reproduces the documented signature", "[providers][github]") {
    providers::github github{secret{secret_text}};
    auto headers = github.sign(payload, {.id = "72d3162e-cc78-11e3-81ab-4c9367dc0958"});
    CHECK(headers == signed_headers{{"X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"},
                                    {"X-Hub-Signature-256", std::string(sha256_header)}});
}

TEST_CASE("GitHub refuses every malformed or wrong X-Hub-Signature-256", "[providers][github]") {
    providers::github github{secret{secret_text}};
    auto with = [](std::string value) { return github_request().add("X-Hub-Signature-256", std::move(value)); };
    std::string hex(sha256_header.substr(7));

    WEBHOOKS_CHECK_REJECTED(github.verify(github_request().view()), error::missing_header, 401, "X-Hub-Signature-256");
    WEBHOOKS_CHECK_NO_SECRET(github.verify(github_request().view()), secret_text);
    WEBHOOKS_CHECK_REJECTED(github.verify(with("").view()), error::empty_header, 401, "X-Hub-Signature-256");
    WEBHOOKS_CHECK_REJECTED(github.verify(with(hex).view()), error::malformed_signature_header, 401,
                            "X-Hub-Signature-256");
    WEBHOOKS_CHECK_REJECTED(github.verify(with("sha1=" + hex).view()), error::malformed_signature_header, 401,
                            "X-Hub-Signature-256");
    WEBHOOKS_CHECK_REJECTED(github.verify(with("sha256=" + std::string(64, 'g')).view()), error::malformed_signature,
                            401, "X-Hub-Signature-256");
    WEBHOOKS_CHECK_REJECTED(github.verify(with("sha256=" + hex.substr(0, 40)).view()), error::signature_length_mismatch,
                            401, "X-Hub-Signature-256");
    WEBHOOKS_CHECK_REJECTED(
        github.verify(with(std::string(sha256_header)).add("x-hub-signature-256", "sha256=00").view()),
        error::conflicting_header, 400, "X-Hub-Signature-256");
    CHECK(
        github.verify(with(std::string(sha256_header)).add("x-hub-signature-256", std::string(sha256_header)).view()));

    auto flipped = with(std::string(sha256_header)).body("Hello, World?");
    WEBHOOKS_CHECK_REJECTED(github.verify(flipped.view()), error::no_matching_signature, 401, "X-Hub-Signature-256");
    auto truncated = with(std::string(sha256_header)).body("Hello, World");
    WEBHOOKS_CHECK_REJECTED(github.verify(truncated.view()), error::no_matching_signature, 401, "X-Hub-Signature-256");

    providers::github wrong{secret{"It's a Secret to Everybody!"}};
    WEBHOOKS_CHECK_REJECTED(wrong.verify(with(std::string(sha256_header)).view()), error::no_matching_signature, 401,
                            "X-Hub-Signature-256");
    WEBHOOKS_CHECK_NO_SECRET(wrong.verify(with(std::string(sha256_header)).view()), "It's a Secret to Everybody!");
}

TEST_CASE("GitHub's legacy SHA-1 header is refused by default", "[providers][github][legacy]") {
    providers::github github{secret{secret_text}};
    CHECK(github.sha1() == nullptr);
    auto only_sha1 = github_request().add("X-Hub-Signature", std::string(sha1_header));
    WEBHOOKS_CHECK_REJECTED(github.verify(only_sha1.view()), error::missing_header, 401, "X-Hub-Signature-256");
}

TEST_CASE("GitHub's legacy SHA-1 header is accepted when enabled and the SHA-256 header is absent",
          "[providers][github][legacy]") {
    providers::github github{secret{secret_text}, legacy::accept};
    REQUIRE(github.sha1() != nullptr);
    auto only_sha1 = github_request().add("X-Hub-Signature", std::string(sha1_header));
    auto delivery = github.verify(only_sha1.view());
    REQUIRE(delivery);
    CHECK(delivery->id() == "72d3162e-cc78-11e3-81ab-4c9367dc0958");

    auto wrong_sha1 = github_request().add("X-Hub-Signature", "sha1=" + std::string(40, '0'));
    WEBHOOKS_CHECK_REJECTED(github.verify(wrong_sha1.view()), error::no_matching_signature, 401, "X-Hub-Signature");

    // With neither header, the one to ask for is the SHA-256 one.
    WEBHOOKS_CHECK_REJECTED(github.verify(github_request().view()), error::missing_header, 401, "X-Hub-Signature-256");
    // SHA-256 still works.
    CHECK(github.verify(github_request().add("X-Hub-Signature-256", std::string(sha256_header)).view()));
}

TEST_CASE("GitHub never falls back to SHA-1 when the SHA-256 header is there (no downgrade)",
          "[providers][github][legacy]") {
    providers::github github{secret{secret_text}, legacy::accept};
    auto request = github_request().add("X-Hub-Signature", std::string(sha1_header));
    SECTION("wrong") {
        request.add("X-Hub-Signature-256", "sha256=" + std::string(64, '0'));
        WEBHOOKS_CHECK_REJECTED(github.verify(request.view()), error::no_matching_signature, 401,
                                "X-Hub-Signature-256");
    }
    SECTION("malformed") {
        request.add("X-Hub-Signature-256", "sha256=zz");
        WEBHOOKS_CHECK_REJECTED(github.verify(request.view()), error::malformed_signature, 401, "X-Hub-Signature-256");
    }
    SECTION("empty") {
        request.add("X-Hub-Signature-256", "");
        WEBHOOKS_CHECK_REJECTED(github.verify(request.view()), error::empty_header, 401, "X-Hub-Signature-256");
    }
    SECTION("conflicting") {
        request.add("X-Hub-Signature-256", std::string(sha256_header)).add("X-Hub-Signature-256", "sha256=00");
        WEBHOOKS_CHECK_REJECTED(github.verify(request.view()), error::conflicting_header, 400, "X-Hub-Signature-256");
    }
}

TEST_CASE("GitHub with legacy enabled signs both headers with one delivery id", "[providers][github][legacy]") {
    providers::github github{secret{secret_text}, legacy::accept};
    auto headers = github.sign(payload, {.id = "delivery-1"});
    CHECK(headers == signed_headers{{"X-GitHub-Delivery", "delivery-1"},
                                    {"X-Hub-Signature-256", std::string(sha256_header)},
                                    {"X-Hub-Signature", std::string(sha1_header)}});
    auto fresh = github.sign(payload);
    REQUIRE(fresh.size() == 3);
    CHECK_FALSE(fresh[0].value.empty());
    CHECK(fresh[0].value != github.sign(payload)[0].value);
}

TEST_CASE("GitHub verifies what it signs, empty and binary bodies included", "[providers][github]") {
    for (auto mode : {legacy::reject, legacy::accept}) {
        providers::github github{secret{secret_text}, mode};
        for (const std::string& body : {std::string(), test::all_byte_values()}) {
            INFO("body of " << body.size() << " bytes, legacy " << (mode == legacy::accept));
            auto request = signed_request(github.sign(body), body);
            CHECK(github.verify(request.view()));
            request.remove("X-Hub-Signature-256");
            CHECK(static_cast<bool>(github.verify(request.view())) == (mode == legacy::accept));
        }
    }
}
