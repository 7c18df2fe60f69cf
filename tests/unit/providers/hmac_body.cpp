// SPDX-License-Identifier: BSL-1.0
// The generic body-HMAC preset: each line of the file comment in hmac_body.hpp, written out as it is there and checked
// against the provider's vector from the reference.
#include <webhooks/providers/hmac_body.hpp>

#include "../support.hpp"

#include <string>
#include <string_view>

using namespace webhooks;
using webhooks::providers::hmac_body;
using webhooks::test::owned_request;
using webhooks::test::signed_request;

namespace {

// Verifies `body` signed `header: value` with `provider`, checks that signing reproduces `value`, and that a
// changed body, a changed signature and a missing header are refused.
void check_vector(const hmac_body& provider, std::string_view header, std::string_view body, std::string_view value,
                  std::string_view secret_text) {
    INFO(provider.name());
    owned_request request{std::string(body)};
    request.add("Content-Type", "application/json").add(std::string(header), std::string(value));
    auto delivery = provider.verify(request.view());
    REQUIRE(delivery);
    CHECK(delivery->body() == body);
    CHECK(delivery->provider() == provider.name());
    CHECK(delivery->key_id() == "1");

    CHECK(provider.sign(body) == signed_headers{{std::string(header), std::string(value)}});

    owned_request changed = request;
    changed.body(test::flip_byte(std::string(body), body.size() / 2));
    WEBHOOKS_CHECK_REJECTED(provider.verify(changed.view()), error::no_matching_signature, 401, header);
    WEBHOOKS_CHECK_NO_SECRET(provider.verify(changed.view()), secret_text);

    owned_request tampered = request;
    std::string signature(value);
    signature[signature.size() - 2] = signature[signature.size() - 2] == 'a' ? 'b' : 'a';
    tampered.replace(header, signature);
    CHECK_FALSE(provider.verify(tampered.view()));

    owned_request missing = request;
    missing.remove(header);
    WEBHOOKS_CHECK_REJECTED(provider.verify(missing.view()), error::missing_header, 401, header);
}

} // namespace

TEST_CASE("hmac_body checks Linear-Signature with Linear's vector", "[providers][hmac_body]") {
    hmac_body linear{{.name = "linear", .header = "Linear-Signature"}, secret{"lin_wh_secret"}};
    check_vector(linear, "Linear-Signature", R"({"action":"create","type":"Issue","webhookTimestamp":1700000000000})",
                 "91e919dc0fd99df1cae12efef1ca08b082cfa523f101b572ec14ed98863fdf35", "lin_wh_secret");
}

TEST_CASE("hmac_body checks X-Signature with Lemon Squeezy's vector", "[providers][hmac_body]") {
    hmac_body lemon{{.name = "lemonsqueezy", .header = "X-Signature"}, secret{"ls-secret"}};
    check_vector(lemon, "X-Signature", R"({"meta":{"event_name":"order_created"}})",
                 "feac06798dfa6ab4fb9b55a856306d10121c46457fa1ba5b9f1607625ccd7ed1", "ls-secret");
}

TEST_CASE("hmac_body checks X-Dropbox-Signature with Dropbox's vector", "[providers][hmac_body]") {
    hmac_body dropbox{{.name = "dropbox", .header = "X-Dropbox-Signature"}, secret{"dbx-app-secret"}};
    check_vector(
        dropbox, "X-Dropbox-Signature",
        R"({"list_folder":{"accounts":["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"]},"delta":{"users":[12345678]}})",
        "22e4c6dda99a4aa09351b4eaea3c72c5efb0093148dde36218116d3d8a2a7549", "dbx-app-secret");
}

TEST_CASE("hmac_body checks X-Razorpay-Signature with Razorpay's vector", "[providers][hmac_body]") {
    hmac_body razorpay{{.name = "razorpay", .header = "X-Razorpay-Signature"}, secret{"rzp-webhook-secret"}};
    check_vector(razorpay, "X-Razorpay-Signature", R"({"event":"payment.captured"})",
                 "2ca6a4b1d08c1358c8c552a29d6f9df2cdac4f6b451ccd92d3009baa3a53a5df", "rzp-webhook-secret");
}

