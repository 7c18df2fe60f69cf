// SPDX-License-Identifier: BSL-1.0
// Secrets, key rings and rotation: several keys at once, each with an id, and the delivery says which one matched.
#include <webhooks/signature/key_ring.hpp>

#include <webhooks/signature/ed25519_keys.hpp>
#include <webhooks/signature/hmac_keys.hpp>

#include <webhooks/providers/standard_webhooks.hpp>
#include <webhooks/providers/stripe.hpp>

#include "../support.hpp"

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>

using namespace webhooks;
using webhooks::test::owned_request;
using webhooks::test::signed_request;

namespace {

// The code of the system_error `make` throws (none if it does not), and its what().
struct thrown {
    boost::system::error_code code{};
    std::string what{};
};
thrown thrown_by(const std::function<void()>& make) {
    try {
        make();
    } catch (const boost::system::system_error& e) {
        return {e.code(), e.what()};
    }
    return {};
}

constexpr std::string_view sw_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view sw_whsk =
    "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
constexpr std::string_view sw_whpk = "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=";

} // namespace

// -- secrets ----------------------------------------------------------------------------------------------------------

TEST_CASE("An empty secret is refused at construction", "[signature][keys][secret]") {
    CHECK(thrown_by([] { secret s{""}; }).code == error::invalid_secret);
    CHECK(thrown_by([] { secret s{std::string_view{}}; }).code == error::invalid_secret);
    CHECK(thrown_by([] { secret s{static_cast<const char*>(nullptr)}; }).code == error::invalid_secret);
    CHECK(thrown_by([] { secret s{"id", ""}; }).code == error::invalid_secret);
}

TEST_CASE("A secret padded with white space is refused, and the message does not show it",
          "[signature][keys][secret]") {
    for (std::string_view padded :
         {" whsec_padded_secret_value", "whsec_padded_secret_value\n", "\twhsec_padded_secret_value",
          "whsec_padded_secret_value\r\n", "whsec_padded_secret_value ", "\vwhsec_padded_secret_value\f"}) {
        INFO('"' << padded << '"');
        auto t = thrown_by([&] { secret s{padded}; });
        CHECK(t.code == error::invalid_secret);
        CHECK_FALSE(t.what.empty());
        CHECK_THAT(t.what, !Catch::Matchers::Contains("padded_secret_value"));
    }
    // White space inside is part of the secret (GitHub's documented example has spaces).
    CHECK(secret{"It's a Secret to Everybody"}.value() == "It's a Secret to Everybody");
}

TEST_CASE("A secret keeps its text and its optional id", "[signature][keys][secret]") {
    secret plain{"s3cret"};
    CHECK(plain.value() == "s3cret");
    CHECK(plain.id().empty());
    secret named{"2026-11", "s3cret"};
    CHECK(named.id() == "2026-11");
    CHECK(named.value() == "s3cret");
    secret copy = named;
    CHECK(copy.value() == "s3cret");

    secrets one{secret{"a"}};
    CHECK(one.size() == 1);
    secrets two{secret{"new", "a"}, secret{"old", "b"}};
    REQUIRE(two.size() == 2);
    CHECK(two[0].id() == "new");
    CHECK(two[1].value() == "b");
}

// -- the key ring -----------------------------------------------------------------------------------------------------

TEST_CASE("A key ring assigns ids 1, 2, … to keys without one, skipping ids already taken", "[signature][keys]") {
    key_ring<int> ring;
    CHECK(ring.empty());
    ring.add("", 10);
    ring.add("", 20);
    ring.add("3", 30); // an explicit id that the counter would give next
    ring.add("", 40);
    ring.add("named", 50);
    REQUIRE(ring.size() == 5);
    std::vector<std::string> ids;
    for (const auto& e : ring)
        ids.push_back(e.id);
    CHECK(ids == std::vector<std::string>{"1", "2", "3", "4", "named"});
    CHECK(ring.front().key == 10);
    CHECK(*ring.find("4") == 40);
    CHECK(ring.find("5") == nullptr);
}

