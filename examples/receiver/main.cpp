// SPDX-License-Identifier: BSL-1.0
// receiver: a webhook receiving service. One `webhooks::endpoint` per provider whose secret is set, one shared
// idempotency store, a multi-threaded asynchronous Beast server (server.cpp), a Prometheus /metrics page and one
// log line per delivery.
//
//   WEBHOOKS_STRIPE_SECRET=whsec_... WEBHOOKS_GITHUB_SECRET=... receiver --listen 127.0.0.1:8080
//
// This file is the application: command line, store, endpoints, routing, observer. The shop's handlers are in
// shop.hpp.

#include "any_store.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "server.hpp"
#include "shop.hpp"

#include <webhooks/beast.hpp>
#include <webhooks/endpoint.hpp>
#include <webhooks/idempotency/memory_store.hpp>
#include <webhooks/providers.hpp>

#include <boost/asio/ip/address.hpp>
#ifdef RECEIVER_HAS_SQLITE
#include <webhooks/idempotency/sqlite_store.hpp>
#endif
#ifdef RECEIVER_HAS_REDIS
#include <webhooks/idempotency/redis_store.hpp>
#endif

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

using receiver::field;
using receiver::http_request;

// ---- command line -----------------------------------------------------------------------------------------------

#ifdef RECEIVER_HAS_SQLITE
constexpr std::string_view default_store = "sqlite:webhooks.sqlite";
#else
constexpr std::string_view default_store = "memory";
#endif

std::string usage() {
    std::string stores = "memory";
#ifdef RECEIVER_HAS_SQLITE
    stores += " | sqlite:PATH";
#endif
#ifdef RECEIVER_HAS_REDIS
    stores += " | redis://HOST:PORT";
#endif
    std::string text = R"(usage: receiver [--listen ADDRESS:PORT] [--threads N] [--store STORE] [--max-body BYTES] [--log-flush line|batch]

Receives webhooks: verifies each delivery's signature, runs its handlers once per event id, and answers so the
sender does the right thing (200 handled or duplicate, 401 forged or stale, 409 being handled, 413 too large,
500 retry later, 503 store down).

  POST /webhooks/<provider>   a delivery; provider: stripe github standard svix slack shopify
  GET  /healthz               200 "ok"; 503 while shutting down
  GET  /metrics               Prometheus text: webhooks_deliveries_total, webhooks_events_handled_total,
                              webhooks_delivery_duration_seconds

options:
  --listen ADDRESS:PORT   IPv4 or [IPv6] address and port (default 127.0.0.1:8080; port 0: any free port, and
                          the "listening on ADDRESS:PORT" line says which)
  --threads N             I/O threads, which also run the handlers (default: the number of CPUs)
  --store STORE           )" + stores + R"(
                          the idempotency store every provider shares (default: )" +
                       std::string(default_store) + R"()
  --max-body BYTES        largest body accepted, for every provider (default: the library's, 25 MiB)
  --log-flush line|batch  line: write each log line at once (for scripts that read the log after each request);
                          batch: write lines together, at most 100 ms late (default; one write per batch)
  --help                  this text

A provider is mounted when its secret is set in the environment:
  WEBHOOKS_STRIPE_SECRET    whsec_...            WEBHOOKS_GITHUB_SECRET    the hook's secret
  WEBHOOKS_STANDARD_SECRET  whsec_<base64>       WEBHOOKS_SVIX_SECRET      whsec_<base64>
  WEBHOOKS_SLACK_SECRET     the signing secret   WEBHOOKS_SHOPIFY_SECRET   the app's client secret

Logs go to stdout: one line per delivery (provider, type, id, outcome, status, microseconds), one per effect.
SIGINT or SIGTERM: stop accepting, finish the requests in flight (at most 5 s), exit 0.
exit status: 0 stopped by a signal; 1 cannot open the store or listen; 2 bad arguments or secrets
)";
#ifndef RECEIVER_HAS_SQLITE
    text += "(built without SQLite: sqlite:PATH is not available)\n";
#endif
#ifndef RECEIVER_HAS_REDIS
    text += "(built without hiredis: redis://HOST:PORT is not available)\n";
#endif
    return text;
}

/// Bad arguments or secrets: exit 2 with the usage line.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct arguments {
    std::string address = "127.0.0.1";
    unsigned short port = 8080;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::string store{default_store};
    std::optional<std::size_t> max_body;
    receiver::logger::flush log_flush = receiver::logger::flush::batch;
};

