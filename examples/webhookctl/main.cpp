// SPDX-License-Identifier: BSL-1.0
// webhookctl: sign, verify and send webhook deliveries from the command line, for every provider preset.
//
//   printf '%s' 'Hello, World!' | webhookctl sign --scheme github --secret "It's a Secret to Everybody"
//   webhookctl verify --scheme stripe --secret whsec_… --header "Stripe-Signature: t=…,v1=…" --body-file event.json
//   webhookctl send --scheme standard --secret whsec_… --url http://127.0.0.1:8080/hooks --repeat 5 --concurrency 5
//
// Exit status: 0 success, 1 rejected (verify) or a request without a response (send), 2 bad arguments.

#include "http_post.hpp"

#include <webhooks/error.hpp>
#include <webhooks/providers.hpp>
#include <webhooks/request.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {

namespace providers = webhooks::providers;
namespace crypto = webhooks::crypto;

constexpr std::string_view usage_text = R"usage(usage:
  webhookctl sign   --scheme S --secret K [--id ID] [--timestamp UNIX] [--body-file F]
  webhookctl verify --scheme S --secret K [--secret K2 ...] --header "Name: value" ... [--body-file F]
                    [--tolerance SECONDS] [--now UNIX]
  webhookctl send   --scheme S --secret K --url http://HOST:PORT/path [--body-file F] [--id ID] [--timestamp UNIX]
                    [--content-type T] [--repeat N] [--concurrency C]

  sign    prints the headers a sender sends with the body, one "Name: value" per line.
  verify  checks the headers against the body: prints "verified id=... timestamp=... key=..." and exits 0, or
          prints "rejected: <reason> (HTTP <status>)" and exits 1.
  send    signs the body once and POSTs that same delivery N times (same id, timestamp and signature), from C
          threads at once, each with its own connection; prints "<status> Idempotent-Replayed=<value|-> <time>us"
          per response, followed by " Retry-After=<value>" when the answer has one. --header adds unsigned
          headers (X-GitHub-Event: push). Exits 1 when a request gets no response.

options:
  --scheme S          standard, standard-ed25519, svix, stripe, github, slack, shopify, or hmac
  --secret K          the secret as the provider gives it (whsec_...; for standard-ed25519 a whsk_ key signs and
                      verifies, a whpk_ key only verifies). Repeat it for a key ring during rotation: keys are
                      numbered 1, 2, ... in the order given, and verify reports which one matched.
  --body-file F       the body, byte for byte (default: standard input)
  --id ID             the delivery id to sign (default: a fresh msg_... for schemes that send one)
  --timestamp UNIX    the timestamp to sign (default: now)
  --header "N: V"     a header of the delivery to verify; repeat for each
  --tolerance SECONDS the replay window: both ways for standard, standard-ed25519 and svix; age only for
                      stripe and slack; schemes that sign no timestamp ignore it
  --now UNIX          the time to check timestamps against (default: the system clock)
  --url URL           where send POSTs: plain http only
  --content-type T    send's Content-Type (default: application/json)
  --repeat N          copies to send, 1 to 10000 (default 1)
  --concurrency C     threads sending at once, 1 to 64 (default 1)

  hmac (a provider that MACs only the body):
  --signature-header NAME            required
  --prefix P                         text before the signature, e.g. sha256= (default: none)
  --algorithm sha1|sha256|sha512     (default: sha256)
  --encoding hex|base64              (default: hex)

exit status: 0 success; 1 rejected, or a request got no response; 2 bad arguments
)usage";

constexpr std::string_view short_usage =
    "usage: webhookctl sign|verify|send --scheme S --secret K [options]   (webhookctl --help for more)\n";

/// Bad command-line arguments: exit 2 with the usage line.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class command { sign, verify, send };

/// How a `--scheme hmac` provider signs.
struct hmac_settings {
    std::optional<std::string> signature_header;
    std::optional<std::string> prefix;
    std::optional<crypto::hmac_algorithm> algorithm;
    std::optional<crypto::encoding> encoding;

    bool any() const { return signature_header || prefix || algorithm || encoding; }
};

// ---- schemes ------------------------------------------------------------------------------------------------------

/// Every preset the tool knows. Presets are distinct types, so a variant holds whichever was asked for and
/// `std::visit` calls its `sign` or `verify`.
using any_scheme = std::variant<providers::standard_webhooks, providers::standard_webhooks_ed25519, providers::svix,
                                providers::stripe, providers::github, providers::slack, providers::shopify,
                                providers::hmac_body>;

