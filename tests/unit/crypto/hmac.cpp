// SPDX-License-Identifier: BSL-1.0
// HMAC, SHA-256, constant-time comparison and random bytes: the primitives under every HMAC scheme.
#include <webhooks/crypto/hmac.hpp>

#include <webhooks/crypto/compare.hpp>
#include <webhooks/crypto/random.hpp>
#include <webhooks/crypto/sha256.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using webhooks::crypto::encoding;
using webhooks::crypto::hmac_algorithm;
using webhooks::crypto::hmac_key;

namespace {

std::string repeat(unsigned char byte, std::size_t n) {
    return std::string(n, static_cast<char>(byte));
}

std::string hex_mac(hmac_algorithm a, std::string_view key, std::string_view message) {
    return hmac_key{a, key}.compute({message}).to_string(encoding::hex);
}

} // namespace

TEST_CASE("HMAC-SHA256 and HMAC-SHA512 match the RFC 4231 test vectors", "[crypto][hmac]") {
    SECTION("test case 1: a 20-byte key") {
        std::string key = repeat(0x0b, 20);
        CHECK(hex_mac(hmac_algorithm::sha256, key, "Hi There") ==
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        CHECK(hex_mac(hmac_algorithm::sha512, key, "Hi There") ==
              "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
              "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
    }
    SECTION("test case 2: a key shorter than the output") {
        CHECK(hex_mac(hmac_algorithm::sha256, "Jefe", "what do ya want for nothing?") ==
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        CHECK(hex_mac(hmac_algorithm::sha512, "Jefe", "what do ya want for nothing?") ==
              "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
              "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
    }
    SECTION("test case 6: a key larger than the block, hashed first") {
        std::string key = repeat(0xaa, 131);
        std::string_view message = "Test Using Larger Than Block-Size Key - Hash Key First";
        CHECK(hex_mac(hmac_algorithm::sha256, key, message) ==
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        CHECK(hex_mac(hmac_algorithm::sha512, key, message) ==
              "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
              "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598");
    }
}

TEST_CASE("HMAC-SHA1 matches the RFC 2202 test vectors", "[crypto][hmac]") {
    CHECK(hex_mac(hmac_algorithm::sha1, repeat(0x0b, 20), "Hi There") == "b617318655057264e28bc0b6fb378c8ef146be00");
    CHECK(hex_mac(hmac_algorithm::sha1, "Jefe", "what do ya want for nothing?") ==
          "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    CHECK(hex_mac(hmac_algorithm::sha1, repeat(0xaa, 80), "Test Using Larger Than Block-Size Key - Hash Key First") ==
          "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST_CASE("A MAC has the algorithm's digest size", "[crypto][hmac]") {
    STATIC_REQUIRE(webhooks::crypto::digest_size(hmac_algorithm::sha1) == 20);
    STATIC_REQUIRE(webhooks::crypto::digest_size(hmac_algorithm::sha256) == 32);
    STATIC_REQUIRE(webhooks::crypto::digest_size(hmac_algorithm::sha512) == 64);
    for (auto a : {hmac_algorithm::sha1, hmac_algorithm::sha256, hmac_algorithm::sha512}) {
        hmac_key key{a, "k"};
        CHECK(key.algorithm() == a);
        CHECK(key.compute({"m"}).size() == webhooks::crypto::digest_size(a));
        CHECK(key.compute({"m"}).bytes().size() == webhooks::crypto::digest_size(a));
    }
}

TEST_CASE("MACing parts equals MACing their concatenation", "[crypto][hmac]") {
    hmac_key key{hmac_algorithm::sha256, "whsec_test_secret"};
    auto whole = key.compute({R"(1700000000.{"id":"evt_test_webhook","object":"event"})"});
    auto parts = key.compute({"1700000000", ".", R"({"id":"evt_test_webhook","object":"event"})"});
    CHECK(parts.to_string(encoding::hex) == whole.to_string(encoding::hex));
    // The Stripe reference vector, computed from its parts.
    CHECK(parts.to_string(encoding::hex) == "d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990");
    // Empty parts change nothing; no parts at all is the MAC of the empty message.
    CHECK(key.compute({"", "1700000000", "", ".", R"({"id":"evt_test_webhook","object":"event"})", ""})
              .to_string(encoding::hex) == whole.to_string(encoding::hex));
    std::vector<std::string_view> none;
    CHECK(key.compute(none).to_string(encoding::hex) == key.compute({""}).to_string(encoding::hex));
    // The split matters only through the bytes: a different split of other bytes differs.
    CHECK(key.compute({"1700000001", ".", "{}"}).to_string(encoding::hex) != whole.to_string(encoding::hex));
}

TEST_CASE("A keyed HMAC gives the same MAC every time, and copies are independent", "[crypto][hmac]") {
    hmac_key key{hmac_algorithm::sha256, "It's a Secret to Everybody"};
    std::string expected = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    CHECK(key.compute({"Hello, World!"}).to_string(encoding::hex) == expected);
    CHECK(key.compute({"Hello, World!"}).to_string(encoding::hex) == expected); // the keyed state is not consumed

    hmac_key copy = key;
    hmac_key other{hmac_algorithm::sha256, "another key"};
    CHECK(copy.compute({"Hello, World!"}).to_string(encoding::hex) == expected);
    copy = other;
    CHECK(copy.compute({"Hello, World!"}).to_string(encoding::hex) != expected);
    CHECK(key.compute({"Hello, World!"}).to_string(encoding::hex) == expected);

    hmac_key moved = std::move(key);
    CHECK(moved.compute({"Hello, World!"}).to_string(encoding::hex) == expected);
}

TEST_CASE("An empty HMAC key is refused", "[crypto][hmac]") {
    try {
        hmac_key key{hmac_algorithm::sha256, ""};
        FAIL("an empty key was accepted");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == webhooks::error::invalid_key);
    }
}

TEST_CASE("A digest prints in each encoding", "[crypto][hmac]") {
    auto mac = hmac_key{hmac_algorithm::sha256, "shop-secret"}.compute({R"({"id":1})"});
    CHECK(mac.to_string(encoding::base64) == "plW8VGqq0nDMIEhDqaNNW99asdUCy7EIqLZVcQwtAZ0=");
    CHECK(mac.to_string(encoding::base64url) == "plW8VGqq0nDMIEhDqaNNW99asdUCy7EIqLZVcQwtAZ0");
    CHECK(mac.to_string(encoding::hex).size() == 64);
    webhooks::crypto::digest empty;
    CHECK(empty.size() == 0);
    CHECK(empty.to_string(encoding::hex).empty());
}

TEST_CASE("SHA-256 matches the FIPS 180-2 vectors", "[crypto][sha256]") {
    CHECK(webhooks::crypto::sha256("abc").to_string(encoding::hex) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(webhooks::crypto::sha256("").to_string(encoding::hex) ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(
        webhooks::crypto::sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").to_string(encoding::hex) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(webhooks::crypto::sha256("abc").size() == 32);
}

TEST_CASE("constant_time_equal compares bytes and lengths", "[crypto][compare]") {
    using webhooks::crypto::constant_time_equal;
    CHECK(constant_time_equal(std::string_view("abcdef"), std::string_view("abcdef")));
    CHECK_FALSE(constant_time_equal(std::string_view("abcdef"), std::string_view("abcdeg"))); // last byte
    CHECK_FALSE(constant_time_equal(std::string_view("abcdef"), std::string_view("bbcdef"))); // first byte
    CHECK_FALSE(constant_time_equal(std::string_view("abcdef"), std::string_view("abcde")));  // a prefix
    CHECK_FALSE(constant_time_equal(std::string_view(""), std::string_view("a")));
    CHECK(constant_time_equal(std::string_view(""), std::string_view("")));
    CHECK(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
    CHECK_FALSE(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));

    std::array<unsigned char, 3> a{1, 2, 3}, b{1, 2, 3}, c{1, 2, 4};
    CHECK(constant_time_equal(std::span<const unsigned char>(a), std::span<const unsigned char>(b)));
    CHECK_FALSE(constant_time_equal(std::span<const unsigned char>(a), std::span<const unsigned char>(c)));
    CHECK_FALSE(constant_time_equal(std::span<const unsigned char>(a), std::span<const unsigned char>(a).first(2)));
}

TEST_CASE("random_bytes gives the requested number of fresh bytes", "[crypto][random]") {
    CHECK(webhooks::crypto::random_bytes(0).empty());
    auto a = webhooks::crypto::random_bytes(32), b = webhooks::crypto::random_bytes(32);
    CHECK(a.size() == 32);
    CHECK(b.size() == 32);
    CHECK(a != b); // 2^-256 chance of a false failure
    CHECK(a != std::string(32, '\0'));
}
