// SPDX-License-Identifier: BSL-1.0
#include <webhooks/crypto/ed25519.hpp>

#include <webhooks/crypto/encoding.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <string>
#include <string_view>
#include <utility>

using webhooks::crypto::ed25519_private_key;
using webhooks::crypto::ed25519_public_key;
using webhooks::crypto::encoding;

namespace {

std::string unhex(std::string_view text) {
    auto bytes = webhooks::crypto::decode(text, encoding::hex);
    REQUIRE(bytes);
    return *bytes;
}

std::string as_string(const std::array<unsigned char, 64>& signature) {
    return {reinterpret_cast<const char*>(signature.data()), signature.size()};
}

// RFC 8032 §7.1, TEST 1 (empty message) and TEST 2 (one byte).
constexpr std::string_view test1_seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr std::string_view test1_public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr std::string_view test1_signature = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb882159"
                                             "0a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
constexpr std::string_view test2_seed = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
constexpr std::string_view test2_public = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
constexpr std::string_view test2_signature = "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43"
                                             "e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

} // namespace

TEST_CASE("Ed25519 matches RFC 8032 test 1 (the empty message)", "[crypto][ed25519]") {
    ed25519_private_key priv{unhex(test1_seed)};
    CHECK(webhooks::crypto::encode(priv.public_key().raw(), encoding::hex) == test1_public);
    // Ed25519 is deterministic: the same key and message always give the RFC's signature.
    CHECK(webhooks::crypto::encode(as_string(priv.sign("")), encoding::hex) == test1_signature);

    ed25519_public_key pub{unhex(test1_public)};
    CHECK(pub.verify("", unhex(test1_signature)));
    CHECK_FALSE(pub.verify("x", unhex(test1_signature)));
}

TEST_CASE("Ed25519 matches RFC 8032 test 2 (one byte)", "[crypto][ed25519]") {
    ed25519_private_key priv{unhex(test2_seed)};
    CHECK(webhooks::crypto::encode(priv.public_key().raw(), encoding::hex) == test2_public);
    CHECK(webhooks::crypto::encode(as_string(priv.sign("\x72")), encoding::hex) == test2_signature);
    CHECK(ed25519_public_key{unhex(test2_public)}.verify("\x72", unhex(test2_signature)));
}

TEST_CASE("Ed25519 verification fails for a changed signature, message or key", "[crypto][ed25519]") {
    ed25519_public_key pub{unhex(test2_public)};
    std::string signature = unhex(test2_signature);
    for (std::size_t i : {std::size_t{0}, std::size_t{31}, std::size_t{32}, std::size_t{63}}) {
        std::string bad = signature;
        bad[i] = static_cast<char>(bad[i] ^ 0x01);
        INFO("byte " << i << " flipped");
        CHECK_FALSE(pub.verify("\x72", bad));
    }
    CHECK_FALSE(pub.verify("\x73", signature));
    CHECK_FALSE(pub.verify("", signature));
    CHECK_FALSE(ed25519_public_key{unhex(test1_public)}.verify("\x72", signature));
    // Any length but 64 is simply not a signature.
    CHECK_FALSE(pub.verify("\x72", signature.substr(0, 63)));
    CHECK_FALSE(pub.verify("\x72", signature + '\0'));
    CHECK_FALSE(pub.verify("\x72", ""));
}

TEST_CASE("A signature made with a private key verifies with its public key", "[crypto][ed25519]") {
    ed25519_private_key priv{std::string(32, '\x42')};
    std::string message = "msg_1.1700000000.{\"type\":\"ping\"}";
    std::string signature = as_string(priv.sign(message));
    CHECK(priv.public_key().verify(message, signature));
    CHECK(as_string(priv.sign(message)) == signature);
    CHECK_FALSE(priv.public_key().verify(message + " ", signature));
}

TEST_CASE("Ed25519 keys of the wrong length are refused with invalid_key", "[crypto][ed25519]") {
    auto code_of = [](auto make) {
        try {
            make();
        } catch (const boost::system::system_error& e) {
            return e.code();
        }
        return boost::system::error_code{};
    };
    for (std::size_t n : {0, 1, 31, 33, 64}) {
        INFO(n << " bytes");
        CHECK(code_of([&] { ed25519_public_key{std::string(n, '\x01')}; }) == webhooks::error::invalid_key);
        CHECK(code_of([&] { ed25519_private_key{std::string(n, '\x01')}; }) == webhooks::error::invalid_key);
    }
}

TEST_CASE("Ed25519 public keys copy and assign by value", "[crypto][ed25519]") {
    ed25519_public_key a{unhex(test1_public)};
    ed25519_public_key b = a;
    CHECK(b.raw() == a.raw());
    CHECK(b.verify("", unhex(test1_signature)));
    b = ed25519_public_key{unhex(test2_public)};
    CHECK(b.verify("\x72", unhex(test2_signature)));
    CHECK(a.verify("", unhex(test1_signature)));
    ed25519_public_key c = std::move(a);
    CHECK(c.verify("", unhex(test1_signature)));
}