template <class Preset>
any_scheme make_preset(const webhooks::secrets& keys, const hmac_settings&) {
    return any_scheme{std::in_place_type<Preset>, keys};
}

any_scheme make_hmac(const webhooks::secrets& keys, const hmac_settings& hmac) {
    return any_scheme{std::in_place_type<providers::hmac_body>,
                      providers::hmac_body_options{
                          .name = "hmac",
                          .header = hmac.signature_header.value_or(""),
                          .prefix = hmac.prefix.value_or(""),
                          .algorithm = hmac.algorithm.value_or(crypto::hmac_algorithm::sha256),
                          .encoding = hmac.encoding.value_or(crypto::encoding::hex),
                      },
                      keys};
}

struct scheme_entry {
    std::string_view name;
    any_scheme (*make)(const webhooks::secrets&, const hmac_settings&);
};

constexpr scheme_entry scheme_table[] = {
    {"standard", make_preset<providers::standard_webhooks>},
    {"standard-ed25519", make_preset<providers::standard_webhooks_ed25519>},
    {"svix", make_preset<providers::svix>},
    {"stripe", make_preset<providers::stripe>},
    {"github", make_preset<providers::github>},
    {"slack", make_preset<providers::slack>},
    {"shopify", make_preset<providers::shopify>},
    {"hmac", make_hmac},
};

// ---- arguments ----------------------------------------------------------------------------------------------------

/// Everything the command line said, checked.
struct arguments {
    command what = command::sign;
    const scheme_entry* scheme = nullptr;
    std::vector<std::string> secrets;
    hmac_settings hmac;
    std::vector<webhooks::outgoing_header> headers;  // verify: what to check; send: unsigned extras
    std::optional<std::string> body_file;
    webhooks::sign_options sign;                     // sign, send
    std::optional<std::int64_t> tolerance;           // verify
    std::optional<std::int64_t> now;                 // verify
    std::optional<webhookctl::http_url> url;         // send
    std::string content_type = "application/json";   // send
    int repeat = 1;                                  // send
    int concurrency = 1;                             // send
};

std::int64_t parse_integer(std::string_view flag, std::string_view text, std::int64_t min, std::int64_t max) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
        throw usage_error(std::string(flag) + " needs a whole number from " + std::to_string(min) + " to " +
                          std::to_string(max) + ", not '" + std::string(text) + "'");
    return value;
}

