// SPDX-License-Identifier: BSL-1.0
#include <webhooks/providers/slack.hpp>

#include "../support.hpp"

#include <string>
#include <string_view>

using namespace webhooks;
using webhooks::test::owned_request;
using webhooks::test::signed_request;

namespace {

constexpr std::string_view secret_text = "8f742231b10e8888abcd99yyyzzz85a5";

// Slack's "Verifying requests from Slack" example: a slash command, form-encoded.
constexpr std::string_view form_body =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar"
    "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack."
    "com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
    "803a0bc887a14d10d2c447fce8b6703c";
constexpr std::string_view form_signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

// The Events API handshake, signed like any event (computed; Bolt accepts it).
constexpr std::string_view challenge_body =
    R"({"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",)"
    R"("type":"url_verification"})";
constexpr std::string_view challenge_signature = "v0=76c303eba32e8ec5639c84f822b2c64cdb1ea7e94fdd6d7b0b958d8e40c0959f";

owned_request slack_request(std::string_view body, std::string_view timestamp, std::string_view signature,
                            std::string content_type = "application/x-www-form-urlencoded") {
    owned_request r{std::string(body)};
    r.add("Content-Type", std::move(content_type))
        .add("X-Slack-Request-Timestamp", std::string(timestamp))
        .add("X-Slack-Signature", std::string(signature));
    return r;
}

providers::slack make_slack(std::int64_t now) {
    providers::slack slack{secret{secret_text}};
    slack.set_clock(webhooks::clock::fixed(now));
    return slack;
}

} // namespace

TEST_CASE("Slack verifies its published slash-command example", "[providers][slack]") {
    auto slack = make_slack(1531420618);
    auto request = slack_request(form_body, "1531420618", form_signature);
    auto delivery = slack.verify(request.view());
    REQUIRE(delivery);
    CHECK(delivery->provider() == "slack");
    CHECK(delivery->timestamp() == std::optional<std::int64_t>(1531420618));
    CHECK(delivery->body() == form_body);
    CHECK(slack.fields().id == field_source::body("/event_id"));
    CHECK(slack.fields().type == field_source::body("/event/type", "/type"));
}

TEST_CASE("Slack verifies the signed url_verification handshake", "[providers][slack]") {
    auto slack = make_slack(1700000000);
    auto request = slack_request(challenge_body, "1700000000", challenge_signature, "application/json");
    CHECK(slack.verify(request.view()));
    request.body(std::string(challenge_body).replace(40, 1, "X"));
    WEBHOOKS_CHECK_REJECTED(slack.verify(request.view()), error::no_matching_signature, 401, "X-Slack-Signature");
}

TEST_CASE("Slack signing reproduces both examples", "[providers][slack]") {
    auto slack = make_slack(0);
    CHECK(slack.sign(form_body, {.timestamp = 1531420618}) ==
          signed_headers{{"X-Slack-Request-Timestamp", "1531420618"},
                         {"X-Slack-Signature", std::string(form_signature)}});
    CHECK(slack.sign(challenge_body, {.timestamp = 1700000000}).back().value == challenge_signature);
}

TEST_CASE("Slack checks only the age of the timestamp, 300 seconds", "[providers][slack]") {
    auto request = slack_request(form_body, "1531420618", form_signature);
    CHECK(make_slack(1531420618 + 300).verify(request.view()));
    auto late = make_slack(1531420618 + 301);
    WEBHOOKS_CHECK_REJECTED(late.verify(request.view()), error::timestamp_too_old, 401, "X-Slack-Request-Timestamp");
    CHECK(make_slack(1531420618 - 301).verify(request.view())); // from the future: Bolt accepts it too
    CHECK(make_slack(1531420618 - 86400).verify(request.view()));
}

TEST_CASE("Slack refuses a missing, empty or malformed timestamp header", "[providers][slack]") {
    auto slack = make_slack(1531420618);
    auto missing = slack_request(form_body, "1531420618", form_signature).remove("X-Slack-Request-Timestamp");
    WEBHOOKS_CHECK_REJECTED(slack.verify(missing.view()), error::missing_header, 401, "X-Slack-Request-Timestamp");
    WEBHOOKS_CHECK_REJECTED(slack.verify(slack_request(form_body, "", form_signature).view()), error::empty_header, 401,
                            "X-Slack-Request-Timestamp");
    for (std::string_view bad : {"later", "-1531420618", "1531420618.5", "15314206180000000000"}) {
        INFO(bad);
        WEBHOOKS_CHECK_REJECTED(slack.verify(slack_request(form_body, bad, form_signature).view()),
                                error::malformed_timestamp, 400, "X-Slack-Request-Timestamp");
    }
    // The timestamp is signed: another one, even well-formed and fresh, does not match.
    WEBHOOKS_CHECK_REJECTED(slack.verify(slack_request(form_body, "1531420619", form_signature).view()),
                            error::no_matching_signature, 401, "X-Slack-Signature");
}

TEST_CASE("Slack refuses a missing, malformed or wrong signature", "[providers][slack]") {
    auto slack = make_slack(1531420618);
    auto missing = slack_request(form_body, "1531420618", form_signature).remove("X-Slack-Signature");
    WEBHOOKS_CHECK_REJECTED(slack.verify(missing.view()), error::missing_header, 401, "X-Slack-Signature");
    std::string hex(form_signature.substr(3));
    WEBHOOKS_CHECK_REJECTED(slack.verify(slack_request(form_body, "1531420618", "v1=" + hex).view()),
                            error::malformed_signature_header, 401, "X-Slack-Signature");
    WEBHOOKS_CHECK_REJECTED(slack.verify(slack_request(form_body, "1531420618", "v0=" + hex.substr(2)).view()),
                            error::signature_length_mismatch, 401, "X-Slack-Signature");
    WEBHOOKS_CHECK_REJECTED(slack.verify(slack_request(form_body, "1531420618", "v0=" + std::string(64, 'x')).view()),
                            error::malformed_signature, 401, "X-Slack-Signature");
    auto conflicting = slack_request(form_body, "1531420618", form_signature).add("x-slack-signature", "v0=00");
    WEBHOOKS_CHECK_REJECTED(slack.verify(conflicting.view()), error::conflicting_header, 400, "X-Slack-Signature");
    WEBHOOKS_CHECK_REJECTED(slack.verify(slack_request(form_body.substr(1), "1531420618", form_signature).view()),
                            error::no_matching_signature, 401, "X-Slack-Signature");

    providers::slack wrong{secret{"8f742231b10e8888abcd99yyyzzz85a6"}};
    wrong.set_clock(webhooks::clock::fixed(1531420618));
    WEBHOOKS_CHECK_REJECTED(wrong.verify(slack_request(form_body, "1531420618", form_signature).view()),
                            error::no_matching_signature, 401, "X-Slack-Signature");
    WEBHOOKS_CHECK_NO_SECRET(wrong.verify(slack_request(form_body, "1531420618", form_signature).view()),
                             "8f742231b10e8888abcd99yyyzzz85a6");
}

TEST_CASE("Slack verifies what it signs, empty and binary bodies included", "[providers][slack]") {
    auto slack = make_slack(1700000000);
    for (const std::string& body : {std::string(), test::all_byte_values()}) {
        auto request = signed_request(slack.sign(body), body, "application/json");
        CHECK(slack.verify(request.view()));
        request.body(body + "&");
        CHECK_FALSE(slack.verify(request.view()));
    }
}