std::uint64_t parse_number(std::string_view flag, std::string_view text, std::uint64_t min, std::uint64_t max) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
        throw usage_error(std::string(flag) + " needs a whole number from " + std::to_string(min) + " to " +
                          std::to_string(max) + ", not '" + std::string(text) + "'");
    return value;
}

// "127.0.0.1:8080", "[::1]:8080"
void parse_listen(std::string_view text, arguments& a) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
        throw usage_error("--listen needs ADDRESS:PORT, not '" + std::string(text) + "'");
    std::string_view host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    else if (host.find(':') != std::string_view::npos)
        throw usage_error("--listen: write an IPv6 address in brackets, as [::1]:8080");
    boost::system::error_code ec;
    boost::asio::ip::make_address(host, ec);
    if (ec) throw usage_error("--listen: '" + std::string(host) + "' is not an IPv4 or IPv6 address");
    a.address = host;
    a.port = static_cast<unsigned short>(parse_number("--listen's port", text.substr(colon + 1), 0, 65535));
}

/// @return the arguments, or nothing for --help.
std::optional<arguments> parse_arguments(const std::vector<std::string_view>& argv) {
    arguments a;
    std::vector<std::string_view> seen;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        std::string_view flag = argv[i], value;
        if (flag == "--help" || flag == "-h") return std::nullopt;
        const std::size_t eq = flag.find('=');
        const bool inline_value = flag.starts_with("--") && eq != std::string_view::npos;
        if (inline_value) {
            value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
        }
        if (flag != "--listen" && flag != "--threads" && flag != "--store" && flag != "--max-body" &&
            flag != "--log-flush")
            throw usage_error("unknown option '" + std::string(flag) + "'");
        if (std::find(seen.begin(), seen.end(), flag) != seen.end())
            throw usage_error(std::string(flag) + " given twice");
        seen.push_back(flag);
        if (!inline_value) {
            if (i + 1 == argv.size()) throw usage_error(std::string(flag) + " needs a value");
            value = argv[++i];
        }
        if (flag == "--listen") parse_listen(value, a);
        else if (flag == "--threads") a.threads = static_cast<unsigned>(parse_number(flag, value, 1, 256));
        else if (flag == "--store") a.store = value;
        else if (flag == "--log-flush") {
            if (value != "line" && value != "batch")
                throw usage_error("--log-flush is line or batch, not '" + std::string(value) + "'");
            a.log_flush = value == "line" ? receiver::logger::flush::line : receiver::logger::flush::batch;
        }
        else a.max_body = static_cast<std::size_t>(parse_number(flag, value, 1, std::uint64_t(1) << 32));
    }
    return a;
}

// ---- the store --------------------------------------------------------------------------------------------------

/// Opens the store `spec` names.
/// @throws usage_error when `spec` names no store; whatever the store throws when it cannot be opened.
receiver::any_store open_store(std::string_view spec) {
    namespace idem = webhooks::idempotency;
    if (spec == "memory") return receiver::any_store::make<idem::memory_store>("memory (forgotten on restart)");
    if (spec.starts_with("sqlite:")) {
        const std::string path(spec.substr(7));
        if (path.empty()) throw usage_error("--store sqlite:PATH needs a path");
#ifdef RECEIVER_HAS_SQLITE
        return receiver::any_store::make<idem::sqlite_store>("sqlite " + path, idem::sqlite_store::options{.path = path});
#else
        throw usage_error("--store sqlite:PATH: this receiver was built without SQLite");
#endif
    }
    if (spec.starts_with("redis://")) {
        std::string_view rest = spec.substr(8);
        if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
        const std::size_t colon = rest.rfind(':');
        std::string host(rest.substr(0, colon));
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        const int port =
            colon == std::string_view::npos ? 6379 : static_cast<int>(parse_number("--store redis://HOST:PORT's port",
                                                                                   rest.substr(colon + 1), 1, 65535));
        if (host.empty()) throw usage_error("--store redis://HOST:PORT needs a host");
#ifdef RECEIVER_HAS_REDIS
        idem::redis_store::options o;
        o.host = host;
        o.port = port;
        const std::string shown = host.find(':') == std::string::npos ? host : '[' + host + ']';
        return receiver::any_store::make<idem::redis_store>("redis " + shown + ':' + std::to_string(port), std::move(o));
#else
        throw usage_error("--store redis://HOST:PORT: this receiver was built without hiredis");
#endif
    }
    throw usage_error("--store is memory, sqlite:PATH or redis://HOST:PORT, not '" + std::string(spec) + "'");
}

