// SPDX-License-Identifier: BSL-1.0
// Standard Webhooks v1 (HMAC) and v1a (Ed25519), and Svix, which is Standard Webhooks under svix-* header names.
#include <webhooks/providers/standard_webhooks.hpp>

#include <webhooks/providers/svix.hpp>

#include "../support.hpp"

#include <string>
#include <string_view>

using namespace webhooks;
using webhooks::test::owned_request;
using webhooks::test::signed_request;

namespace {

// The published vector (standard-webhooks libraries, svix-server worker.rs).
constexpr std::string_view secret_text = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view msg_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t msg_ts = 1614265330;
constexpr std::string_view payload = R"({"test": 2432232314})";
constexpr std::string_view v1_signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
constexpr std::string_view whsk =
    "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
constexpr std::string_view whpk = "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=";
constexpr std::string_view v1a_signature =
    "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==";

owned_request vector_request(std::string_view signature, std::string_view prefix = "webhook-") {
    owned_request r{std::string(payload)};
    r.add("Content-Type", "application/json")
        .add(std::string(prefix) + "id", std::string(msg_id))
        .add(std::string(prefix) + "timestamp", std::to_string(msg_ts))
        .add(std::string(prefix) + "signature", std::string(signature));
    return r;
}

providers::standard_webhooks make_scheme(std::int64_t now = msg_ts) {
    providers::standard_webhooks scheme{secret{secret_text}};
    scheme.set_clock(webhooks::clock::fixed(now));
    return scheme;
}

} // namespace

// -- published vectors ------------------------------------------------------------------------------------------------

TEST_CASE("Standard Webhooks v1 verifies the published vector", "[providers][standard_webhooks]") {
    auto scheme = make_scheme();
    auto request = vector_request(v1_signature);
    auto delivery = scheme.verify(request.view());
    REQUIRE(delivery);
    CHECK(delivery->id() == msg_id);
    CHECK(delivery->timestamp() == std::optional<std::int64_t>(msg_ts));
    CHECK(delivery->provider() == "standard");
    CHECK(delivery->key_id() == "1");
    CHECK(delivery->body() == payload);
    CHECK(delivery->body().data() == request.body().data()); // the received bytes, not a copy
    CHECK(delivery->event_type().empty());                   // in the body (/type), not a header
}

TEST_CASE("Standard Webhooks v1 signing reproduces the published signature", "[providers][standard_webhooks]") {
    auto headers = make_scheme().sign(payload, {.id = std::string(msg_id), .timestamp = msg_ts});
    CHECK(headers == signed_headers{{"webhook-id", std::string(msg_id)},
                                    {"webhook-timestamp", "1614265330"},
                                    {"webhook-signature", std::string(v1_signature)}});
}

TEST_CASE("Standard Webhooks v1a signs with the whsk_ key exactly as published, and verifies with the whpk_ key",
          "[providers][standard_webhooks][ed25519]") {
    providers::standard_webhooks_ed25519 sender{secret{whsk}};
    auto headers = sender.sign(payload, {.id = std::string(msg_id), .timestamp = msg_ts});
    REQUIRE(headers.size() == 3);
    CHECK(headers[2] == outgoing_header{"webhook-signature", std::string(v1a_signature)});

    providers::standard_webhooks_ed25519 receiver{secret{whpk}};
    receiver.set_clock(webhooks::clock::fixed(msg_ts));
    auto request = vector_request(v1a_signature);
    auto delivery = receiver.verify(request.view());
    REQUIRE(delivery);
    CHECK(delivery->provider() == "standard-ed25519");
    CHECK(delivery->id() == msg_id);

    // The private key verifies too (its public half), and a changed body does not.
    sender.set_clock(webhooks::clock::fixed(msg_ts));
    CHECK(sender.verify(request.view()));
    request.body(std::string(payload) + " ");
    WEBHOOKS_CHECK_REJECTED(receiver.verify(request.view()), error::no_matching_signature, 401, "webhook-signature");
}

TEST_CASE("A header with v1 and v1a signatures is read by each scheme for its own version",
          "[providers][standard_webhooks][ed25519]") {
    auto both = vector_request(std::string(v1_signature) + " " + std::string(v1a_signature));
    auto hmac = make_scheme();
    CHECK(hmac.verify(both.view()));
    providers::standard_webhooks_ed25519 ed{secret{whpk}};
    ed.set_clock(webhooks::clock::fixed(msg_ts));
    CHECK(ed.verify(both.view()));
    // Each ignores the other's version; alone, that is no signature it supports.
    WEBHOOKS_CHECK_REJECTED(ed.verify(vector_request(v1_signature).view()), error::unsupported_signature, 401,
                            "webhook-signature");
    WEBHOOKS_CHECK_REJECTED(hmac.verify(vector_request(v1a_signature).view()), error::unsupported_signature, 401,
                            "webhook-signature");
}

