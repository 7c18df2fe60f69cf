// SPDX-License-Identifier: BSL-1.0
#include <webhooks/crypto/encoding.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>

using webhooks::crypto::decode;
using webhooks::crypto::decoded_size;
using webhooks::crypto::encode;
using webhooks::crypto::encoded_size;
using webhooks::crypto::encoding;
using webhooks::crypto::padding;

namespace {

std::string pattern(std::size_t n) {
    std::string out(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<char>((i * 37 + 11) & 0xff);
    return out;
}

} // namespace

TEST_CASE("Base64 and base64url match the RFC 4648 test vectors", "[crypto][encoding]") {
    struct vector {
        std::string_view bytes, base64, base64url, hex;
    };
    // RFC 4648 §10; base64url (§5) writes no padding; base16 is written in lower case.
    const vector vectors[] = {
        {"", "", "", ""},
        {"f", "Zg==", "Zg", "66"},
        {"fo", "Zm8=", "Zm8", "666f"},
        {"foo", "Zm9v", "Zm9v", "666f6f"},
        {"foob", "Zm9vYg==", "Zm9vYg", "666f6f62"},
        {"fooba", "Zm9vYmE=", "Zm9vYmE", "666f6f6261"},
        {"foobar", "Zm9vYmFy", "Zm9vYmFy", "666f6f626172"},
    };
    for (const vector& v : vectors) {
        INFO("bytes: \"" << v.bytes << '"');
        CHECK(encode(v.bytes, encoding::base64) == v.base64);
        CHECK(encode(v.bytes, encoding::base64url) == v.base64url);
        CHECK(encode(v.bytes, encoding::hex) == v.hex);
        CHECK(decode(v.base64, encoding::base64) == std::optional<std::string>(v.bytes));
        CHECK(decode(v.base64url, encoding::base64url) == std::optional<std::string>(v.bytes));
        CHECK(decode(v.hex, encoding::hex) == std::optional<std::string>(v.bytes));
    }
}

TEST_CASE("Hex decoding accepts upper case, as RFC 4648 base16 writes it", "[crypto][encoding]") {
    CHECK(decode("666F6F626172", encoding::hex) == std::optional<std::string>("foobar"));
    CHECK(decode("DeAdBeEf", encoding::hex) == std::optional<std::string>("\xde\xad\xbe\xef"));
}

TEST_CASE("Encoding then decoding gives back every byte string of length 0 to 64", "[crypto][encoding]") {
    for (std::size_t n = 0; n <= 64; ++n) {
        std::string bytes = pattern(n);
        for (encoding enc : {encoding::hex, encoding::base64, encoding::base64url}) {
            INFO("length " << n << ", encoding " << static_cast<int>(enc));
            std::string text = encode(bytes, enc);
            CHECK(text.size() == encoded_size(n, enc));
            CHECK(decoded_size(text, enc) == std::optional<std::size_t>(n));
            CHECK(decode(text, enc) == std::optional<std::string>(bytes));
        }
    }
}

TEST_CASE("Every byte value survives a round trip", "[crypto][encoding]") {
    std::string bytes(256, '\0');
    for (std::size_t i = 0; i < 256; ++i)
        bytes[i] = static_cast<char>(i);
    for (encoding enc : {encoding::hex, encoding::base64, encoding::base64url})
        CHECK(decode(encode(bytes, enc), enc) == std::optional<std::string>(bytes));
    // The base64 alphabets differ only in the last two characters.
    std::string b64 = encode(bytes, encoding::base64), url = encode(bytes, encoding::base64url);
    CHECK(b64.find_first_of("+/") != std::string::npos);
    CHECK(url.find_first_of("+/=") == std::string::npos);
    CHECK(url.find_first_of("-_") != std::string::npos);
}

TEST_CASE("Hex decoding refuses odd lengths, bad characters and white space", "[crypto][encoding]") {
    for (std::string_view bad : {"a", "abc", "0g", "zz", "ab cd", " abcd", "abcd ", "abcd\n", "0x12", "+1"}) {
        INFO('"' << bad << '"');
        CHECK_FALSE(decode(bad, encoding::hex).has_value());
    }
    CHECK_FALSE(decode(std::string_view("ab\0d", 4), encoding::hex).has_value());
}

TEST_CASE("Base64 decoding refuses bad characters and white space", "[crypto][encoding]") {
    for (std::string_view bad :
         {"Zm9v!", "Zm9*", "Zm 9v", " Zm9v", "Zm9v ", "Zm9v\n", "Zm9v\r\n", "Zm\t9v", "Zm9-", "Zm9_", "Zm9vYg==\n"}) {
        INFO('"' << bad << '"');
        CHECK_FALSE(decode(bad, encoding::base64).has_value());
        CHECK_FALSE(decode(bad, encoding::base64, padding::optional).has_value());
    }
    // The url alphabet has no '+' or '/'.
    CHECK_FALSE(decode("Zm9+", encoding::base64url).has_value());
    CHECK_FALSE(decode("Zm9/", encoding::base64url).has_value());
    CHECK(decode("Zm9-", encoding::base64url).has_value());
    CHECK(decode("Zm9+", encoding::base64).has_value());
}

TEST_CASE("Base64 decoding refuses wrong padding", "[crypto][encoding]") {
    for (std::string_view bad : {"Zg", "Zg=", "Zg===", "Zm8", "Zm8==", "Zm9v=", "Zm9v==", "Zm9v====", "Zm9vYg=",
                                 "Zm9vYg===", "=", "==", "====", "Zg==Zg==", "Z===", "Zm=v"}) {
        INFO('"' << bad << '"');
        CHECK_FALSE(decode(bad, encoding::base64).has_value());
    }
    // Padding is never optional where it is wrong, only where it is absent.
    for (std::string_view bad : {"Zg=", "Zg===", "Zm9v=", "Zm9v====", "Zm9vYg===", "=", "====", "Z===", "Zm=v"}) {
        INFO('"' << bad << "\" with optional padding");
        CHECK_FALSE(decode(bad, encoding::base64, padding::optional).has_value());
        CHECK_FALSE(decode(bad, encoding::base64url).has_value());
    }
}

TEST_CASE("Base64 decoding refuses non-canonical trailing bits", "[crypto][encoding]") {
    // "QQ==" is "A"; "QR==" has the same first byte but non-zero bits after it, so it is another spelling of "A".
    CHECK(decode("QQ==", encoding::base64) == std::optional<std::string>("A"));
    for (std::string_view bad : {"QR==", "QT==", "Qf==", "Zm9=", "Zm+=", "Zh=="}) {
        INFO('"' << bad << '"');
        CHECK_FALSE(decode(bad, encoding::base64).has_value());
    }
    CHECK_FALSE(decode("QR", encoding::base64url).has_value());
    CHECK_FALSE(decode("Zm9", encoding::base64url).has_value());
    CHECK(decode("Zm8", encoding::base64url) == std::optional<std::string>("fo"));
}

TEST_CASE("Unpadded base64 is accepted only with padding::optional", "[crypto][encoding]") {
    CHECK_FALSE(decode("Zm8", encoding::base64).has_value());
    CHECK_FALSE(decode("Zg", encoding::base64, padding::required).has_value());
    CHECK(decode("Zm8", encoding::base64, padding::optional) == std::optional<std::string>("fo"));
    CHECK(decode("Zg", encoding::base64, padding::optional) == std::optional<std::string>("f"));
    // Padded text stays valid with optional padding.
    CHECK(decode("Zg==", encoding::base64, padding::optional) == std::optional<std::string>("f"));
    // One character left over is never a whole byte.
    CHECK_FALSE(decode("Zm9vY", encoding::base64, padding::optional).has_value());
    CHECK_FALSE(decode("Z", encoding::base64url).has_value());
    // base64url takes padding when it is right.
    CHECK(decode("Zg==", encoding::base64url) == std::optional<std::string>("f"));
}

TEST_CASE("decoded_size and encoded_size agree with the encodings", "[crypto][encoding]") {
    STATIC_REQUIRE(decoded_size("Zm9vYg==", encoding::base64) == std::optional<std::size_t>(4));
    STATIC_REQUIRE(decoded_size("Zm9vYg", encoding::base64url) == std::optional<std::size_t>(4));
    STATIC_REQUIRE(decoded_size("abcd", encoding::hex) == std::optional<std::size_t>(2));
    STATIC_REQUIRE_FALSE(decoded_size("abc", encoding::hex).has_value());
    STATIC_REQUIRE(encoded_size(32, encoding::hex) == 64);
    STATIC_REQUIRE(encoded_size(32, encoding::base64) == 44);
    STATIC_REQUIRE(encoded_size(32, encoding::base64url) == 43);
    STATIC_REQUIRE(encoded_size(0, encoding::base64) == 0);
}

TEST_CASE("Decoding into a caller's buffer needs exactly the decoded size", "[crypto][encoding]") {
    std::array<unsigned char, 3> exact{};
    CHECK(decode("Zm9v", encoding::base64, exact));
    CHECK(exact == std::array<unsigned char, 3>{'f', 'o', 'o'});
    std::array<unsigned char, 4> larger{};
    CHECK_FALSE(decode("Zm9v", encoding::base64, larger));
    std::array<unsigned char, 2> smaller{};
    CHECK_FALSE(decode("Zm9v", encoding::base64, smaller));
    CHECK_FALSE(decode("666f", encoding::hex, exact));
}

TEST_CASE("Encoding and decoding work in constant expressions", "[crypto][encoding]") {
    STATIC_REQUIRE([] {
        std::array<unsigned char, 3> out{};
        return decode("Zm9v", encoding::base64, out) && out[0] == 'f' && out[2] == 'o';
    }());
    STATIC_REQUIRE([] {
        const std::array<unsigned char, 2> in{0xde, 0xad};
        std::array<char, 4> out{};
        encode(in, encoding::hex, out);
        return out == std::array<char, 4>{'d', 'e', 'a', 'd'};
    }());
}
