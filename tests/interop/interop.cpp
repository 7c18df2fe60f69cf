// SPDX-License-Identifier: BSL-1.0
//
// C++ side of the interop test (see README.md in this directory): signs cases with the library's own signers and
// verifies cases signed by the providers' npm SDKs (sdk.mjs), in the same JSON case format.
//
//   webhooks_interop verify <file>
//       Verifies every case with the library's preset (providers::stripe, standard_webhooks, svix, github) through
//       basic_request and the scheme's verify(), on the real clock. Also, per case, two copies that must be
//       rejected with no_matching_signature: one body byte changed (a byte appended to an empty body), and another
//       secret. Prints "verified N of M", a count per scheme, one "FAIL <scheme> #<index>: <reason>" line per
//       failure, and "N passed, M failed". Exit status 1 on any failure or if M is 0; 2 on a usage or file error.
//   webhooks_interop sign <stripe|standard|svix|github|all> <count> <seed>
//       Prints a JSON case array signed by the library's signers, <count> per scheme, with the bodies each SDK can
//       carry (README.md "Which bodies each SDK can carry"). Secrets and bodies are reproducible from <seed>;
//       timestamps are now + [-100, 100] s (0 for github).

#include <webhooks/crypto/compare.hpp>
#include <webhooks/crypto/encoding.hpp>
#include <webhooks/crypto/hmac.hpp>
#include <webhooks/error.hpp>
#include <webhooks/providers/github.hpp>
#include <webhooks/providers/standard_webhooks.hpp>
#include <webhooks/providers/stripe.hpp>
#include <webhooks/providers/svix.hpp>
#include <webhooks/request.hpp>
#include <webhooks/signature/header_scheme.hpp>
#include <webhooks/signature/key_ring.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace std::literals;
namespace json = boost::json;
namespace crypto = webhooks::crypto;

const std::array<std::string_view, 4> all_schemes = {"stripe", "standard", "svix", "github"};