TEST_CASE("Svix verifies the same vector under svix-* headers, and under webhook-* as a fallback",
          "[providers][svix]") {
    providers::svix svix{secret{secret_text}};
    svix.set_clock(webhooks::clock::fixed(msg_ts));
    auto with_svix = svix.verify(vector_request(v1_signature, "svix-").view());
    REQUIRE(with_svix);
    CHECK(with_svix->provider() == "svix");
    auto request = vector_request(v1_signature, "webhook-");
    auto white_labelled = svix.verify(request.view());
    REQUIRE(white_labelled);
    CHECK(white_labelled->id() == msg_id);

    // svix-* wins when both are there.
    auto both = vector_request(v1_signature, "svix-");
    both.add("webhook-signature", "v1,AAAA");
    CHECK(svix.verify(both.view()));

    auto headers = svix.sign(payload, {.id = std::string(msg_id), .timestamp = msg_ts});
    CHECK(headers == signed_headers{{"svix-id", std::string(msg_id)},
                                    {"svix-timestamp", "1614265330"},
                                    {"svix-signature", std::string(v1_signature)}});

    // The plain Standard Webhooks preset does not read svix-* names.
    auto standard = make_scheme();
    WEBHOOKS_CHECK_REJECTED(standard.verify(vector_request(v1_signature, "svix-").view()), error::missing_header, 401,
                            "webhook-signature");
    auto no_id = vector_request(v1_signature, "svix-").remove("svix-id");
    WEBHOOKS_CHECK_REJECTED(svix.verify(no_id.view()), error::missing_header, 401, "svix-id");
}

// -- every rejection --------------------------------------------------------------------------------------------------