// ---- the endpoints ----------------------------------------------------------------------------------------------

/// A request as an endpoint sees it.
using request_view = webhooks::beast::request_view<http_request::body_type, http_request::fields_type>;

/// One mounted provider. Endpoints of different providers are different types (the scheme is a template
/// parameter); behind this `std::function` they all look alike to the router.
struct mounted {
    std::function<webhooks::response(const request_view&)> handle;
    std::size_t max_body = 0;  // the endpoint's limit, which the server's parser must agree with
};

/// Everything the request handlers share. Built before serving; afterwards only its thread-safe parts change.
struct service {
    receiver::logger log;
    receiver::metrics metrics;
    receiver::shop shop{log};
    std::map<std::string, mounted, std::less<>> endpoints;  // by path name: "stripe", "github", …
};

/// Logs and counts every delivery; counts committed events.
webhooks::observer make_observer(service& s) {
    webhooks::observer o;
    o.handled = [&s](const webhooks::observation& d) { s.metrics.handled(d.provider, d.type); };
    o.completed = [&s](const webhooks::observation& d) {
        s.metrics.delivery(d.provider, d.outcome, d.elapsed);
        std::string line;  // one string, appended to: this runs for every delivery
        line.reserve(160);
        line += "delivery provider=";
        receiver::append_field(line, d.provider);
        line += " type=";
        receiver::append_field(line, d.type);
        line += " id=";
        receiver::append_field(line, d.id);
        line += " outcome=";
        receiver::append_field(line, d.outcome);
        line += " status=";
        line += std::to_string(d.status);
        line += " us=";
        line += std::to_string(d.elapsed.count());
        if (d.reason) {
            line += " reason=";
            receiver::append_field(line, d.reason.message());
        }
        if (!d.detail.empty()) {
            line += " detail=";
            receiver::append_field(line, d.detail);
        }
        s.log.line(line);
    };
    return o;
}

/// Mounts an endpoint of `Scheme` at /webhooks/`name` when the environment variable `variable` holds its secret.
/// @throws usage_error when the library refuses the secret (its message says why, never what the secret is).
template <class Scheme>
void mount(service& s, receiver::any_store& store, std::string_view name, const char* variable,
           const std::optional<std::size_t>& max_body, receiver::dispatcher handlers) {
    const char* secret = std::getenv(variable);
    if (!secret) return;
    webhooks::endpoint_options options;
    if (max_body) options.limits.max_body = *max_body;
    options.dead_letter = [&s](const webhooks::events::delivery& d, std::string_view why) {
        s.log.line(std::string(d.provider()) + ": " + field(d.type()) + " (" + field(d.id()) +
                   ") failed for good, recorded as failed: " + field(why));
    };
    try {
        auto endpoint = std::make_shared<webhooks::endpoint<Scheme, receiver::any_store, receiver::codec>>(
            Scheme{webhooks::secret{secret}}, store, std::move(handlers), std::move(options));
        endpoint->set_observer(make_observer(s));
        const std::size_t limit = endpoint->limits().max_body;
        s.endpoints.emplace(std::string(name),
                            mounted{[endpoint](const request_view& r) { return endpoint->handle(r); }, limit});
    } catch (const boost::system::system_error& e) {
        throw usage_error(std::string(variable) + ": " + e.what());
    }
    s.log.line("mounted /webhooks/" + std::string(name));
}

// ---- routing ----------------------------------------------------------------------------------------------------

webhooks::response text(unsigned status, std::string body, std::string_view type = "text/plain; charset=utf-8") {
    body += '\n';
    return {status, {{"Content-Type", std::string(type)}}, std::move(body)};
}

// /webhooks/stripe?x=1 -> "stripe"; anything else -> nothing.
std::optional<std::string_view> webhook_name(std::string_view target) {
    target = target.substr(0, target.find('?'));
    constexpr std::string_view prefix = "/webhooks/";
    if (!target.starts_with(prefix)) return std::nullopt;
    return target.substr(prefix.size());
}

webhooks::response route(service& s, const http_request& request, bool draining) {
    const std::string_view target(request.target().data(), request.target().size());
    if (auto name = webhook_name(target)) {
        // Any method: the endpoint answers 405 (with Allow) to anything but POST.
        if (auto it = s.endpoints.find(*name); it != s.endpoints.end()) return it->second.handle(request_view{request});
        return text(404, "no webhook endpoint here");
    }
    const std::string_view path = target.substr(0, target.find('?'));
    if (path != "/healthz" && path != "/metrics") return text(404, "not found");
    if (request.method() != boost::beast::http::verb::get) {
        webhooks::response r = text(405, "method not allowed");
        r.headers.emplace_back("Allow", "GET");
        return r;
    }
    if (path == "/healthz") return draining ? text(503, "shutting down") : text(200, "ok");
    return {200, {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}}, s.metrics.render()};
}