// The exact header set the case format prescribes for each scheme (sdk.mjs EXPECTED_HEADERS).
std::vector<std::string_view> expected_headers(std::string_view scheme) {
    if (scheme == "stripe") return {"Stripe-Signature"};
    if (scheme == "standard") return {"webhook-id", "webhook-timestamp", "webhook-signature"};
    if (scheme == "svix") return {"svix-id", "svix-timestamp", "svix-signature"};
    return {"X-Hub-Signature-256"};
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
bool padded(std::string_view s) { return !s.empty() && (is_space(s.front()) || is_space(s.back())); }

// ------------------------------------------------------------------------------------------------------ PRNG

// std::mt19937_64 is specified exactly by the standard; the distributions are not, so bounded draws are done here
// (the modulo bias is irrelevant for test data) and a seed gives the same cases with every standard library.
class rng {
public:
    explicit rng(std::string_view seed) {
        std::vector<std::uint32_t> words(seed.begin(), seed.end());
        std::seed_seq seq(words.begin(), words.end());
        engine_.seed(seq);
    }
    std::uint64_t next() { return engine_(); }
    /// Uniform in [lo, hi].
    std::int64_t between(std::int64_t lo, std::int64_t hi) {
        return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
    }
    std::size_t index(std::size_t n) { return static_cast<std::size_t>(next() % n); }
    bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
    template <class T>
    const T& pick(const std::vector<T>& v) { return v[index(v.size())]; }
    std::string bytes(std::size_t n) {
        std::string out(n, '\0');
        for (char& c : out) c = static_cast<char>(next() & 0xff);
        return out;
    }
    std::string from(std::string_view alphabet, std::size_t n) {
        std::string out;
        out.reserve(n);
        for (std::size_t i = 0; i < n; ++i) out += alphabet[index(alphabet.size())];
        return out;
    }

private:
    std::mt19937_64 engine_;
};

// ------------------------------------------------------------------------------------------------------ bodies

// UTF-8 encoding of Unicode scalar values (the snippets are written as char32_t so the source's encoding and the
// compiler's execution character set do not matter).
std::string utf8(std::u32string_view text) {
    std::string out;
    for (char32_t c : text) {
        auto u = static_cast<std::uint32_t>(c);
        if (u < 0x80) {
            out += static_cast<char>(u);
        } else if (u < 0x800) {
            out += static_cast<char>(0xC0 | (u >> 6));
            out += static_cast<char>(0x80 | (u & 0x3F));
        } else if (u < 0x10000) {
            out += static_cast<char>(0xE0 | (u >> 12));
            out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (u & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (u >> 18));
            out += static_cast<char>(0x80 | ((u >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (u & 0x3F));
        }
    }
    return out;
}

std::vector<std::string> utf8_all(std::initializer_list<std::u32string_view> list) {
    std::vector<std::string> out;
    for (auto s : list) out.push_back(utf8(s));
    return out;
}

// Strict UTF-8 validation (no overlongs, no surrogates, nothing above U+10FFFF): what every SDK can carry.
bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto b = static_cast<unsigned char>(s[i]);
        std::size_t n;
        std::uint32_t cp;
        if (b < 0x80) { ++i; continue; }
        if (b >= 0xC2 && b <= 0xDF) { n = 1; cp = b & 0x1F; }
        else if (b >= 0xE0 && b <= 0xEF) { n = 2; cp = b & 0x0F; }
        else if (b >= 0xF0 && b <= 0xF4) { n = 3; cp = b & 0x07; }
        else return false;
        if (s.size() - i <= n) return false;  // truncated
        for (std::size_t k = 1; k <= n; ++k) {
            auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

const std::string alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

std::string printable() {
    std::string s;
    for (char c = 0x20; c <= 0x7e; ++c) s += c;
    return s;
}

const std::vector<std::string> unicode_snippets = utf8_all({
    U"café", U"naïve", U"Ångström", U"Æsir", U"Straße", U"ñandú", U"Crème brûlée", U"e\u0301", U"Œuvre",
    U"日本語のテキスト", U"中文字符", U"한국어", U"Ελληνικά", U"Кириллица", U"עברית", U"العربية", U"हिन्दी", U"ไทย",
    U"\U0001F600", U"\U0001F389", U"\U0001F469\u200D\U0001F4BB", U"\U0001F1EF\U0001F1F5", U"\U0001D11E",
    U"\U0001F9EA", U"\u2028", U"\u2029", U"\u00A0", U"€", U"£", U"¥", U"™", U"½",
});

const std::vector<std::string> edge_snippets = utf8_all({
    U"\0"sv, U"\x01", U"\x1F", U"\x7F", U"\u0080", U"\u009F", U"\r\n", U"\r", U"\n", U"\t", U" ",
    U"\uFEFF", U"\uFFFD", U"\uFFFE", U"\uFFFF", U"\uD7FF", U"\uE000", U"\uFDD0", U"\U00010000", U"\U0010FFFF",
    U"\U0001F600", U"\u0301", U"\\", U"\"", U"'", U"%", U"&", U"=", U"+", U".", U",", U"whsec_", U"v1,",
    U"t=1,v1=", U"sha256=", U"\0\0\0"sv,
});

// Byte sequences that are not UTF-8: CESU-8 surrogates, overlongs, beyond U+10FFFF, lone continuation bytes,
// 0xFE/0xFF, a truncated sequence. Only Standard Webhooks' SDK takes bytes, so only it gets these.
const std::vector<std::string> invalid_utf8_snippets = {
    "\xED\xA0\x80"s, "\xED\xBF\xBF"s, "\xED\xA0\xBD\xED\xB8\x80"s, "\xC0\xAF"s, "\xC1\xBF"s, "\xE0\x80\xAF"s,
    "\xF0\x80\x80\xAF"s, "\xF4\x90\x80\x80"s, "\xF8\x88\x80\x80\x80"s, "\x80"s, "\xBF"s, "\xFE"s, "\xFF"s,
    "\xF0\x9F\x98"s, "\xE2\x82"s, "\xC3"s,
};

std::string ascii_word(rng& r) { return r.from(alnum, static_cast<std::size_t>(r.between(1, 12))); }

std::string unicode_word(rng& r) {
    std::string s;
    for (auto n = r.between(1, 4); n > 0; --n) s += r.chance(0.5) ? r.pick(unicode_snippets) : ascii_word(r);
    return s;
}

using word_fn = std::string (*)(rng&);

json::object make_event(rng& r, word_fn word) {
    static const std::vector<std::string> types = {"invoice.paid", "push", "message.created", "customer.updated",
                                                   "ping", "issues.opened"};
    json::object data;
    for (auto n = r.between(0, 8); n > 0; --n) {
        std::string key = r.chance(0.2) ? word(r) : ascii_word(r);
        switch (r.between(0, 5)) {
        case 0: data[key] = r.between(-1'000'000'000, 1'000'000'000); break;
        case 1: data[key] = r.chance(0.5); break;
        case 2: data[key] = nullptr; break;
        case 3: data[key] = json::array{json::string(word(r)), json::string(word(r))}; break;
        case 4: data[key] = json::object{{"nested", json::string(word(r))}, {"n", r.between(0, 99)}}; break;
        default: data[key] = json::string(word(r)); break;
        }
    }
    json::object ev;
    ev["id"] = "evt_" + r.from(alnum, 24);
    ev["object"] = "event";
    ev["type"] = r.pick(types);
    ev["created"] = r.between(1'600'000'000, 1'900'000'000);
    ev["livemode"] = r.chance(0.5);
    ev["data"] = json::object{{"object", std::move(data)}};
    return ev;
}

// Writes `v` with one level of `indent` per depth and `newline` between members (Boost.JSON 1.81 only writes
// compact JSON).
void write_pretty(std::string& out, const json::value& v, std::string_view indent, std::string_view newline,
                  std::size_t depth) {
    auto pad = [&](std::size_t d) {
        for (std::size_t i = 0; i < d; ++i) out += indent;
    };
    if (const json::object* o = v.if_object(); o && !o->empty()) {
        out += '{';
        bool first = true;
        for (const auto& kv : *o) {
            if (!first) out += ',';
            first = false;
            out += newline;
            pad(depth + 1);
            out += json::serialize(json::string(kv.key()));
            out += ": ";
            write_pretty(out, kv.value(), indent, newline, depth + 1);
        }
        out += newline;
        pad(depth);
        out += '}';
    } else if (const json::array* a = v.if_array(); a && !a->empty()) {
        out += '[';
        bool first = true;
        for (const json::value& e : *a) {
            if (!first) out += ',';
            first = false;
            out += newline;
            pad(depth + 1);
            write_pretty(out, e, indent, newline, depth + 1);
        }
        out += newline;
        pad(depth);
        out += ']';
    } else {
        out += json::serialize(v);
    }
}

std::string stringify_variant(rng& r, const json::value& v) {
    std::string out;
    switch (r.between(0, 3)) {
    case 0: return json::serialize(v);
    case 1: write_pretty(out, v, "  ", "\n", 0); return out;
    case 2: write_pretty(out, v, "  ", "\r\n", 0); return out + "\r\n";
    default: write_pretty(out, v, "\t", "\n", 0); return out + "\n";
    }
}

std::string percent_encode(std::string_view s) {
    static constexpr const char* hex = "0123456789ABCDEF";
    std::string out;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 15];
        }
    }
    return out;
}

std::string body_json_ascii(rng& r) { return stringify_variant(r, make_event(r, ascii_word)); }
std::string body_json_unicode(rng& r) { return stringify_variant(r, make_event(r, unicode_word)); }

std::string body_form(rng& r) {  // GitHub's application/x-www-form-urlencoded flavour
    return "payload=" + percent_encode(json::serialize(make_event(r, r.chance(0.5) ? ascii_word : unicode_word)));
}

std::string body_utf8_edge(rng& r) {  // valid UTF-8, not JSON: NUL, controls, BOM, noncharacters, U+10FFFF, …
    std::string s = r.chance(0.35) ? utf8(U"\uFEFF") : "";
    for (auto n = r.between(1, 64); n > 0; --n)
        s += r.chance(0.6) ? r.pick(edge_snippets) : (r.chance(0.5) ? ascii_word(r) : r.pick(unicode_snippets));
    return s;
}

std::string body_large(rng& r) {  // ~4 KiB .. 64 KiB of JSON
    auto target = static_cast<std::size_t>(r.between(4096, 65536 - 512));
    json::array items;
    std::size_t size = 2;
    while (size < target) {
        json::object ev = make_event(r, r.chance(0.5) ? ascii_word : unicode_word);
        size += json::serialize(ev).size() + 1;
        items.push_back(std::move(ev));
    }
    return json::serialize(json::object{{"object", "list"}, {"data", std::move(items)}});
}

std::string body_empty(rng&) { return {}; }

std::string body_binary(rng& r) {  // all 256 byte values, shuffled, then random bytes: never valid UTF-8
    std::string all(256, '\0');
    std::iota(all.begin(), all.end(), '\0');
    for (std::size_t i = all.size() - 1; i > 0; --i) std::swap(all[i], all[r.index(i + 1)]);
    auto extra = static_cast<std::size_t>(r.chance(0.15) ? r.between(0, 65536 - 256) : r.between(0, 2048));
    return all + r.bytes(extra);
}

std::string body_almost_utf8(rng& r) {  // UTF-8 text with one or more invalid sequences in it
    std::string s;
    for (auto n = r.between(1, 32); n > 0; --n)
        s += r.chance(0.5) ? ascii_word(r) : r.pick(unicode_snippets);
    for (auto n = r.between(1, 3); n > 0; --n) {
        std::size_t at = r.index(s.size() + 1);
        // Insert between code points, so the only invalid bytes are the inserted ones.
        while (at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) ++at;
        s.insert(at, r.pick(invalid_utf8_snippets));
    }
    return s;
}

struct body_kind {
    std::string_view name;
    std::string (*make)(rng&);
};

// Body kinds per scheme: exactly what each SDK can carry (README.md "Which bodies each SDK can carry").
std::vector<body_kind> kinds_for(std::string_view scheme) {
    const body_kind ascii{"json-ascii", body_json_ascii}, unicode{"json-unicode", body_json_unicode},
        form{"form", body_form}, edge{"utf8-edge", body_utf8_edge}, large{"large", body_large},
        empty{"empty", body_empty}, binary{"binary", body_binary}, almost{"almost-utf8", body_almost_utf8};
    if (scheme == "standard") return {ascii, unicode, binary, empty, large, edge, form, almost};
    if (scheme == "github") return {ascii, unicode, edge, large, form};
    return {ascii, unicode, edge, empty, large, form};  // stripe, svix
}

// Whether the scheme's SDK can carry `body` exactly (sdk.mjs unrepresentable()).
bool carried_by_sdk(std::string_view scheme, std::string_view body) {
    if (scheme == "standard") return true;
    if (!valid_utf8(body)) return false;
    return scheme != "github" || !body.empty();
}

// ------------------------------------------------------------------------------------------------------ secrets

std::string make_secret(rng& r, std::string_view scheme) {
    if (scheme == "stripe") return "whsec_" + r.from(alnum, static_cast<std::size_t>(r.between(24, 64)));
    if (scheme == "standard" || scheme == "svix")
        return "whsec_" + crypto::encode(r.bytes(static_cast<std::size_t>(r.between(24, 64))), crypto::encoding::base64);
    // github: printable ASCII, 1..64 characters. The library refuses a secret that starts or ends with white space
    // (webhooks::secret), so the first and last characters are never a space; inner spaces are common.
    static const std::string print = printable();
    static const std::vector<std::string> words = {"It's", "a", "Secret", "to", "Everybody", "hook", "p@ss",
                                                   "w0rd!", "#1", "x=y&z", "\"q\"", "\\", "{}", "%20", "~"};
    std::string s;
    switch (r.between(0, 2)) {
    case 0: s = r.from(alnum, static_cast<std::size_t>(r.between(1, 64))); break;
    case 1: s = r.from(print, static_cast<std::size_t>(r.between(1, 64))); break;
    default:
        for (auto n = r.between(1, 8); n > 0; --n) s += (s.empty() ? "" : " ") + r.pick(words);
        s = s.substr(0, 64);
        break;
    }
    static const std::string solid = print.substr(1);  // printable without the space
    if (s.front() == ' ') s.front() = solid[r.index(solid.size())];
    if (s.back() == ' ') s.back() = solid[r.index(solid.size())];
    return s;
}

// Another secret of the same kind, different from `secret` (for the wrong-secret check).
std::string other_secret(std::string_view scheme, const std::string& secret, std::size_t index) {
    rng r("other/" + std::string(scheme) + "/" + std::to_string(index));
    for (;;) {
        std::string s = make_secret(r, scheme);
        if (s != secret) return s;
    }
}

// ------------------------------------------------------------------------------------------------------ sign

json::object sign_case(std::string_view scheme, const std::string& secret, const std::string& id,
                       std::int64_t timestamp, const std::string& body) {
    webhooks::sign_options options{.id = id, .timestamp = timestamp};
    webhooks::signed_headers headers;
    webhooks::secret key{secret};
    if (scheme == "stripe") headers = webhooks::providers::stripe{key}.sign(body, options);
    else if (scheme == "standard") headers = webhooks::providers::standard_webhooks{key}.sign(body, options);
    else if (scheme == "svix") headers = webhooks::providers::svix{key}.sign(body, options);
    else headers = webhooks::providers::github{key}.sign(body, {.id = {}, .timestamp = {}});

    json::object out_headers;
    for (const webhooks::outgoing_header& h : headers) {
        // github's signer also writes an X-GitHub-Delivery id; it is not signed, and the case format has no place
        // for it (sdk.mjs demands the exact header set).
        if (scheme == "github" && webhooks::detail::iequals(h.name, "X-GitHub-Delivery")) continue;
        out_headers[h.name] = h.value;
    }
    std::vector<std::string_view> want = expected_headers(scheme);
    bool same = out_headers.size() == want.size();
    for (std::string_view name : want) same = same && out_headers.contains(name);
    if (!same)
        throw std::runtime_error("internal: the " + std::string(scheme) + " signer wrote the headers " +
                                 json::serialize(out_headers) + ", not the case format's set");

    json::object c;
    c["scheme"] = scheme;
    c["secret"] = secret;
    c["id"] = id;
    c["timestamp"] = timestamp;
    c["body_b64"] = crypto::encode(body, crypto::encoding::base64);
    c["headers"] = std::move(out_headers);
    return c;
}

int sign_command(std::string_view which, std::size_t count, std::string_view seed) {
    std::vector<std::string_view> schemes;
    if (which == "all") schemes.assign(all_schemes.begin(), all_schemes.end());
    else schemes.push_back(which);

    const std::int64_t now = unix_now();
    std::string out = "[";
    bool first = true;
    for (std::string_view scheme : schemes) {
        rng r(std::string(seed) + "/" + std::string(scheme));
        std::vector<body_kind> kinds = kinds_for(scheme);
        for (std::size_t i = 0; i < count; ++i) {
            std::string secret = make_secret(r, scheme);
            bool has_id = scheme == "standard" || scheme == "svix";
            std::string id = has_id ? "msg_" + r.from(alnum, static_cast<std::size_t>(r.between(1, 40))) : "";
            std::int64_t offset = r.between(-100, 100);
            std::int64_t timestamp = scheme == "github" ? 0 : now + offset;
            const body_kind& kind = kinds[i % kinds.size()];
            std::string body = kind.make(r);
            if (!carried_by_sdk(scheme, body))
                throw std::runtime_error("internal: made a " + std::string(kind.name) + " body that the " +
                                         std::string(scheme) + " SDK cannot carry");
            out += first ? "\n" : ",\n";
            first = false;
            out += json::serialize(sign_case(scheme, secret, id, timestamp, body));
        }
    }
    out += "\n]\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 2;
}

// ------------------------------------------------------------------------------------------------------ verify

// The HMAC keys of `signature::hmac_keys`, built from key bytes instead of a `webhooks::secret`, which refuses a
// secret with white space at either end. GitHub itself (and @octokit/webhooks-methods) sign with such secrets, so
// SDK cases can carry them; this lets those cases still go through the GitHub preset's options and the generic
// header scheme (everything but the secret's construction-time check).
class unchecked_hmac_keys {
public:
    explicit unchecked_hmac_keys(std::string_view key) {
        ring_.add("1", crypto::hmac_key{crypto::hmac_algorithm::sha256, key});
    }
    std::size_t signature_size() const noexcept { return crypto::digest_size(crypto::hmac_algorithm::sha256); }
    std::optional<webhooks::key_match> match(std::span<const std::string_view> parts,
                                             std::span<const crypto::digest> candidates) const {
        return ring_.match([&](const crypto::hmac_key& key) {
            crypto::digest mac = key.compute(parts);
            bool found = false;
            for (const crypto::digest& c : candidates) found |= crypto::constant_time_equal(mac.bytes(), c.bytes());
            return found;
        });
    }
    std::vector<crypto::digest> sign(std::span<const std::string_view> parts, bool) const {
        return {ring_.front().key.compute(parts)};
    }

private:
    webhooks::key_ring<crypto::hmac_key> ring_;
};

struct test_case {
    std::string scheme, secret, id, body;
    std::int64_t timestamp = 0;
    std::vector<std::pair<std::string, std::string>> headers;
};

std::string field_string(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (!v || !v->is_string()) throw std::runtime_error("format: " + std::string(key) + " must be a string");
    return std::string(v->get_string());
}

test_case parse_case(const json::value& v) {
    const json::object* o = v.if_object();
    if (!o) throw std::runtime_error("format: case is not an object");
    test_case c;
    c.scheme = field_string(*o, "scheme");
    if (std::find(all_schemes.begin(), all_schemes.end(), c.scheme) == all_schemes.end())
        throw std::runtime_error("format: unknown scheme " + json::serialize(json::string(c.scheme)));
    c.secret = field_string(*o, "secret");
    c.id = field_string(*o, "id");
    const json::value* ts = o->if_contains("timestamp");
    if (!ts || !(ts->is_int64() || ts->is_uint64())) throw std::runtime_error("format: timestamp must be an integer");
    c.timestamp = ts->to_number<std::int64_t>();
    std::string b64 = field_string(*o, "body_b64");
    auto body = crypto::decode(b64, crypto::encoding::base64);
    if (!body) throw std::runtime_error("format: body_b64 is not canonical padded base64");
    c.body = std::move(*body);
    const json::value* headers = o->if_contains("headers");
    if (!headers || !headers->is_object()) throw std::runtime_error("format: headers must be an object");
    for (const auto& kv : headers->get_object()) {
        if (!kv.value().is_string()) throw std::runtime_error("format: header " + std::string(kv.key()) + " is not a string");
        c.headers.emplace_back(std::string(kv.key()), std::string(kv.value().get_string()));
    }
    std::vector<std::string_view> want = expected_headers(c.scheme);
    bool same = c.headers.size() == want.size();
    for (std::string_view name : want)
        same = same && std::count_if(c.headers.begin(), c.headers.end(),
                                     [&](const auto& h) { return webhooks::detail::iequals(h.first, name); }) == 1;
    if (!same) throw std::runtime_error("format: " + c.scheme + " needs exactly its own headers, got " +
                                        json::serialize(headers->get_object()));
    return c;
}

// What a verification came to: accepted, or the library's rejection (its message, and whether it was
// `no_matching_signature`).
struct outcome {
    bool accepted = false;
    bool no_matching_signature = false;
    std::string message;
    std::optional<std::int64_t> timestamp{};
    std::string id{};
};

outcome failed(std::string message) {
    outcome o;
    o.message = std::move(message);
    return o;
}

template <class Scheme>
outcome run_verify(const Scheme& scheme, const test_case& c, std::string_view body) {
    std::vector<webhooks::header_field> fields;
    for (const auto& [name, value] : c.headers) fields.push_back({name, value});
    webhooks::basic_request request{"POST", "/", fields, body};
    auto result = scheme.verify(request);
    outcome o;
    if (result) {
        o.accepted = true;
        o.timestamp = result->timestamp();
        o.id = std::string(result->id());
    } else {
        o.no_matching_signature = result.error() == webhooks::error::no_matching_signature;
        o.message = result.error().message();
    }
    return o;
}

// Verifies `body` under the case's headers with `secret`, through the preset of the case's scheme. A GitHub secret
// with white space at either end goes through `unchecked_hmac_keys` (see there), after checking that the preset
// refuses it.
outcome verify_with(const test_case& c, const std::string& secret, std::string_view body) {
    namespace providers = webhooks::providers;
    if (c.scheme == "github" && padded(secret)) {
        try {
            providers::github refused{webhooks::secret{secret}};
            return failed("the github preset accepted a secret padded with white space");
        } catch (const boost::system::system_error& e) {
            if (e.code() != webhooks::error::invalid_secret)
                return failed("a padded github secret was refused with " + std::string(e.what()));
        }
        webhooks::signature::header_scheme<unchecked_hmac_keys> scheme{providers::github::options(),
                                                                       unchecked_hmac_keys{secret}};
        return run_verify(scheme, c, body);
    }
    webhooks::secret key{secret};
    if (c.scheme == "stripe") return run_verify(providers::stripe{key}, c, body);
    if (c.scheme == "standard") return run_verify(providers::standard_webhooks{key}, c, body);
    if (c.scheme == "svix") return run_verify(providers::svix{key}, c, body);
    return run_verify(providers::github{key}, c, body);
}

// The case's checks; returns the failure, or nothing when all pass.
std::optional<std::string> check_case(const test_case& c, std::size_t index) {
    outcome good = verify_with(c, c.secret, c.body);
    if (!good.accepted) return "rejected: " + good.message;
    // What the verifier reports must be what was signed.
    if (c.scheme == "github") {
        if (good.timestamp) return "github delivery reports a timestamp";
    } else if (good.timestamp != c.timestamp) {
        return "accepted, but reports timestamp " + (good.timestamp ? std::to_string(*good.timestamp) : "none"s) +
               " instead of " + std::to_string(c.timestamp);
    }
    if ((c.scheme == "standard" || c.scheme == "svix") && good.id != c.id)
        return "accepted, but reports id " + good.id + " instead of " + c.id;

    // One byte changed (anywhere: the library takes bytes, so no UTF-8 constraint), or one appended to an empty body.
    std::string tampered = c.body;
    if (tampered.empty()) {
        tampered = " ";
    } else {
        rng r("tamper/" + std::to_string(index));
        std::size_t at = index % 2 == 0 ? tampered.size() - 1 : r.index(tampered.size());
        tampered[at] = static_cast<char>(tampered[at] ^ (1 << r.between(0, 7)));
    }
    outcome bad = verify_with(c, c.secret, tampered);
    if (bad.accepted) return "ACCEPTED the case with one body byte changed"s;
    if (!bad.no_matching_signature) return "body changed: rejected with \"" + bad.message + "\", not no_matching_signature";

    outcome wrong = verify_with(c, other_secret(c.scheme, c.secret, index), c.body);
    if (wrong.accepted) return "ACCEPTED the case with another secret"s;
    if (!wrong.no_matching_signature)
        return "other secret: rejected with \"" + wrong.message + "\", not no_matching_signature";
    return std::nullopt;
}

int verify_command(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::cerr << "webhooks_interop: cannot read " << file << '\n';
        return 2;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    boost::system::error_code ec;
    json::value doc = json::parse(text, ec);
    if (ec || !doc.is_array()) {
        std::cerr << "webhooks_interop: " << file << ": not a JSON array" << (ec ? " (" + ec.message() + ")" : "")
                  << '\n';
        return 2;
    }
    const json::array& cases = doc.get_array();

    struct tally {
        std::size_t ok = 0, total = 0;
    };
    std::map<std::string, tally> per_scheme;
    std::vector<std::string> failures;
    std::size_t padded_secrets = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const json::value* scheme_field = cases[i].is_object() ? cases[i].get_object().if_contains("scheme") : nullptr;
        std::string scheme = scheme_field && scheme_field->is_string() ? std::string(scheme_field->get_string()) : "?";
        tally& t = per_scheme[scheme];
        ++t.total;
        std::optional<std::string> failure;
        try {
            test_case c = parse_case(cases[i]);
            if (c.scheme == "github" && padded(c.secret)) ++padded_secrets;
            failure = check_case(c, i);
        } catch (const std::exception& e) {
            failure = std::string("exception: ") + e.what();
        }
        if (failure) failures.push_back("FAIL " + scheme + " #" + std::to_string(i) + ": " + *failure);
        else ++t.ok;
    }

    std::size_t total = cases.size(), passed = total - failures.size();
    std::cout << "verified " << passed << " of " << total << '\n';
    for (const auto& [scheme, t] : per_scheme) std::cout << "  " << scheme << ": " << t.ok << " of " << t.total << '\n';
    if (padded_secrets > 0)
        std::cout << "  (" << padded_secrets << " github secrets start or end with white space: the github preset "
                  << "refused each with invalid_secret, as designed, and the signature was checked with the preset's "
                  << "options over unchecked key bytes)\n";
    for (const std::string& f : failures) std::cout << f << '\n';
    std::cout << passed << " passed, " << failures.size() << " failed" << std::endl;
    return failures.empty() && total > 0 ? 0 : 1;
}

int usage() {
    std::cerr << "usage: webhooks_interop verify <file>\n"
                 "       webhooks_interop sign <stripe|standard|svix|github|all> <count> <seed>\n";
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    try {
        std::vector<std::string_view> args(argv + 1, argv + argc);
        if (args.size() == 2 && args[0] == "verify") return verify_command(std::string(args[1]));
        if (args.size() == 4 && args[0] == "sign") {
            std::string_view which = args[1];
            if (which != "all" && std::find(all_schemes.begin(), all_schemes.end(), which) == all_schemes.end())
                return usage();
            std::size_t count = 0;
            std::istringstream parse{std::string(args[2])};
            if (!(parse >> count) || !parse.eof()) return usage();
            return sign_command(which, count, args[3]);
        }
        return usage();
    } catch (const std::exception& e) {
        std::cerr << "webhooks_interop: " << e.what() << '\n';
        return 2;
    }
}
