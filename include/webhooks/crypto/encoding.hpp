// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_CRYPTO_ENCODING_HPP
#define WEBHOOKS_CRYPTO_ENCODING_HPP

/// @file
/// Strict hex and base64, as signatures and keys are written on the wire. Decoding refuses anything that is not
/// the canonical form of some bytes (stray characters, white space, wrong padding, non-zero trailing bits), so a
/// signature has exactly one spelling. Decoding into a caller's buffer allocates nothing.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace webhooks::crypto {

/// How a signature or key is written as text.
enum class encoding {
    hex,        ///< Lower- or upper-case hexadecimal (encoding writes lower case).
    base64,     ///< RFC 4648 §4, `+/`; padding required (but see `padding::optional`).
    base64url,  ///< RFC 4648 §5, `-_`; padding optional.
};

/// Whether base64 `=` padding must be there.
enum class padding { required, optional };

namespace detail {

// 256-entry tables: one load per character instead of a chain of range tests. -1 marks a character not in the set.
struct decode_tables {
    signed char hex[256];
    signed char base64[256];
    signed char base64url[256];
};

constexpr decode_tables make_decode_tables() noexcept {
    decode_tables t{};
    for (int i = 0; i < 256; ++i) t.hex[i] = t.base64[i] = t.base64url[i] = -1;
    for (int i = 0; i < 10; ++i) t.hex['0' + i] = static_cast<signed char>(i);
    for (int i = 0; i < 6; ++i) {
        t.hex['a' + i] = static_cast<signed char>(10 + i);
        t.hex['A' + i] = static_cast<signed char>(10 + i);
    }
    for (int i = 0; i < 26; ++i) {
        t.base64['A' + i] = t.base64url['A' + i] = static_cast<signed char>(i);
        t.base64['a' + i] = t.base64url['a' + i] = static_cast<signed char>(26 + i);
    }
    for (int i = 0; i < 10; ++i) t.base64['0' + i] = t.base64url['0' + i] = static_cast<signed char>(52 + i);
    t.base64[static_cast<unsigned char>('+')] = 62;
    t.base64[static_cast<unsigned char>('/')] = 63;
    t.base64url[static_cast<unsigned char>('-')] = 62;
    t.base64url[static_cast<unsigned char>('_')] = 63;
    return t;
}

inline constexpr decode_tables tables = make_decode_tables();

constexpr int hex_value(char c) noexcept { return tables.hex[static_cast<unsigned char>(c)]; }

constexpr int base64_value(char c, bool url) noexcept {
    return (url ? tables.base64url : tables.base64)[static_cast<unsigned char>(c)];
}

constexpr const char* base64_alphabet(bool url) noexcept {
    return url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
               : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

} // namespace detail

/// @return how many bytes `text` decodes to under `enc`, or nothing if it cannot be canonical text of that encoding.
constexpr std::optional<std::size_t> decoded_size(std::string_view text, encoding enc,
                                                  padding pad = padding::required) noexcept {
    if (enc == encoding::hex) {
        if (text.size() % 2 != 0) return std::nullopt;
        return text.size() / 2;
    }
    std::size_t pads = 0;
    while (pads < 2 && pads < text.size() && text[text.size() - 1 - pads] == '=') ++pads;
    std::size_t chars = text.size() - pads;
    bool pad_required = enc == encoding::base64 && pad == padding::required;
    if (pads > 0 || pad_required) {
        if (text.size() % 4 != 0) return std::nullopt;
        if (pads != (4 - chars % 4) % 4) return std::nullopt;
    } else if (chars % 4 == 1) {
        return std::nullopt;
    }
    return chars / 4 * 3 + (chars % 4 == 0 ? 0 : chars % 4 - 1);
}

/// Decodes `text` into `out`, which must hold exactly `decoded_size(text, enc, pad)` bytes.
/// @return true when `text` is canonical text of that encoding and fits `out` exactly; `out` is unspecified otherwise.
constexpr bool decode(std::string_view text, encoding enc, std::span<unsigned char> out,
                      padding pad = padding::required) noexcept {
    auto size = decoded_size(text, enc, pad);
    if (!size || *size != out.size()) return false;
    if (enc == encoding::hex) {
        int bad = 0;  // checked once at the end: no branch per byte
        for (std::size_t i = 0; i < out.size(); ++i) {
            int hi = detail::hex_value(text[2 * i]), lo = detail::hex_value(text[2 * i + 1]);
            bad |= hi | lo;
            out[i] = static_cast<unsigned char>(hi << 4 | lo);
        }
        return bad >= 0;
    }
    const bool url = enc == encoding::base64url;
    // Strip exactly the padding `decoded_size` counted (at most two); any other '=' is a bad character below.
    for (int i = 0; i < 2 && !text.empty() && text.back() == '='; ++i) text.remove_suffix(1);
    std::size_t o = 0;
    // Whole groups of four characters make three bytes.
    int bad = 0;
    while (text.size() >= 4) {
        int a = detail::base64_value(text[0], url), b = detail::base64_value(text[1], url),
            c = detail::base64_value(text[2], url), d = detail::base64_value(text[3], url);
        bad |= a | b | c | d;
        unsigned v = unsigned(a & 63) << 18 | unsigned(b & 63) << 12 | unsigned(c & 63) << 6 | unsigned(d & 63);
        out[o++] = static_cast<unsigned char>(v >> 16);
        out[o++] = static_cast<unsigned char>(v >> 8);
        out[o++] = static_cast<unsigned char>(v);
        text.remove_prefix(4);
    }
    if (bad < 0) return false;
    unsigned acc = 0;
    int bits = 0;
    for (char c : text) {
        int v = detail::base64_value(c, url);
        if (v < 0) return false;
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = static_cast<unsigned char>(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return acc == 0;  // the bits left over must be zero, or the text is not canonical
}

/// Decodes `text` into a new string of bytes.
/// @return the bytes, or nothing if `text` is not canonical text of that encoding.
inline std::optional<std::string> decode(std::string_view text, encoding enc, padding pad = padding::required) {
    auto size = decoded_size(text, enc, pad);
    if (!size) return std::nullopt;
    std::string out(*size, '\0');
    if (!decode(text, enc, std::span(reinterpret_cast<unsigned char*>(out.data()), out.size()), pad))
        return std::nullopt;
    return out;
}

/// @return the length of `encode(bytes of size n, enc)`; base64 is padded, base64url is not.
constexpr std::size_t encoded_size(std::size_t n, encoding enc) noexcept {
    switch (enc) {
    case encoding::hex: return 2 * n;
    case encoding::base64: return (n + 2) / 3 * 4;
    case encoding::base64url: return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
    }
    return 0;
}

/// Encodes `bytes` into `out`, which must hold exactly `encoded_size(bytes.size(), enc)` characters.
constexpr void encode(std::span<const unsigned char> bytes, encoding enc, std::span<char> out) noexcept {
    if (enc == encoding::hex) {
        constexpr const char* digits = "0123456789abcdef";
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            out[2 * i] = digits[bytes[i] >> 4];
            out[2 * i + 1] = digits[bytes[i] & 15];
        }
        return;
    }
    const char* alphabet = detail::base64_alphabet(enc == encoding::base64url);
    std::size_t o = 0, i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        unsigned v = unsigned(bytes[i]) << 16 | unsigned(bytes[i + 1]) << 8 | bytes[i + 2];
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    std::size_t rest = bytes.size() - i;
    if (rest == 0) return;
    unsigned v = unsigned(bytes[i]) << 16 | (rest == 2 ? unsigned(bytes[i + 1]) << 8 : 0u);
    out[o++] = alphabet[v >> 18];
    out[o++] = alphabet[(v >> 12) & 63];
    if (rest == 2) out[o++] = alphabet[(v >> 6) & 63];
    if (enc == encoding::base64) {
        if (rest == 1) out[o++] = '=';
        out[o++] = '=';
    }
}

/// @return `bytes` encoded as text.
inline std::string encode(std::span<const unsigned char> bytes, encoding enc) {
    std::string out(encoded_size(bytes.size(), enc), '\0');
    encode(bytes, enc, std::span(out.data(), out.size()));
    return out;
}

/// @return the bytes of `bytes` (a string of raw bytes) encoded as text.
inline std::string encode(std::string_view bytes, encoding enc) {
    return encode(std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()), enc);
}

} // namespace webhooks::crypto

#endif