// The server refused a request before it was complete (413, 400): for a webhook path, count and log it like the
// deliveries the endpoints answer.
void refused(service& s, const http_request& head, unsigned status, std::string_view why) {
    const std::string_view target(head.target().data(), head.target().size());
    const auto name = webhook_name(target);
    if (name && s.endpoints.contains(*name)) {
        s.metrics.delivery(*name, "rejected", std::nullopt);
        s.log.line("delivery provider=" + field(*name) + " type=- id=- outcome=rejected status=" +
                   std::to_string(status) + " us=- reason=" + field(why));
    } else {
        s.log.line("refused " + field(target) + " status=" + std::to_string(status) + " reason=" + field(why));
    }
}

constexpr const char* secret_variables[] = {"WEBHOOKS_STRIPE_SECRET", "WEBHOOKS_GITHUB_SECRET",
                                            "WEBHOOKS_STANDARD_SECRET", "WEBHOOKS_SVIX_SECRET",
                                            "WEBHOOKS_SLACK_SECRET", "WEBHOOKS_SHOPIFY_SECRET"};

int run(const arguments& a) {
    if (std::none_of(std::begin(secret_variables), std::end(secret_variables),
                     [](const char* name) { return std::getenv(name) != nullptr; }))
        throw usage_error("no provider to serve: set at least one WEBHOOKS_<PROVIDER>_SECRET");

    receiver::any_store store = open_store(a.store);  // outlives the endpoints, which point to it
    service s;
    s.log.set_flush(a.log_flush);

    mount<webhooks::providers::stripe>(s, store, "stripe", "WEBHOOKS_STRIPE_SECRET", a.max_body,
                                       receiver::stripe_handlers(s.shop, s.log));
    mount<webhooks::providers::github>(s, store, "github", "WEBHOOKS_GITHUB_SECRET", a.max_body,
                                       receiver::github_handlers(s.log));
    mount<webhooks::providers::standard_webhooks>(s, store, "standard", "WEBHOOKS_STANDARD_SECRET", a.max_body,
                                                  receiver::any_type_handlers(s.log));
    mount<webhooks::providers::svix>(s, store, "svix", "WEBHOOKS_SVIX_SECRET", a.max_body,
                                     receiver::any_type_handlers(s.log));
    mount<webhooks::providers::slack>(s, store, "slack", "WEBHOOKS_SLACK_SECRET", a.max_body,
                                      receiver::slack_handlers(s.log));
    mount<webhooks::providers::shopify>(s, store, "shopify", "WEBHOOKS_SHOPIFY_SECRET", a.max_body,
                                        receiver::shopify_handlers(s.shop, s.log));
    receiver::server_options options;
    options.address = a.address;
    options.port = a.port;
    options.threads = a.threads;
    // One parser limit for every path: the largest endpoint limit (they are all the same unless --max-body is
    // absent and an endpoint chose its own). An endpoint still refuses a body over its own limit with 413.
    for (const auto& [name, m] : s.endpoints) options.max_body = std::max(options.max_body, m.max_body);

    s.log.line("store: " + store.description() + "; threads: " + std::to_string(options.threads) +
               "; max body: " + std::to_string(options.max_body) + " bytes");

    receiver::application app;
    app.handle = [&s](const http_request& r, bool draining) { return route(s, r, draining); };
    app.refused = [&s](const http_request& head, unsigned status, std::string_view why) {
        refused(s, head, status, why);
    };
    app.log = [&s](std::string_view line) { s.log.line(line); };
    return receiver::serve(options, app);
}

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);  // a closed stdout or socket is an error to handle, not a reason to die
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    try {
        const std::optional<arguments> parsed = parse_arguments(args);
        if (!parsed) {
            std::cout << usage();
            return 0;
        }
        return run(*parsed);
    } catch (const usage_error& e) {
        const std::string text = usage();
        std::cerr << "receiver: " << e.what() << '\n' << text.substr(0, text.find('\n') + 1)
                  << "(receiver --help for more)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "receiver: " << e.what() << '\n';
        return 1;
    }
}