// A Unix time as the library reads one: up to 18 plain decimal digits.
std::int64_t parse_unix(std::string_view flag, std::string_view text) {
    return parse_integer(flag, text, 0, 999'999'999'999'999'999);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

webhooks::outgoing_header parse_header(std::string_view text) {
    std::size_t colon = text.find(':');
    std::string_view name = colon == std::string_view::npos ? std::string_view{} : trim(text.substr(0, colon));
    if (name.empty()) throw usage_error("--header needs \"Name: value\", not '" + std::string(text) + "'");
    return {std::string(name), std::string(trim(text.substr(colon + 1)))};
}

const scheme_entry& find_scheme(std::string_view name) {
    for (const scheme_entry& s : scheme_table)
        if (s.name == name) return s;
    std::string known;
    for (const scheme_entry& s : scheme_table) known += (known.empty() ? "" : ", ") + std::string(s.name);
    throw usage_error("unknown scheme '" + std::string(name) + "' (known: " + known + ")");
}

constexpr unsigned for_sign = 1, for_verify = 2, for_send = 4, for_all = for_sign | for_verify | for_send;

constexpr unsigned command_bit(command c) {
    switch (c) {
    case command::sign: return for_sign;
    case command::verify: return for_verify;
    case command::send: return for_send;
    }
    return 0;
}

/// A flag: where it is allowed, whether it may repeat, and what it sets.
struct flag_spec {
    std::string_view name;
    unsigned commands;
    bool repeatable;
    void (*apply)(arguments&, std::string_view value);
};

constexpr flag_spec flag_table[] = {
    {"--scheme", for_all, false, [](arguments& a, std::string_view v) { a.scheme = &find_scheme(v); }},
    {"--secret", for_all, true, [](arguments& a, std::string_view v) { a.secrets.emplace_back(v); }},
    {"--body-file", for_all, false, [](arguments& a, std::string_view v) { a.body_file.emplace(v); }},
    {"--signature-header", for_all, false,
     [](arguments& a, std::string_view v) { a.hmac.signature_header.emplace(v); }},
    {"--prefix", for_all, false, [](arguments& a, std::string_view v) { a.hmac.prefix.emplace(v); }},
    {"--algorithm", for_all, false,
     [](arguments& a, std::string_view v) {
         if (v == "sha1") a.hmac.algorithm = crypto::hmac_algorithm::sha1;
         else if (v == "sha256") a.hmac.algorithm = crypto::hmac_algorithm::sha256;
         else if (v == "sha512") a.hmac.algorithm = crypto::hmac_algorithm::sha512;
         else throw usage_error("--algorithm is sha1, sha256 or sha512, not '" + std::string(v) + "'");
     }},
    {"--encoding", for_all, false,
     [](arguments& a, std::string_view v) {
         if (v == "hex") a.hmac.encoding = crypto::encoding::hex;
         else if (v == "base64") a.hmac.encoding = crypto::encoding::base64;
         else throw usage_error("--encoding is hex or base64, not '" + std::string(v) + "'");
     }},
    {"--id", for_sign | for_send, false, [](arguments& a, std::string_view v) { a.sign.id = v; }},
    {"--timestamp", for_sign | for_send, false,
     [](arguments& a, std::string_view v) { a.sign.timestamp = parse_unix("--timestamp", v); }},
    {"--header", for_verify | for_send, true,
     [](arguments& a, std::string_view v) { a.headers.push_back(parse_header(v)); }},
    {"--tolerance", for_verify, false,
     [](arguments& a, std::string_view v) { a.tolerance = parse_integer("--tolerance", v, 0, 999'999'999'999); }},
    {"--now", for_verify, false, [](arguments& a, std::string_view v) { a.now = parse_unix("--now", v); }},
    {"--url", for_send, false,
     [](arguments& a, std::string_view v) {
         if (v.starts_with("https://") || v.starts_with("HTTPS://"))
             throw usage_error("--url: https is not supported; webhookctl sends to http://HOST:PORT/path only");
         a.url = webhookctl::parse_http_url(v);
         if (!a.url) throw usage_error("--url must look like http://HOST:PORT/path, not '" + std::string(v) + "'");
     }},
    {"--content-type", for_send, false, [](arguments& a, std::string_view v) { a.content_type = v; }},
    {"--repeat", for_send, false,
     [](arguments& a, std::string_view v) { a.repeat = static_cast<int>(parse_integer("--repeat", v, 1, 10'000)); }},
    {"--concurrency", for_send, false,
     [](arguments& a, std::string_view v) {
         a.concurrency = static_cast<int>(parse_integer("--concurrency", v, 1, 64));
     }},
};

/// @return the arguments, or nothing when they ask for help.
std::optional<arguments> parse_arguments(std::span<const std::string_view> argv) {
    arguments a;
    if (argv.empty()) throw usage_error("no command given");
    if (argv.front() == "--help" || argv.front() == "-h" || argv.front() == "help") return std::nullopt;
    std::string_view name = argv.front();
    if (name == "sign") a.what = command::sign;
    else if (name == "verify") a.what = command::verify;
    else if (name == "send") a.what = command::send;
    else throw usage_error("unknown command '" + std::string(name) + "'");

    std::vector<std::string_view> seen;
    for (std::size_t i = 1; i < argv.size(); ++i) {
        // --flag value, or --flag=value. The value is taken as it is, even when it starts with "-".
        std::string_view arg = argv[i], value;
        if (arg == "--help" || arg == "-h") return std::nullopt;
        std::size_t eq = arg.find('=');
        bool inline_value = arg.starts_with("--") && eq != std::string_view::npos;
        if (inline_value) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
        const flag_spec* flag = nullptr;
        for (const flag_spec& f : flag_table)
            if (f.name == arg) flag = &f;
        if (!flag) throw usage_error("unknown option '" + std::string(arg) + "'");
        if (!(flag->commands & command_bit(a.what)))
            throw usage_error(std::string(arg) + " is not an option of " + std::string(name));
        if (!flag->repeatable && std::find(seen.begin(), seen.end(), flag->name) != seen.end())
            throw usage_error(std::string(arg) + " given twice");
        if (!inline_value) {
            if (i + 1 == argv.size()) throw usage_error(std::string(arg) + " needs a value");
            value = argv[++i];
        }
        seen.push_back(flag->name);
        flag->apply(a, value);
    }

    if (!a.scheme) throw usage_error("--scheme is required");
    if (a.secrets.empty()) throw usage_error("--secret is required");
    if (a.scheme->name == "hmac" && !a.hmac.signature_header)
        throw usage_error("--scheme hmac needs --signature-header NAME");
    if (a.scheme->name != "hmac" && a.hmac.any())
        throw usage_error("--signature-header, --prefix, --algorithm and --encoding apply only to --scheme hmac");
    if (a.what == command::send && !a.url) throw usage_error("send needs --url http://HOST:PORT/path");
    return a;
}

// ---- the commands -------------------------------------------------------------------------------------------------

std::string read_body(const std::optional<std::string>& file) {
    if (!file) return {std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    std::ifstream in(*file, std::ios::binary);
    if (!in) throw usage_error("cannot open --body-file '" + *file + "'");
    std::string body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) throw usage_error("cannot read --body-file '" + *file + "'");
    return body;
}

/// Builds the scheme, with its keys, clock and window.
/// @throws boost::system::system_error (category `webhooks`) when the library refuses a secret.
any_scheme make_scheme(const arguments& a) {
    webhooks::secrets keys;
    for (const std::string& s : a.secrets) keys.emplace_back(std::string_view(s));
    any_scheme scheme = a.scheme->make(keys, a.hmac);
    std::visit(
        [&](auto& s) {
            if (a.now) s.set_clock(webhooks::clock::fixed(*a.now));
            // Keep the preset's shape (both ways, or age only), change its width. GitHub has no window at all.
            if constexpr (requires { s.set_window(s.window()); }) {
                if (a.tolerance) {
                    webhooks::timestamp_window w = s.window();
                    if (w.past) w.past = std::chrono::seconds(*a.tolerance);
                    if (w.future) w.future = std::chrono::seconds(*a.tolerance);
                    s.set_window(w);
                }
            }
        },
        scheme);
    return scheme;
}

webhooks::signed_headers sign(const any_scheme& scheme, std::string_view body, const webhooks::sign_options& o) {
    return std::visit([&](const auto& s) { return s.sign(body, o); }, scheme);
}

int run_sign(const arguments& a) {
    any_scheme scheme = make_scheme(a);
    std::string body = read_body(a.body_file);
    for (const webhooks::outgoing_header& h : sign(scheme, body, a.sign)) std::cout << h.name << ": " << h.value << '\n';
    return 0;
}

int run_verify(const arguments& a) {
    any_scheme scheme = make_scheme(a);
    std::string body = read_body(a.body_file);
    std::vector<webhooks::header_field> fields;
    for (const webhooks::outgoing_header& h : a.headers) fields.push_back({h.name, h.value});
    // The scheme's own verify, not the parser: no method or Content-Type check, only the signature and the time.
    webhooks::basic_request request{"POST", "/", fields, body};
    auto delivery = std::visit([&](const auto& s) { return s.verify(request); }, scheme);
    if (!delivery) {
        std::cout << "rejected: " << delivery.error().message() << " (HTTP " << delivery.error().status() << ")\n";
        return 1;
    }
    std::cout << "verified id=" << (delivery->id().empty() ? "-" : delivery->id()) << " timestamp=";
    if (auto t = delivery->timestamp()) std::cout << *t;
    else std::cout << '-';
    std::cout << " key=" << delivery->key_id() << '\n';
    return 0;
}

int run_send(const arguments& a) {
    any_scheme scheme = make_scheme(a);
    webhookctl::post_request request{.url = *a.url, .headers = {}, .content_type = a.content_type,
                                     .body = read_body(a.body_file)};
    request.headers = sign(scheme, request.body, a.sign);  // once: every copy is the same delivery
    for (const webhooks::outgoing_header& h : a.headers) request.headers.push_back(h);  // unsigned extras
    // (X-GitHub-Event, X-Shopify-Topic, …)
    webhookctl::post_plan plan{.repeat = a.repeat, .concurrency = a.concurrency};
    return webhookctl::post_all(request, plan, std::cout, std::cerr) ? 0 : 1;
}

int run(const arguments& a) {
    switch (a.what) {
    case command::sign: return run_sign(a);
    case command::verify: return run_verify(a);
    case command::send: return run_send(a);
    }
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::cerr << usage_text;
        return 2;
    }
    try {
        std::optional<arguments> parsed = parse_arguments(args);
        if (!parsed) {
            std::cout << usage_text;
            return 0;
        }
        return run(*parsed);
    } catch (const usage_error& e) {
        std::cerr << "webhookctl: " << e.what() << '\n' << short_usage;
        return 2;
    } catch (const boost::system::system_error& e) {
        std::cerr << "webhookctl: " << e.what() << '\n';
        // A secret or key the library refused: an argument error. Its messages name the reason, never the secret.
        if (e.code().category() != webhooks::error_category()) return 1;
        std::cerr << short_usage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "webhookctl: " << e.what() << '\n';
        return 1;
    }
}
