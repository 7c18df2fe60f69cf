// SPDX-License-Identifier: BSL-1.0
// The generic header scheme and the pieces it is made of: signature header shapes, the timestamp window, the clock.
// Providers without a preset (Paddle, Calendly, Twitch, Adyen) are written here from the building blocks and checked
// against their reference vectors.
#include <webhooks/signature/header_scheme.hpp>

#include <webhooks/signature/clock.hpp>
#include <webhooks/signature/hmac_scheme.hpp>
#include <webhooks/signature/signature_header.hpp>
#include <webhooks/signature/timestamp_window.hpp>

#include "../support.hpp"

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

using namespace webhooks;
using signature::part;
using signature::signature_format;
using std::chrono::seconds;
using webhooks::test::owned_request;

namespace {

std::string join_signatures(const signature::signature_list& list) {
    std::string out;
    for (std::string_view s : list.signatures()) {
        if (!out.empty())
            out += '|';
        out += s;
    }
    return out;
}

std::string many(std::string_view token, char separator, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        if (i)
            out += separator;
        out += token;
    }
    return out;
}

// Paddle Billing, from the building blocks (the example in hmac_scheme.hpp).
signature::hmac_scheme make_paddle() {
    return signature::hmac_scheme{{.name = "paddle",
                                   .signature_headers = {"Paddle-Signature"},
                                   .format = signature_format::key_value(';', "ts", "h1"),
                                   .signed_parts = {part::timestamp(), part::literal(":"), part::body()},
                                   .window = timestamp_window::age_only(seconds(5))},
                                  {crypto::hmac_algorithm::sha256, secret{"VALID_SECRET"}}};
}

} // namespace

// -- signature header shapes ------------------------------------------------------------------------------------------

TEST_CASE("A prefixed signature header yields the text after the prefix", "[signature][format]") {
    auto github = signature_format::prefixed("sha256=");
    auto list = github.parse("sha256=abcd", "X-Hub-Signature-256");
    REQUIRE(list);
    CHECK(join_signatures(*list) == "abcd");
    CHECK_FALSE(list->timestamp);
    CHECK_FALSE(github.carries_timestamp());
    CHECK_FALSE(github.carries_several());

    WEBHOOKS_CHECK_REJECTED(github.parse("sha1=abcd", "X-Hub-Signature-256"), error::malformed_signature_header, 401,
                            "X-Hub-Signature-256");
    WEBHOOKS_CHECK_REJECTED(github.parse("sha256=", "X-Hub-Signature-256"), error::malformed_signature_header, 401,
                            "X-Hub-Signature-256");
    WEBHOOKS_CHECK_REJECTED(github.parse("SHA256=abcd", "X-Hub-Signature-256"), error::malformed_signature_header, 401,
                            "X-Hub-Signature-256");

    auto bare = signature_format::prefixed("");
    REQUIRE(bare.parse("plW8VGqq", "X-Shopify-Hmac-Sha256"));
    CHECK(join_signatures(*bare.parse("plW8VGqq", "X-Shopify-Hmac-Sha256")) == "plW8VGqq");
}

TEST_CASE("A key-value signature header yields its timestamp and every signature of the wanted key",
          "[signature][format]") {
    auto stripe = signature_format::key_value(',', "t", "v1");
    CHECK(stripe.carries_timestamp());
    CHECK(stripe.carries_several());

    auto list = stripe.parse("t=1700000000,v1=aa,v0=bb,v1=cc,secret=whsec_****,payload=0a1b2c3d", "Stripe-Signature");
    REQUIRE(list);
    CHECK(list->timestamp == std::optional<std::string_view>("1700000000"));
    CHECK(join_signatures(*list) == "aa|cc");

    // Spaces around pairs are tolerated (Paddle-style "ts=1; h1=…" as some proxies rewrite it).
    auto paddle = signature_format::key_value(';', "ts", "h1");
    auto spaced = paddle.parse("ts=1698796800; h1=ab ;h1=cd", "Paddle-Signature");
    REQUIRE(spaced);
    CHECK(join_signatures(*spaced) == "ab|cd");

    // The same timestamp twice is harmless; two different ones are ambiguous.
    CHECK(stripe.parse("t=1,t=1,v1=aa", "Stripe-Signature"));
}