TEST_CASE("A key ring refuses a duplicate id and the removal of an unknown one", "[signature][keys]") {
    key_ring<int> ring;
    ring.add("a", 1);
    auto dup = thrown_by([&] { ring.add("a", 2); });
    CHECK(dup.code == error::duplicate_key_id);
    CHECK(ring.size() == 1);
    CHECK(thrown_by([&] { ring.remove("b"); }).code == error::unknown_key_id);
    ring.remove("a");
    CHECK(ring.empty());
    CHECK(thrown_by([&] { ring.remove("a"); }).code == error::unknown_key_id);
}

TEST_CASE("A key ring's match names the first key that matches", "[signature][keys]") {
    key_ring<int> ring;
    ring.add("x", 1);
    ring.add("y", 2);
    ring.add("z", 2);
    auto m = ring.match([](int k) { return k == 2; });
    REQUIRE(m);
    CHECK(m->key_id() == "y");
    CHECK_FALSE(ring.match([](int k) { return k == 3; }));
}

// -- HMAC keys --------------------------------------------------------------------------------------------------------

TEST_CASE("Secret text becomes key bytes as the provider's format says", "[signature][keys][hmac]") {
    using signature::key_bytes;
    using signature::key_format;
    CHECK(std::string_view(key_bytes(secret{"whsec_test_secret"}, key_format::raw)) == "whsec_test_secret");
    // whsec_ + base64: 24 bytes; the prefix is optional, padding too.
    CHECK(key_bytes(secret{sw_secret}, key_format::whsec_base64).size() == 24);
    CHECK(std::string_view(key_bytes(secret{sw_secret}, key_format::whsec_base64)) ==
          std::string_view(key_bytes(secret{sw_secret.substr(6)}, key_format::whsec_base64)));
    CHECK(std::string_view(key_bytes(secret{"whsec_Zm9vYg"}, key_format::whsec_base64)) == "foob");
    CHECK(std::string_view(key_bytes(secret{"44782DEF"}, key_format::hex)) == "\x44\x78\x2d\xef");
}

TEST_CASE("Secret text that does not decode is refused, without showing it", "[signature][keys][hmac]") {
    using signature::key_bytes;
    using signature::key_format;
    CHECK(thrown_by([] { (void)key_bytes(secret{"whsec_"}, key_format::whsec_base64); }).code == error::invalid_secret);
    for (std::string_view bad : {"whsec_not*base64!", "whsec_a", "whsec_Zm9v\n=", "whsec_QR==", "whsec_Zm9v====",
                                 "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw="}) {
        INFO(bad);
        auto t = thrown_by([&] { (void)key_bytes(secret{bad}, key_format::whsec_base64); });
        CHECK(t.code == error::invalid_secret);
        CHECK_THAT(t.what, !Catch::Matchers::Contains(std::string(bad)));
    }
    CHECK(thrown_by([] { (void)key_bytes(secret{"44782DE"}, key_format::hex); }).code == error::invalid_secret);
    CHECK(thrown_by([] { (void)key_bytes(secret{"xyz0"}, key_format::hex); }).code == error::invalid_secret);
}

TEST_CASE("HMAC keys need at least one secret and match by key id", "[signature][keys][hmac]") {
    CHECK(thrown_by([] {
              signature::hmac_keys k{crypto::hmac_algorithm::sha256, secrets{}};
          }).code == error::invalid_secret);

    signature::hmac_keys keys{crypto::hmac_algorithm::sha1, {secret{"new", "k1"}, secret{"old", "k2"}}};
    CHECK(keys.signature_size() == 20);
    CHECK(keys.ring().size() == 2);
    std::string_view parts[] = {"Hello"};
    auto by_old = crypto::hmac_key{crypto::hmac_algorithm::sha1, "k2"}.compute({"Hello"});
    auto match = keys.match(parts, std::span(&by_old, 1));
    REQUIRE(match);
    CHECK(match->key_id() == "old");

    // sign: the primary's MAC, or every key's.
    CHECK(keys.sign(parts, false).size() == 1);
    auto all = keys.sign(parts, true);
    REQUIRE(all.size() == 2);
    CHECK(all[1].to_string(crypto::encoding::hex) == by_old.to_string(crypto::encoding::hex));

    keys.remove("old");
    CHECK_FALSE(keys.match(parts, std::span(&by_old, 1)));
    CHECK(thrown_by([&] { keys.remove("old"); }).code == error::unknown_key_id);
    CHECK(thrown_by([&] { keys.add(secret{"new", "k3"}); }).code == error::duplicate_key_id);
}