TEST_CASE("hmac_body checks X-CC-Webhook-Signature with the payload of coinbase-commerce-node's own test",
          "[providers][hmac_body]") {
    hmac_body coinbase{{.name = "coinbase", .header = "X-CC-Webhook-Signature"},
                       secret{"30291a20-0bd1-4267-9b0f-e6e7b123c0bf"}};
    // test/testWebhook.spec.js, "should successfully verify signature and return event".
    constexpr std::string_view payload =
        R"({"id":1,"scheduled_for":"2017-01-31T20:50:02Z","attempt_number":1,"event":{"id":"24934862-d980-46cb-9402-)"
        R"(43c81b0cdba6","type":"charge:created","api_version":"2018-03-22","created_at":"2017-01-31T20:49:02Z","data)"
        R"(":{"code":"66BEOV2A","name":"The Sovereign Individual","description":"Mastering the Transition to the Inf)"
        R"(ormation Age","hosted_url":"https://commerce.coinbase.com/charges/66BEOV2A","created_at":"2017-01-31T20:49)"
        R"(:02Z","expires_at":"2017-01-31T21:04:02Z","timeline":[{"time":"2017-01-31T20:49:02Z","status":"NEW"}],"met)"
        R"(adata":{},"pricing_type":"no_price","payments":[],"addresses":{"bitcoin":"000000000000000000000000000000000)"
        R"(0","ethereum":"0x0000000000000000000000000000000000000000","litecoin":"300000000000000000000000000000000)"
        R"(0","bitcoincash":"bitcoincash:000000000000000000000000000000000000000000"}}}})";
    check_vector(coinbase, "X-CC-Webhook-Signature", payload,
                 "8be7742c7d372f08a6a3224edadf18a22b65fa9e28f3f2de97376cdaa092590d",
                 "30291a20-0bd1-4267-9b0f-e6e7b123c0bf");
    // The same test's wrong secret (one character changed) fails.
    hmac_body wrong{{.name = "coinbase", .header = "X-CC-Webhook-Signature"},
                    secret{"30291a20-0bd1-4267-9b0f-e6e7b123c0bg"}};
    owned_request request{std::string(payload)};
    request.add("X-CC-Webhook-Signature", "8be7742c7d372f08a6a3224edadf18a22b65fa9e28f3f2de97376cdaa092590d");
    WEBHOOKS_CHECK_REJECTED(wrong.verify(request.view()), error::no_matching_signature, 401, "X-CC-Webhook-Signature");
}

TEST_CASE("hmac_body checks Bitbucket's sha256= prefixed X-Hub-Signature", "[providers][hmac_body]") {
    hmac_body bitbucket{{.name = "bitbucket", .header = "X-Hub-Signature", .prefix = "sha256="}, secret{"bb-secret"}};
    check_vector(bitbucket, "X-Hub-Signature", R"({"push":{}})",
                 "sha256=47f645e230992db16f3826c6c4fbf91d3fc9b2a87dd876f43be3b588dea4ee4e", "bb-secret");
    owned_request unprefixed{R"({"push":{}})"};
    unprefixed.add("X-Hub-Signature", "47f645e230992db16f3826c6c4fbf91d3fc9b2a87dd876f43be3b588dea4ee4e");
    WEBHOOKS_CHECK_REJECTED(bitbucket.verify(unprefixed.view()), error::malformed_signature_header, 401,
                            "X-Hub-Signature");
}

TEST_CASE("hmac_body checks Typeform-Signature, base64 after a sha256= prefix", "[providers][hmac_body]") {
    hmac_body typeform{
        {.name = "typeform", .header = "Typeform-Signature", .prefix = "sha256=", .encoding = crypto::encoding::base64},
        secret{"abc123"}};
    check_vector(typeform, "Typeform-Signature", R"({"event_id":"01H","event_type":"form_response"})",
                 "sha256=pguEKycwiYwupvSfEYlpcBukgeGHBSRinV7x5E8zEcE=", "abc123");
    // The same MAC in hex is the wrong encoding for Typeform.
    owned_request hex{R"({"event_id":"01H","event_type":"form_response"})"};
    hex.add("Typeform-Signature",
            "sha256=" + crypto::encode(
                            *crypto::decode("pguEKycwiYwupvSfEYlpcBukgeGHBSRinV7x5E8zEcE=", crypto::encoding::base64),
                            crypto::encoding::hex));
    WEBHOOKS_CHECK_REJECTED(typeform.verify(hex.view()), error::signature_length_mismatch, 401, "Typeform-Signature");
}

TEST_CASE("hmac_body checks Intercom's HMAC-SHA1 X-Hub-Signature", "[providers][hmac_body]") {
    hmac_body intercom{
        {.name = "intercom", .header = "X-Hub-Signature", .prefix = "sha1=", .algorithm = crypto::hmac_algorithm::sha1},
        secret{"ic-client-secret"}};
    check_vector(intercom, "X-Hub-Signature", R"({"type":"notification_event","topic":"ping"})",
                 "sha1=75932b2d21832f3c4eed95f611c1b05b062feba0", "ic-client-secret");
    // A SHA-256 MAC is the wrong length for SHA-1.
    owned_request longer{R"({"type":"notification_event","topic":"ping"})"};
    longer.add("X-Hub-Signature", "sha1=" + std::string(64, 'a'));
    WEBHOOKS_CHECK_REJECTED(intercom.verify(longer.view()), error::signature_length_mismatch, 401, "X-Hub-Signature");
}

TEST_CASE("hmac_body accepts any content type unless told otherwise, and verifies binary bodies",
          "[providers][hmac_body]") {
    hmac_body linear{{.name = "linear", .header = "Linear-Signature"}, secret{"lin_wh_secret"}};
    CHECK(linear.media_types().empty());
    for (const std::string& body : {std::string(), test::all_byte_values()}) {
        auto request = signed_request(linear.sign(body), body, "");
        CHECK(linear.verify(request.view()));
    }
    hmac_body json_only{{.name = "j", .header = "X-Sig", .media_types = {"application/json"}}, secret{"k"}};
    CHECK(json_only.media_types() == std::vector<std::string>{"application/json"});
}