TEST_CASE("A key-value signature header with the wrong shape is malformed", "[signature][format]") {
    auto stripe = signature_format::key_value(',', "t", "v1");
    for (std::string_view bad : {"v1=aa",         // no t=
                                 "t=1,t=2,v1=aa", // two different timestamps
                                 "t=1,v1=",       // an empty signature
                                 "t=1,,v1=aa",    // an empty pair
                                 "t=1,v1=aa,",    // a trailing separator
                                 "t=1,=aa",       // no key
                                 "t=1,v1aa",      // no '='
                                 "t=1"}) {        // no signature at all
        INFO(bad);
        WEBHOOKS_CHECK_REJECTED(stripe.parse(bad, "Stripe-Signature"), error::malformed_signature_header, 401,
                                "Stripe-Signature");
    }
}

TEST_CASE("A key-value signature header holding only other versions is unsupported", "[signature][format]") {
    auto stripe = signature_format::key_value(',', "t", "v1");
    WEBHOOKS_CHECK_REJECTED(stripe.parse("t=1700000000,v0=aa", "Stripe-Signature"), error::unsupported_signature, 401,
                            "Stripe-Signature");
    WEBHOOKS_CHECK_REJECTED(stripe.parse("t=1700000000,v2=aa,V1=bb", "Stripe-Signature"), error::unsupported_signature,
                            401, "Stripe-Signature");
}

TEST_CASE("A versioned signature header yields the signatures of its version", "[signature][format]") {
    auto v1 = signature_format::versioned("v1");
    CHECK_FALSE(v1.carries_timestamp());
    CHECK(v1.carries_several());
    auto list = v1.parse("v1,K5oZ= v1a,hnO3== v1,g0hM=   v2,xyz", "webhook-signature");
    REQUIRE(list);
    CHECK(join_signatures(*list) == "K5oZ=|g0hM=");
    CHECK_FALSE(list->timestamp);

    auto v1a = signature_format::versioned("v1a");
    REQUIRE(v1a.parse("v1,K5oZ= v1a,hnO3==", "webhook-signature"));
    CHECK(join_signatures(*v1a.parse("v1,K5oZ= v1a,hnO3==", "webhook-signature")) == "hnO3==");

    WEBHOOKS_CHECK_REJECTED(v1.parse("v2,abc", "webhook-signature"), error::unsupported_signature, 401,
                            "webhook-signature");
    for (std::string_view bad : {"v1", "v1,", ",abc", "v1,abc v1a"}) {
        INFO(bad);
        WEBHOOKS_CHECK_REJECTED(v1.parse(bad, "webhook-signature"), error::malformed_signature_header, 401,
                                "webhook-signature");
    }
}

TEST_CASE("A signature header may carry 16 signatures, not 17", "[signature][format]") {
    STATIC_REQUIRE(signature::max_signatures == 16);
    auto v1 = signature_format::versioned("v1");
    auto sixteen = v1.parse(many("v1,abc=", ' ', 16), "webhook-signature");
    REQUIRE(sixteen);
    CHECK(sixteen->signatures().size() == 16);
    WEBHOOKS_CHECK_REJECTED(v1.parse(many("v1,abc=", ' ', 17), "webhook-signature"), error::malformed_signature_header,
                            401, "webhook-signature");
    // Only signatures of the wanted version count.
    CHECK(v1.parse(many("v1,abc=", ' ', 16) + " v1a,xyz=", "webhook-signature"));

    auto stripe = signature_format::key_value(',', "t", "v1");
    CHECK(stripe.parse("t=1," + many("v1=ab", ',', 16), "Stripe-Signature"));
    WEBHOOKS_CHECK_REJECTED(stripe.parse("t=1," + many("v1=ab", ',', 17), "Stripe-Signature"),
                            error::malformed_signature_header, 401, "Stripe-Signature");
}