// -- Ed25519 keys -----------------------------------------------------------------------------------------------------

TEST_CASE("Ed25519 keys are whpk_ or whsk_ and base64 of the right length", "[signature][keys][ed25519]") {
    using signature::ed25519_keys;
    CHECK(thrown_by([] { ed25519_keys k{secret{sw_whpk}}; }).code == boost::system::error_code{});
    CHECK(thrown_by([] { ed25519_keys k{secret{sw_whsk}}; }).code == boost::system::error_code{});

    // Wrong prefix: a whsec_ secret is not an Ed25519 key.
    auto prefix = thrown_by([] { ed25519_keys k{secret{sw_secret}}; });
    CHECK(prefix.code == error::invalid_secret);
    CHECK_THAT(prefix.what, !Catch::Matchers::Contains(std::string(sw_secret)));
    CHECK(thrown_by([] { ed25519_keys k{secret{"whpk1_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4="}}; }).code ==
          error::invalid_secret);
    CHECK(thrown_by([] { ed25519_keys k{secret{"whpk_not base64"}}; }).code == error::invalid_secret);

    // Wrong length: a 31-byte public key, a 48-byte private key.
    std::string short_public = "whpk_" + crypto::encode(std::string(31, 'a'), crypto::encoding::base64);
    CHECK(thrown_by([&] { ed25519_keys k{secret{short_public}}; }).code == error::invalid_key);
    std::string odd_private = "whsk_" + crypto::encode(std::string(48, 'a'), crypto::encoding::base64);
    CHECK(thrown_by([&] { ed25519_keys k{secret{odd_private}}; }).code == error::invalid_key);
    CHECK(thrown_by([] { ed25519_keys k{secrets{}}; }).code == error::invalid_secret);
}

TEST_CASE("A whsk_ key is a seed, optionally followed by its own public key", "[signature][keys][ed25519]") {
    using signature::ed25519_keys;
    auto raw = crypto::decode(sw_whsk.substr(5), crypto::encoding::base64);
    REQUIRE(raw);
    REQUIRE(raw->size() == 64);
    std::string seed_only = "whsk_" + crypto::encode(raw->substr(0, 32), crypto::encoding::base64);
    ed25519_keys from_seed{secret{seed_only}};
    ed25519_keys from_pair{secret{sw_whsk}};
    CHECK(from_seed.ring().front().key.public_key.raw() == from_pair.ring().front().key.public_key.raw());
    CHECK("whpk_" + crypto::encode(from_pair.ring().front().key.public_key.raw(), crypto::encoding::base64) == sw_whpk);

    std::string mismatched = *raw;
    mismatched[40] = static_cast<char>(mismatched[40] ^ 1);
    CHECK(thrown_by([&] {
              ed25519_keys k{secret{"whsk_" + crypto::encode(mismatched, crypto::encoding::base64)}};
          }).code == error::invalid_key);
}

TEST_CASE("Signing needs a private key", "[signature][keys][ed25519]") {
    providers::standard_webhooks_ed25519 public_only{secret{sw_whpk}};
    CHECK(thrown_by([&] { (void)public_only.sign("{}", {.id = "msg_1", .timestamp = 1}); }).code == error::invalid_key);
}

// -- rotation through a scheme ----------------------------------------------------------------------------------------

