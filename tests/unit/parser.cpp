// SPDX-License-Identifier: BSL-1.0
#include <webhooks/parser.hpp>

#include <webhooks/providers/github.hpp>
#include <webhooks/providers/hmac_body.hpp>
#include <webhooks/providers/stripe.hpp>

#include "support.hpp"

#include <string>
#include <string_view>
#include <vector>

using namespace webhooks;
using webhooks::test::owned_request;
using webhooks::test::signed_request;

namespace {

constexpr std::string_view secret_text = "It's a Secret to Everybody";
constexpr std::string_view payload = "Hello, World!";
constexpr std::string_view signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

owned_request github_request(std::string content_type = "application/json") {
    owned_request r{std::string(payload)};
    if (!content_type.empty())
        r.add("Content-Type", std::move(content_type));
    r.add("X-GitHub-Delivery", "d-1").add("X-GitHub-Event", "ping").add("X-Hub-Signature-256", std::string(signature));
    return r;
}

parser<providers::github> make_parser(limits l = {}) {
    return parser<providers::github>{providers::github{secret{secret_text}}, std::move(l)};
}

} // namespace

TEST_CASE("The parser's default limits: POST, 25 MiB, the provider's content types", "[parser]") {
    auto github = make_parser();
    CHECK(github.limits().max_body == 25u * 1024u * 1024u);
    CHECK(github.limits().methods == std::vector<std::string>{"POST"});
    REQUIRE(github.limits().media_types);
    CHECK(*github.limits().media_types ==
          std::vector<std::string>{"application/json", "application/x-www-form-urlencoded"});
    CHECK(github.scheme().name() == "github");
}

TEST_CASE("The parser verifies a well-formed, signed request", "[parser]") {
    auto github = make_parser();
    auto request = github_request();
    auto delivery = github.parse(request.view());
    REQUIRE(delivery);
    CHECK(delivery->id() == "d-1");
    CHECK(delivery->event_type() == "ping");
    CHECK(delivery->body().data() == request.body().data());
}

TEST_CASE("The parser answers 405 for another method, before looking at the signature", "[parser]") {
    auto github = make_parser();
    for (std::string_view method : {"GET", "PUT", "post", "HEAD", ""}) {
        INFO('"' << method << '"');
        auto request = github_request().method(std::string(method));
        WEBHOOKS_CHECK_REJECTED(github.parse(request.view()), error::method_not_allowed, 405, "");
        // Even unsigned: the method is judged first.
        request.remove("X-Hub-Signature-256");
        WEBHOOKS_CHECK_REJECTED(github.parse(request.view()), error::method_not_allowed, 405, "");
    }
    auto put_too = make_parser({.methods = {"POST", "PUT"}});
    CHECK(put_too.parse(github_request().method("PUT").view()));
    WEBHOOKS_CHECK_REJECTED(put_too.parse(github_request().method("PATCH").view()), error::method_not_allowed, 405, "");
}

TEST_CASE("The parser answers 413 for a body over the limit, before checking the signature", "[parser]") {
    auto github = make_parser({.max_body = payload.size()});
    CHECK(github.parse(github_request().view())); // exactly at the limit
    auto bigger = github_request().body(std::string(payload) + "!");
    WEBHOOKS_CHECK_REJECTED(github.parse(bigger.view()), error::body_too_large, 413, "");
    bigger.remove("X-Hub-Signature-256");
    WEBHOOKS_CHECK_REJECTED(github.parse(bigger.view()), error::body_too_large, 413, "");
    auto tiny = make_parser({.max_body = 0});
    WEBHOOKS_CHECK_REJECTED(tiny.parse(github_request().view()), error::body_too_large, 413, "");
}

TEST_CASE("The parser answers 415 for a missing or unexpected content type", "[parser]") {
    auto github = make_parser();
    WEBHOOKS_CHECK_REJECTED(github.parse(github_request("").view()), error::unsupported_media_type, 415,
                            "Content-Type");
    for (std::string_view type : {"text/plain", "application/jsonx", "application/json-patch+json", "json",
                                  "multipart/form-data; boundary=x"}) {
        INFO(type);
        WEBHOOKS_CHECK_REJECTED(github.parse(github_request(std::string(type)).view()), error::unsupported_media_type,
                                415, "Content-Type");
    }
    auto twice = github_request().add("content-type", "text/plain");
    WEBHOOKS_CHECK_REJECTED(github.parse(twice.view()), error::unsupported_media_type, 415, "Content-Type");
    auto unsigned_text = github_request("text/plain").remove("X-Hub-Signature-256");
    WEBHOOKS_CHECK_REJECTED(github.parse(unsigned_text.view()), error::unsupported_media_type, 415, "Content-Type");
}

TEST_CASE("The parser compares media types without parameters or case", "[parser]") {
    auto github = make_parser();
    for (std::string_view type :
         {"application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8", "Application/JSON",
          " application/json ; charset=utf-8", "application/x-www-form-urlencoded"}) {
        INFO(type);
        CHECK(github.parse(github_request(std::string(type)).view()));
    }
}

TEST_CASE("The parser's media types can be replaced, or emptied to accept any", "[parser]") {
    auto any = make_parser({.media_types = std::vector<std::string>{}});
    CHECK(any.parse(github_request("").view()));
    CHECK(any.parse(github_request("text/plain").view()));

    auto text = make_parser({.media_types = std::vector<std::string>{"text/plain"}});
    CHECK(text.parse(github_request("text/plain; charset=us-ascii").view()));
    WEBHOOKS_CHECK_REJECTED(text.parse(github_request().view()), error::unsupported_media_type, 415, "Content-Type");

    // A scheme that names no media types accepts any.
    parser<providers::hmac_body> linear{
        providers::hmac_body{{.name = "linear", .header = "Linear-Signature"}, secret{"lin_wh_secret"}}};
    owned_request request{R"({"action":"create","type":"Issue","webhookTimestamp":1700000000000})"};
    request.add("Linear-Signature", "91e919dc0fd99df1cae12efef1ca08b082cfa523f101b572ec14ed98863fdf35");
    CHECK(linear.parse(request.view()));
}

TEST_CASE("The parser passes signature rejections through unchanged", "[parser]") {
    auto github = make_parser();
    auto unsigned_request = github_request().remove("X-Hub-Signature-256");
    WEBHOOKS_CHECK_REJECTED(github.parse(unsigned_request.view()), error::missing_header, 401, "X-Hub-Signature-256");
    auto forged = github_request().body("Hello, World?");
    WEBHOOKS_CHECK_REJECTED(github.parse(forged.view()), error::no_matching_signature, 401, "X-Hub-Signature-256");
    WEBHOOKS_CHECK_NO_SECRET(github.parse(forged.view()), secret_text);

    parser<providers::stripe> stripe{providers::stripe{secret{"whsec_test_secret"}}};
    stripe.scheme().set_clock(webhooks::clock::fixed(1700000000 + 301));
    auto late = signed_request(stripe.scheme().sign("{}", {.timestamp = 1700000000}), "{}");
    WEBHOOKS_CHECK_REJECTED(stripe.parse(late.view()), error::timestamp_too_old, 401, "Stripe-Signature");
    stripe.scheme().set_clock(webhooks::clock::fixed(1700000000));
    CHECK(stripe.parse(late.view()));
}