TEST_CASE("Writing a signature header and reading it back gives the same signatures", "[signature][format]") {
    std::vector<std::string> sigs{"aa", "bb"};
    auto stripe = signature_format::key_value(',', "t", "v1");
    CHECK(stripe.write("1700000000", sigs) == "t=1700000000,v1=aa,v1=bb");
    CHECK(join_signatures(*stripe.parse(stripe.write("1700000000", sigs), "S")) == "aa|bb");

    auto v1 = signature_format::versioned("v1");
    CHECK(v1.write("ignored", sigs) == "v1,aa v1,bb");
    CHECK(join_signatures(*v1.parse(v1.write("", sigs), "S")) == "aa|bb");

    auto github = signature_format::prefixed("sha256=");
    CHECK(github.write("", sigs) == "sha256=aa"); // one signature only
}

// -- the timestamp window and the clock -------------------------------------------------------------------------------

TEST_CASE("Unix timestamps are plain decimal digits, at most 18 of them, without leading zeros",
          "[signature][timestamp]") {
    STATIC_REQUIRE(parse_unix_timestamp("1700000000") == std::optional<std::int64_t>(1700000000));
    STATIC_REQUIRE(parse_unix_timestamp("0") == std::optional<std::int64_t>(0));
    STATIC_REQUIRE(parse_unix_timestamp("999999999999999999") == std::optional<std::int64_t>(999999999999999999));
    for (std::string_view bad : {"", "-1700000000", "+1700000000", " 1700000000", "1700000000 ", "1700000000.5",
                                 "1.7e9", "0x6553f100", "17000000OO", "1000000000000000000", "99999999999999999999",
                                 // one text, one meaning: senders sign the number as they print it
                                 "01700000000", "00", "000000000000000001"}) {
        INFO('"' << bad << '"');
        CHECK_FALSE(parse_unix_timestamp(bad).has_value());
    }
}