TEST_CASE("Standard Webhooks refuses a request without a usable signature header", "[providers][standard_webhooks]") {
    auto scheme = make_scheme();
    SECTION("missing") {
        auto r = vector_request(v1_signature).remove("webhook-signature");
        WEBHOOKS_CHECK_REJECTED(scheme.verify(r.view()), error::missing_header, 401, "webhook-signature");
        WEBHOOKS_CHECK_NO_SECRET(scheme.verify(r.view()), secret_text);
    }
    SECTION("empty") {
        auto r = vector_request(v1_signature).replace("webhook-signature", " ");
        WEBHOOKS_CHECK_REJECTED(scheme.verify(r.view()), error::empty_header, 401, "webhook-signature");
    }
    SECTION("repeated with conflicting values") {
        auto r = vector_request(v1_signature).add("Webhook-Signature", "v1,AAAA");
        WEBHOOKS_CHECK_REJECTED(scheme.verify(r.view()), error::conflicting_header, 400, "webhook-signature");
    }
    SECTION("repeated with identical values is accepted") {
        auto r = vector_request(v1_signature).add("WEBHOOK-SIGNATURE", std::string(v1_signature));
        CHECK(scheme.verify(r.view()));
    }
    SECTION("only an unknown version") {
        auto r = vector_request("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        WEBHOOKS_CHECK_REJECTED(scheme.verify(r.view()), error::unsupported_signature, 401, "webhook-signature");
    }
    SECTION("not version,signature") {
        auto r = vector_request("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        WEBHOOKS_CHECK_REJECTED(scheme.verify(r.view()), error::malformed_signature_header, 401, "webhook-signature");
    }
    SECTION("more than 16 signatures") {
        std::string many;
        for (int i = 0; i < 17; ++i)
            many += std::string(i ? " " : "") + std::string(v1_signature);
        WEBHOOKS_CHECK_REJECTED(scheme.verify(vector_request(many).view()), error::malformed_signature_header, 401,
                                "webhook-signature");
    }
}

TEST_CASE("Standard Webhooks refuses signatures that are not base64 of 32 bytes", "[providers][standard_webhooks]") {
    auto scheme = make_scheme();
    // 44 characters, so the size is right, but '@' and '!' are not base64.
    WEBHOOKS_CHECK_REJECTED(scheme.verify(vector_request("v1,g0hM9SsE@OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O!=").view()),
                            error::malformed_signature, 401, "webhook-signature");
    WEBHOOKS_CHECK_REJECTED(scheme.verify(vector_request("v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE=").view()),
                            error::malformed_signature, 401, "webhook-signature"); // base64url is not base64
    // Valid base64 of 31 and 33 bytes.
    std::string short_sig = "v1," + crypto::encode(std::string(31, 'x'), crypto::encoding::base64);
    WEBHOOKS_CHECK_REJECTED(scheme.verify(vector_request(short_sig).view()), error::signature_length_mismatch, 401,
                            "webhook-signature");
    std::string long_sig = "v1," + crypto::encode(std::string(33, 'x'), crypto::encoding::base64);
    WEBHOOKS_CHECK_REJECTED(scheme.verify(vector_request(long_sig).view()), error::signature_length_mismatch, 401,
                            "webhook-signature");
    // Garbage of the wrong length is malformed, not merely the wrong length.
    WEBHOOKS_CHECK_REJECTED(scheme.verify(vector_request("v1,!!!!").view()), error::malformed_signature, 401,
                            "webhook-signature");
    // A non-canonical spelling of the right MAC ('E' → 'F' changes only the trailing bits) is not accepted.
    WEBHOOKS_CHECK_REJECTED(scheme.verify(vector_request("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=").view()),
                            error::malformed_signature, 401, "webhook-signature");
}

TEST_CASE("Standard Webhooks accepts an unpadded signature, as the Python library does",
          "[providers][standard_webhooks]") {
    CHECK(make_scheme().verify(vector_request("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE").view()));
}

TEST_CASE("Standard Webhooks refuses a changed body or the wrong secret", "[providers][standard_webhooks]") {
    auto scheme = make_scheme();
    auto request = vector_request(v1_signature);
    SECTION("one byte flipped") {
        for (std::size_t i : {std::size_t{0}, std::size_t{5}, payload.size() - 1}) {
            request.body(test::flip_byte(std::string(payload), i));
            WEBHOOKS_CHECK_REJECTED(scheme.verify(request.view()), error::no_matching_signature, 401,
                                    "webhook-signature");
        }
    }
    SECTION("truncated") {
        request.body(std::string(payload.substr(0, payload.size() - 1)));
        WEBHOOKS_CHECK_REJECTED(scheme.verify(request.view()), error::no_matching_signature, 401, "webhook-signature");
        request.body("");
        WEBHOOKS_CHECK_REJECTED(scheme.verify(request.view()), error::no_matching_signature, 401, "webhook-signature");
    }
    SECTION("a different id is a different message") {
        request.replace("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJel");
        WEBHOOKS_CHECK_REJECTED(scheme.verify(request.view()), error::no_matching_signature, 401, "webhook-signature");
    }
    SECTION("the wrong secret") {
        std::string other = "whsec_" + crypto::encode(std::string(24, 'k'), crypto::encoding::base64);
        providers::standard_webhooks wrong{secret{other}};
        wrong.set_clock(webhooks::clock::fixed(msg_ts));
        WEBHOOKS_CHECK_REJECTED(wrong.verify(request.view()), error::no_matching_signature, 401, "webhook-signature");
        WEBHOOKS_CHECK_NO_SECRET(wrong.verify(request.view()), other);
        WEBHOOKS_CHECK_NO_SECRET(wrong.verify(request.view()), other.substr(6));
    }
}

TEST_CASE("Standard Webhooks checks the timestamp both ways, 300 seconds", "[providers][standard_webhooks]") {
    auto request = vector_request(v1_signature);
    CHECK(make_scheme(msg_ts + 300).verify(request.view()));
    CHECK(make_scheme(msg_ts - 300).verify(request.view()));
    // (A rejection names its header by viewing the scheme's copy of the name: keep the scheme alive.)
    auto late = make_scheme(msg_ts + 301), early = make_scheme(msg_ts - 301);
    WEBHOOKS_CHECK_REJECTED(late.verify(request.view()), error::timestamp_too_old, 401, "webhook-timestamp");
    WEBHOOKS_CHECK_REJECTED(early.verify(request.view()), error::timestamp_too_new, 401, "webhook-timestamp");
}

TEST_CASE("Standard Webhooks refuses a timestamp that is not plain decimal seconds", "[providers][standard_webhooks]") {
    auto scheme = make_scheme();
    for (std::string_view bad : {"soon", "1614265330.0", "-1614265330", "+1614265330", "16142653300000000000",
                                 "99999999999999999999", "0x6038", "01614265330"}) {
        INFO(bad);
        auto r = vector_request(v1_signature).replace("webhook-timestamp", std::string(bad));
        WEBHOOKS_CHECK_REJECTED(scheme.verify(r.view()), error::malformed_timestamp, 400, "webhook-timestamp");
    }
    auto missing = vector_request(v1_signature).remove("webhook-timestamp");
    WEBHOOKS_CHECK_REJECTED(scheme.verify(missing.view()), error::missing_header, 401, "webhook-timestamp");
}

TEST_CASE("Standard Webhooks refuses a request without webhook-id", "[providers][standard_webhooks]") {
    auto scheme = make_scheme();
    auto missing = vector_request(v1_signature).remove("webhook-id");
    WEBHOOKS_CHECK_REJECTED(scheme.verify(missing.view()), error::missing_header, 401, "webhook-id");
    auto empty = vector_request(v1_signature).replace("webhook-id", "");
    WEBHOOKS_CHECK_REJECTED(scheme.verify(empty.view()), error::empty_header, 401, "webhook-id");
    auto twice = vector_request(v1_signature).add("webhook-id", "msg_other");
    WEBHOOKS_CHECK_REJECTED(scheme.verify(twice.view()), error::conflicting_header, 400, "webhook-id");
}

TEST_CASE("With rotation, any one good signature in the list verifies", "[providers][standard_webhooks][rotation]") {
    auto scheme = make_scheme();
    std::string wrong = "v1," + crypto::encode(std::string(32, '\0'), crypto::encoding::base64);
    CHECK(scheme.verify(vector_request(wrong + " " + std::string(v1_signature)).view()));
    CHECK(scheme.verify(vector_request(std::string(v1_signature) + " " + wrong).view()));
    CHECK(scheme.verify(vector_request("v1,garbage!! " + std::string(v1_signature)).view()));
    CHECK(scheme.verify(vector_request("v2,whatever " + std::string(v1_signature)).view()));
    WEBHOOKS_CHECK_REJECTED(scheme.verify(vector_request(wrong + " " + wrong).view()), error::no_matching_signature,
                            401, "webhook-signature");
}

// -- secrets ----------------------------------------------------------------------------------------------------------

TEST_CASE("A whsec_ secret that is not base64 is refused by Standard Webhooks", "[providers][standard_webhooks]") {
    for (std::string_view bad : {"whsec_not-base64!", "whsec_", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS"}) {
        INFO(bad);
        try {
            providers::standard_webhooks scheme{secret{bad}};
            FAIL("accepted");
        } catch (const boost::system::system_error& e) {
            CHECK(e.code() == error::invalid_secret);
            if (bad.size() > 6)
                CHECK_THAT(e.what(), !Catch::Matchers::Contains(std::string(bad.substr(6))));
        }
    }
    try {
        providers::svix svix{secret{"whsec_not-base64!"}};
        FAIL("accepted");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == error::invalid_secret);
    }
    // Without the prefix, plain base64 is the key (as in the reference libraries).
    providers::standard_webhooks unprefixed{secret{secret_text.substr(6)}};
    unprefixed.set_clock(webhooks::clock::fixed(msg_ts));
    CHECK(unprefixed.verify(vector_request(v1_signature).view()));
}

// -- round trips ------------------------------------------------------------------------------------------------------

TEST_CASE("Standard Webhooks and Svix verify what they sign, empty and binary bodies included",
          "[providers][standard_webhooks][svix][ed25519]") {
    auto round_trip = [](const auto& scheme, const std::string& body) {
        auto headers = scheme.sign(body, {.id = "msg_round_trip", .timestamp = 1700000000});
        auto request = signed_request(headers, body);
        auto delivery = scheme.verify(request.view());
        REQUIRE(delivery);
        CHECK(delivery->body() == body);
        CHECK(delivery->id() == "msg_round_trip");
        request.body(body + "x");
        CHECK_FALSE(scheme.verify(request.view()));
    };
    providers::standard_webhooks sw{secret{secret_text}};
    providers::svix svix{secret{secret_text}};
    providers::standard_webhooks_ed25519 ed{secret{whsk}};
    sw.set_clock(webhooks::clock::fixed(1700000000));
    svix.set_clock(webhooks::clock::fixed(1700000000));
    ed.set_clock(webhooks::clock::fixed(1700000000));
    for (const std::string& body : {std::string(), test::all_byte_values(), std::string(payload)}) {
        INFO("body of " << body.size() << " bytes");
        round_trip(sw, body);
        round_trip(svix, body);
        round_trip(ed, body);
    }
}

TEST_CASE("Standard Webhooks signs a fresh msg_ id and the clock's time when none is given",
          "[providers][standard_webhooks]") {
    auto scheme = make_scheme(1700000123);
    auto headers = scheme.sign("{}");
    REQUIRE(headers.size() == 3);
    CHECK(headers[0].value.starts_with("msg_"));
    CHECK(headers[1].value == "1700000123");
    CHECK(scheme.verify(signed_request(headers, "{}").view()));
}