TEST_CASE("A scheme with two secrets verifies signatures from both and names the key that matched",
          "[signature][keys][rotation]") {
    std::string body = R"({"id":"evt_1","type":"ping"})";
    providers::stripe signer_new{secret{"whsec_new"}}, signer_old{secret{"whsec_old"}};

    SECTION("explicit ids") {
        providers::stripe stripe{{secret{"2026-11", "whsec_new"}, secret{"2026-05", "whsec_old"}}};
        stripe.set_clock(webhooks::clock::fixed(1700000000));
        auto by_new = signed_request(signer_new.sign(body, {.timestamp = 1700000000}), body);
        auto by_old = signed_request(signer_old.sign(body, {.timestamp = 1700000000}), body);
        auto a = stripe.verify(by_new.view());
        auto b = stripe.verify(by_old.view());
        REQUIRE(a);
        REQUIRE(b);
        CHECK(a->key_id() == "2026-11");
        CHECK(b->key_id() == "2026-05");

        stripe.keys().remove("2026-05");
        WEBHOOKS_CHECK_REJECTED(stripe.verify(by_old.view()), error::no_matching_signature, 401, "Stripe-Signature");
        CHECK(stripe.verify(by_new.view()));
        CHECK(thrown_by([&] { stripe.keys().remove("2026-05"); }).code == error::unknown_key_id);
    }
    SECTION("ids assigned by the ring") {
        providers::stripe stripe{{secret{"whsec_new"}, secret{"whsec_old"}}};
        stripe.set_clock(webhooks::clock::fixed(1700000000));
        auto by_new = signed_request(signer_new.sign(body, {.timestamp = 1700000000}), body);
        auto by_old = signed_request(signer_old.sign(body, {.timestamp = 1700000000}), body);
        CHECK(stripe.verify(by_new.view())->key_id() == "1");
        CHECK(stripe.verify(by_old.view())->key_id() == "2");
        stripe.keys().remove("1");
        WEBHOOKS_CHECK_REJECTED(stripe.verify(by_new.view()), error::no_matching_signature, 401, "Stripe-Signature");
        CHECK(stripe.verify(by_old.view())->key_id() == "2");
        // A key added later gets a number not used before.
        stripe.keys().add(secret{"whsec_newer"});
        providers::stripe signer_newer{secret{"whsec_newer"}};
        auto by_newer = signed_request(signer_newer.sign(body, {.timestamp = 1700000000}), body);
        CHECK(stripe.verify(by_newer.view())->key_id() == "3");
    }
}

TEST_CASE("A duplicate key id is refused when the scheme is built", "[signature][keys][rotation]") {
    auto t = thrown_by([] { providers::stripe s{{secret{"a", "whsec_one"}, secret{"a", "whsec_two"}}}; });
    CHECK(t.code == error::duplicate_key_id);
    CHECK_THAT(t.what, !Catch::Matchers::Contains("whsec_one"));
    CHECK_THAT(t.what, !Catch::Matchers::Contains("whsec_two"));
    // An explicit id equal to a number the ring would assign is fine: the ring skips it.
    providers::stripe mixed{{secret{"1", "whsec_one"}, secret{"whsec_two"}}};
    std::vector<std::string> ids;
    for (const auto& e : mixed.keys().ring())
        ids.push_back(e.id);
    CHECK(ids == std::vector<std::string>{"1", "2"});
}

TEST_CASE("During rotation a sender signs with every key, and either key alone verifies",
          "[signature][keys][rotation]") {
    providers::standard_webhooks sender{{secret{"current", sw_secret}, secret{"previous", "whsec_c2Vjb25kIGtleQ=="}}};
    auto headers = sender.sign("{}", {.id = "msg_1", .timestamp = 1614265330});
    std::string signature_header = signed_request(headers, "{}").get("webhook-signature");
    CHECK(std::count(signature_header.begin(), signature_header.end(), ' ') == 1); // two signatures

    providers::standard_webhooks only_previous{secret{"whsec_c2Vjb25kIGtleQ=="}};
    only_previous.set_clock(webhooks::clock::fixed(1614265330));
    CHECK(only_previous.verify(signed_request(headers, "{}").view()));
}