TEST_CASE("A symmetric window refuses timestamps too old and too new, bounds included", "[signature][timestamp]") {
    constexpr auto w = timestamp_window::symmetric(seconds(300));
    constexpr std::int64_t now = 1'700'000'000;
    STATIC_REQUIRE_FALSE(w.check(now, now).has_value());
    STATIC_REQUIRE_FALSE(w.check(now - 300, now).has_value());
    STATIC_REQUIRE_FALSE(w.check(now + 300, now).has_value());
    STATIC_REQUIRE(w.check(now - 301, now) == std::optional<error>(error::timestamp_too_old));
    STATIC_REQUIRE(w.check(now + 301, now) == std::optional<error>(error::timestamp_too_new));
    STATIC_REQUIRE(w.check(0, now) == std::optional<error>(error::timestamp_too_old));
    STATIC_REQUIRE(w.check(999'999'999'999'999'999, now) == std::optional<error>(error::timestamp_too_new));
}

TEST_CASE("An age-only window accepts any future timestamp, and an unlimited one accepts anything",
          "[signature][timestamp]") {
    constexpr auto age = timestamp_window::age_only(seconds(300));
    constexpr std::int64_t now = 1'700'000'000;
    STATIC_REQUIRE_FALSE(age.check(now + 86'400 * 365, now).has_value());
    STATIC_REQUIRE(age.check(now - 301, now) == std::optional<error>(error::timestamp_too_old));
    constexpr auto any = timestamp_window::unlimited();
    STATIC_REQUIRE_FALSE(any.check(0, now).has_value());
    STATIC_REQUIRE_FALSE(any.check(999'999'999'999'999'999, now).has_value());
    // Past and future are set separately.
    constexpr timestamp_window lopsided{seconds(600), seconds(5)};
    STATIC_REQUIRE_FALSE(lopsided.check(now - 600, now).has_value());
    STATIC_REQUIRE(lopsided.check(now + 6, now) == std::optional<error>(error::timestamp_too_new));
}

TEST_CASE("The clock reads the system time unless told otherwise", "[signature][clock]") {
    auto system_now = std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    CHECK(std::abs(webhooks::clock{}.now() - system_now) <= 5);
    CHECK(webhooks::clock::fixed(1614265330).now() == 1614265330);
    std::int64_t t = 10;
    webhooks::clock ticking{[&] { return t++; }};
    CHECK(ticking.now() == 10);
    CHECK(ticking.now() == 11);
}

// -- building a scheme ------------------------------------------------------------------------------------------------

TEST_CASE("An inconsistent scheme description is refused at construction", "[signature][scheme]") {
    auto code_of = [](signature::scheme_options options) {
        try {
            signature::hmac_scheme s{std::move(options), {crypto::hmac_algorithm::sha256, secret{"k"}}};
        } catch (const boost::system::system_error& e) {
            return e.code();
        }
        return boost::system::error_code{};
    };
    CHECK(code_of({.name = "none", .signature_headers = {}}) == error::invalid_key);
    CHECK(code_of({.name = "ts", .signature_headers = {"S"}, .signed_parts = {part::timestamp(), part::body()}}) ==
          error::invalid_key);
    CHECK(code_of({.name = "id", .signature_headers = {"S"}, .signed_parts = {part::id(), part::body()}}) ==
          error::invalid_key);
    std::vector<part> nine(9, part::body());
    CHECK(code_of({.name = "long", .signature_headers = {"S"}, .signed_parts = nine}) == error::invalid_key);
    std::vector<part> eight(8, part::body());
    CHECK(code_of({.name = "ok", .signature_headers = {"S"}, .signed_parts = eight}) == boost::system::error_code{});
}

TEST_CASE("Paddle written from the building blocks verifies its published vector", "[signature][scheme][paddle]") {
    auto paddle = make_paddle();
    paddle.set_clock(webhooks::clock::fixed(1698796800));
    std::string body = R"({"data": ["1", "2"]})";
    std::string header = "ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9";
    owned_request request{body};
    request.add("Paddle-Signature", header);

    auto delivery = paddle.verify(request.view());
    REQUIRE(delivery);
    CHECK(delivery->timestamp() == std::optional<std::int64_t>(1698796800));
    CHECK(delivery->provider() == "paddle");

    SECTION("five seconds late is on time; six is too old") {
        paddle.set_clock(webhooks::clock::fixed(1698796805));
        CHECK(paddle.verify(request.view()));
        paddle.set_clock(webhooks::clock::fixed(1698796806));
        WEBHOOKS_CHECK_REJECTED(paddle.verify(request.view()), error::timestamp_too_old, 401, "Paddle-Signature");
    }
    SECTION("any h1 may match, not only the last (paddle-node-sdk checks only the last)") {
        request.replace("Paddle-Signature", header + ";h1=" + std::string(64, '0'));
        CHECK(paddle.verify(request.view()));
        request.replace("Paddle-Signature", "ts=1698796800;h1=" + std::string(64, '0') + ";" + header.substr(14));
        CHECK(paddle.verify(request.view()));
    }
    SECTION("the other published body has another signature") {
        request.body(R"({"data": "value"})");
        WEBHOOKS_CHECK_REJECTED(paddle.verify(request.view()), error::no_matching_signature, 401, "Paddle-Signature");
        request.replace("Paddle-Signature",
                        "ts=1698796800;h1=28981e941fae76e53db32f3d2a83cb69db41476595e84e1970a1b5d98f62b261");
        CHECK(paddle.verify(request.view()));
    }
}

TEST_CASE("Calendly written from the building blocks verifies and reproduces its vector",
          "[signature][scheme][calendly]") {
    signature::hmac_scheme calendly{{.name = "calendly",
                                     .signature_headers = {"Calendly-Webhook-Signature"},
                                     .format = signature_format::key_value(',', "t", "v1"),
                                     .signed_parts = {part::timestamp(), part::literal("."), part::body()},
                                     .window = timestamp_window::age_only(seconds(180))},
                                    {crypto::hmac_algorithm::sha256, secret{"calendly-signing-key"}}};
    calendly.set_clock(webhooks::clock::fixed(1700000000 + 180));
    std::string body = R"({"event":"invitee.created"})";
    std::string expected = "t=1700000000,v1=81a9bfd092b45e5532457d73f595f87d45462d421449a6bae3fa0fa5ec207239";

    auto headers = calendly.sign(body, {.timestamp = 1700000000});
    REQUIRE(headers.size() == 1);
    CHECK(headers[0] == outgoing_header{"Calendly-Webhook-Signature", expected});

    owned_request request{body};
    request.add("Calendly-Webhook-Signature", expected);
    CHECK(calendly.verify(request.view()));
    calendly.set_clock(webhooks::clock::fixed(1700000000 + 181));
    WEBHOOKS_CHECK_REJECTED(calendly.verify(request.view()), error::timestamp_too_old, 401,
                            "Calendly-Webhook-Signature");
}

TEST_CASE("Twitch EventSub signs header values with no separators, and a missing one is named",
          "[signature][scheme][twitch]") {
    signature::hmac_scheme twitch{
        {.name = "twitch",
         .signature_headers = {"Twitch-Eventsub-Message-Signature"},
         .format = signature_format::prefixed("sha256="),
         .id_headers = {"Twitch-Eventsub-Message-Id"},
         .signed_parts = {part::id(), part::header("Twitch-Eventsub-Message-Timestamp"), part::body()}},
        {crypto::hmac_algorithm::sha256, secret{"s3cRe7-secret-value"}}};
    owned_request request{R"({"challenge":"pogchamp-kappa-360noscope-vohiyo"})"};
    request.add("Twitch-Eventsub-Message-Id", "e76c6bd4-55c9-4987-8304-da1588d8988b")
        .add("Twitch-Eventsub-Message-Timestamp", "2019-11-16T10:11:12.634234626Z")
        .add("Twitch-Eventsub-Message-Signature",
             "sha256=746d7b181979b0d0b9bc9ddc0e787e5d02c1ea96eb8d9a0ba533444676c8cac1");

    auto delivery = twitch.verify(request.view());
    REQUIRE(delivery);
    CHECK(delivery->id() == "e76c6bd4-55c9-4987-8304-da1588d8988b");
    CHECK_FALSE(delivery->timestamp()); // RFC 3339, not a Unix time: signed, but not checked against a window

    request.replace("Twitch-Eventsub-Message-Timestamp", "2019-11-16T10:11:12.634234627Z");
    WEBHOOKS_CHECK_REJECTED(twitch.verify(request.view()), error::no_matching_signature, 401,
                            "Twitch-Eventsub-Message-Signature");
    request.remove("Twitch-Eventsub-Message-Timestamp");
    WEBHOOKS_CHECK_REJECTED(twitch.verify(request.view()), error::missing_header, 401,
                            "Twitch-Eventsub-Message-Timestamp");
    request.add("Twitch-Eventsub-Message-Timestamp", "a").add("Twitch-Eventsub-Message-Timestamp", "b");
    WEBHOOKS_CHECK_REJECTED(twitch.verify(request.view()), error::conflicting_header, 400,
                            "Twitch-Eventsub-Message-Timestamp");
}

TEST_CASE("Adyen's HmacSignature uses a hex-decoded key and base64", "[signature][scheme][adyen]") {
    signature::hmac_scheme adyen{{.name = "adyen",
                                  .signature_headers = {"HmacSignature"},
                                  .format = signature_format::prefixed(""),
                                  .encoding = crypto::encoding::base64},
                                 {crypto::hmac_algorithm::sha256,
                                  secret{"44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"},
                                  signature::key_format::hex}};
    std::string body = R"({"type":"balancePlatform.accountHolder.created"})";
    CHECK(adyen.sign(body).back().value == "VS9UBuuLlvIa/EUWFcATyXQOV4Myf4jqvgMKXg+qUqk=");
    owned_request request{body};
    request.add("HmacSignature", "VS9UBuuLlvIa/EUWFcATyXQOV4Myf4jqvgMKXg+qUqk=");
    CHECK(adyen.verify(request.view()));
}

// -- behaviour common to every header scheme --------------------------------------------------------------------------

TEST_CASE("The timestamp is judged only after the signature, so a forgery learns nothing about the window",
          "[signature][scheme]") {
    auto paddle = make_paddle();
    paddle.set_clock(webhooks::clock::fixed(1700000000)); // years after the signed time
    owned_request genuine{R"({"data": ["1", "2"]})"};
    genuine.add("Paddle-Signature",
                "ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9");
    WEBHOOKS_CHECK_REJECTED(paddle.verify(genuine.view()), error::timestamp_too_old, 401, "Paddle-Signature");

    owned_request forged{R"({"data": ["1", "3"]})"};
    forged.add("Paddle-Signature", genuine.get("Paddle-Signature"));
    WEBHOOKS_CHECK_REJECTED(paddle.verify(forged.view()), error::no_matching_signature, 401, "Paddle-Signature");
}

TEST_CASE("A scheme verifies any type that models Request, not only basic_request", "[signature][scheme]") {
    struct single_header_request {
        std::string signature, body_bytes;
        std::string_view method() const { return "POST"; }
        std::string_view target() const { return "/"; }
        std::string_view body() const { return body_bytes; }
        header_lookup header(std::string_view name) const {
            if (detail::iequals(name, "Paddle-Signature"))
                return {header_presence::present, signature};
            return {};
        }
    };
    STATIC_REQUIRE(Request<single_header_request>);
    auto paddle = make_paddle();
    paddle.set_clock(webhooks::clock::fixed(1698796800));
    single_header_request r{"ts=1698796800;h1=a300428748dce5c70e4da19bffd60769591ea969c99dea3105d0ec9612cf43f9",
                            R"({"data": ["1", "2"]})"};
    auto delivery = paddle.verify(r);
    REQUIRE(delivery);
    CHECK(delivery->body().data() == r.body_bytes.data());
}

TEST_CASE("Signing without a timestamp stamps the scheme's clock, and without an id makes a fresh one",
          "[signature][scheme]") {
    signature::hmac_scheme scheme{
        {.name = "ids",
         .signature_headers = {"X-Sig"},
         .format = signature_format::prefixed(""),
         .id_headers = {"X-Id"},
         .timestamp_headers = {"X-Time"},
         .signed_parts = {part::id(), part::literal("."), part::timestamp(), part::literal("."), part::body()},
         .window = timestamp_window::symmetric(seconds(300))},
        {crypto::hmac_algorithm::sha256, secret{"k"}}};
    scheme.set_clock(webhooks::clock::fixed(1234567890));
    CHECK(scheme.clock().now() == 1234567890);
    CHECK(scheme.window().past == std::optional<seconds>(seconds(300)));

    std::set<std::string> ids;
    for (int i = 0; i < 20; ++i) {
        auto headers = scheme.sign("{}");
        REQUIRE(headers.size() == 3);
        CHECK(headers[0].name == "X-Id");
        CHECK(headers[0].value.starts_with("msg_"));
        CHECK(headers[0].value.size() == 4 + 20); // 15 random bytes in base64url
        ids.insert(headers[0].value);
        CHECK(headers[1] == outgoing_header{"X-Time", "1234567890"});
        CHECK(scheme.verify(test::signed_request(headers, "{}").view()));
    }
    CHECK(ids.size() == 20);

    auto given = scheme.sign("{}", {.id = "evt_given", .timestamp = 42});
    CHECK(given[0].value == "evt_given");
    CHECK(given[1].value == "42");
    WEBHOOKS_CHECK_REJECTED(scheme.verify(test::signed_request(given, "{}").view()), error::timestamp_too_old, 401,
                            "X-Time");
    scheme.set_window(timestamp_window::unlimited());
    CHECK(scheme.verify(test::signed_request(given, "{}").view()));
}
