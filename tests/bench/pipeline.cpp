// SPDX-License-Identifier: BSL-1.0
// The whole receiving pipeline, `webhooks::endpoint::handle(basic_request)`: limits and signature, JSON parse,
// event type and idempotency key, SHA-256 body hash, memory-store claim and commit, typed decode (described
// structs), dispatch to one handler, response. Every iteration is a NEW delivery:
// - GitHub `push` (1 KB, 16 KB): GitHub signs only the body, so the `X-GitHub-Delivery` header (the event id) is
//   rewritten in place before each request.
// - Stripe `payment_intent.succeeded` (1 KB, 16 KB): the id is in the signed body, so a pool of distinct events is
//   signed before the timing loop, each with its own `evt_…` id.
// The store starts empty for each run and is replaced (timing paused) every `pool_size` deliveries, so no
// iteration is a duplicate short-circuit and the store does not grow without bound; the handler counts its calls
// and a run whose count differs from its iterations is an error.
//
// Beside each pipeline, its parts alone (verify, parse, type + key, body hash, claim + commit, decode, dispatch),
// with heap allocations per operation counted outside the timing loop, so the profile of a delivery is visible.
//
// Built with webhooks::simdjson (WEBHOOKS_BENCH_SIMDJSON), the same deliveries also go through an endpoint whose
// codec is `simdjson_codec`, with its parse, type + key, decode and dispatch alone, and a table puts both codecs side
// by side (the default json_codec's rows are the ones of the profile table).
//
// With --peers SCRIPT, the Node libraries are timed too, after the C++ benchmarks and over the very same payloads
// and secrets (written to --peer-cases DIR), and a table gives ours, theirs and the ratio:
//
//   webhooks_bench_pipeline [benchmark flags] [--peers build-bench/tests/bench/peers/peers.mjs
//                            [--node node] [--peer-cases DIR] [--peer-args "--min-time 0.5"]]
//
// `bash tests/bench/run.sh` runs it that way. For a profile of one operation (setup left out):
//   valgrind --tool=callgrind --toggle-collect='*profile_loop*' webhooks_bench_pipeline
//       --profile='pipeline/github/1KB' --profile-calls=2000
//
// Exit status: 0, or 1 when a delivery was not handled as expected or the peers failed.
#include "common.hpp"

#include <webhooks/endpoint.hpp>
#include <webhooks/events/envelopes.hpp>
#include <webhooks/idempotency/memory_store.hpp>
#include <webhooks/providers/github.hpp>
#include <webhooks/providers/standard_webhooks.hpp>
#include <webhooks/providers/stripe.hpp>
#include <webhooks/providers/svix.hpp>
#ifdef WEBHOOKS_BENCH_SIMDJSON
#include <webhooks/events/simdjson_codec.hpp>
#endif

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <openssl/evp.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

namespace ev = webhooks::events;
namespace idem = webhooks::idempotency;
namespace providers = webhooks::providers;
using webhooks::secret;

// --- the event types the handlers take ------------------------------------------------------------------------------

struct push_author {
    std::string name;
    std::string email;
    std::optional<std::string> username;
};
BOOST_DESCRIBE_STRUCT(push_author, (), (name, email, username))

struct push_commit {
    std::string id;
    std::string message;
    std::string timestamp;
    std::optional<std::string> url;
    push_author author;
    std::vector<std::string> added;
    std::vector<std::string> removed;
    std::vector<std::string> modified;
};
BOOST_DESCRIBE_STRUCT(push_commit, (), (id, message, timestamp, url, author, added, removed, modified))

struct push_event : ev::github_common {
    static constexpr std::string_view event_name = "push";
    std::string ref;
    std::string before;
    std::string after;
    bool created = false;
    bool deleted = false;
    bool forced = false;
    std::vector<push_commit> commits;
    std::optional<push_commit> head_commit;
};
BOOST_DESCRIBE_STRUCT(push_event, (ev::github_common), (ref, before, after, created, deleted, forced, commits, head_commit))

enum class pi_status {
    requires_payment_method,
    requires_confirmation,
    requires_action,
    processing,
    requires_capture,
    canceled,
    succeeded
};
BOOST_DESCRIBE_ENUM(pi_status, requires_payment_method, requires_confirmation, requires_action, processing,
                    requires_capture, canceled, succeeded)

struct payment_intent_succeeded {
    static constexpr std::string_view event_name = "payment_intent.succeeded";
    static constexpr std::string_view payload_pointer = "/data/object";
    std::string id;
    std::int64_t amount = 0;
    std::int64_t amount_received = 0;
    std::string currency;
    pi_status status{};
    std::optional<std::string> customer;
    std::optional<std::string> latest_charge;
    std::map<std::string, std::string> metadata;
    std::vector<std::string> payment_method_types;
    std::optional<std::string> description;
};
BOOST_DESCRIBE_STRUCT(payment_intent_succeeded, (),
                      (id, amount, amount_received, currency, status, customer, latest_charge, metadata,
                       payment_method_types, description))

// The same events with std::string_view members: decoded without copying strings (valid during the handler call).
struct push_author_view {
    std::string_view name;
    std::string_view email;
    std::optional<std::string_view> username;
};
BOOST_DESCRIBE_STRUCT(push_author_view, (), (name, email, username))

struct push_commit_view {
    std::string_view id;
    std::string_view message;
    std::string_view timestamp;
    std::optional<std::string_view> url;
    push_author_view author;
    std::vector<std::string_view> added;
    std::vector<std::string_view> removed;
    std::vector<std::string_view> modified;
};
BOOST_DESCRIBE_STRUCT(push_commit_view, (), (id, message, timestamp, url, author, added, removed, modified))

struct push_event_view : ev::github_common {
    static constexpr std::string_view event_name = "push";
    std::string_view ref;
    std::string_view before;
    std::string_view after;
    bool created = false;
    bool deleted = false;
    bool forced = false;
    std::vector<push_commit_view> commits;
    std::optional<push_commit_view> head_commit;
};
BOOST_DESCRIBE_STRUCT(push_event_view, (ev::github_common),
                      (ref, before, after, created, deleted, forced, commits, head_commit))

struct payment_intent_succeeded_view {
    static constexpr std::string_view event_name = "payment_intent.succeeded";
    static constexpr std::string_view payload_pointer = "/data/object";
    std::string_view id;
    std::int64_t amount = 0;
    std::int64_t amount_received = 0;
    std::string_view currency;
    pi_status status{};
    std::optional<std::string_view> customer;
    std::optional<std::string_view> latest_charge;
    std::map<std::string_view, std::string_view> metadata;
    std::vector<std::string_view> payment_method_types;
    std::optional<std::string_view> description;
};
BOOST_DESCRIBE_STRUCT(payment_intent_succeeded_view, (),
                      (id, amount, amount_received, currency, status, customer, latest_charge, metadata,
                       payment_method_types, description))

namespace {

constexpr std::int64_t fixed_now = 1714560000;
constexpr std::size_t pool_size = 16384;  // distinct deliveries per store lifetime
const std::vector<std::size_t> pipeline_sizes{1024, 16 * 1024};
const std::vector<std::size_t> peer_sizes{256, 1024, 16 * 1024, 1024 * 1024};

const char* const github_secret = "It's a Secret to Everybody";
const char* const stripe_secret = "whsec_test_5b1c0e3c2d4f4a8e9b7d6c5a4f3e2d1c";
const char* const whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

bool failed = false;

// The handler: counts its calls (the benchmark compares the count with its iterations).
template <class Event, class Codec = ev::json_codec>
ev::dispatcher<Codec> counting_dispatcher(std::uint64_t& calls) {
    ev::dispatcher<Codec> d;
    d.template on<Event>([&calls](const Event& e) {
        ++calls;
        benchmark::DoNotOptimize(&e);
    });
    return d;
}

// A GitHub delivery id (a UUID) for `n`, written over the 36 characters at `out`.
void write_uuid(char* out, std::uint64_t n) {
    static constexpr char hex[] = "0123456789abcdef";
    static constexpr std::string_view prefix = "72d3162e-cc78-11e3-";  // 19 characters
    std::copy(prefix.begin(), prefix.end(), out);
    char* p = out + 36;
    for (int i = 0; i < 16; ++i) {
        if (i == 12) *--p = '-';
        *--p = hex[n & 15];
        n >>= 4;
    }
}

std::uint64_t next_delivery = 1;  // unique over the whole process

// --- providers: a fixture each --------------------------------------------------------------------------------------

// The endpoint of a fixture's scheme with a codec.
template <class Fixture, class Codec = ev::json_codec>
using endpoint_for = webhooks::endpoint<typename Fixture::scheme_type, idem::memory_store, Codec>;

struct github_fixture {
    static constexpr const char* name = "github push";
    static constexpr const char* key = "github";
    using scheme_type = providers::github;
    using event_type = push_event;
    using view_type = push_event_view;

    std::size_t size;
    providers::github scheme{secret{github_secret}};
    std::unique_ptr<bench::owned_request> request;
    std::string* delivery = nullptr;

    explicit github_fixture(std::size_t n) : size(n) {
        scheme.set_clock(webhooks::clock::fixed(fixed_now));
        request = std::make_unique<bench::owned_request>(bench::github_push(n));
        bench::add_common_headers(*request, "GitHub-Hookshot/f2a5c1e");
        request->add("X-GitHub-Event", "push");
        request->add("X-GitHub-Hook-ID", "292430182");
        request->add("X-GitHub-Hook-Installation-Target-ID", "79929171");
        request->add("X-GitHub-Hook-Installation-Target-Type", "repository");
        // GitHub sends the legacy SHA-1 signature too; the preset ignores it (legacy rejected by default).
        providers::github sender{secret{github_secret}, providers::github::legacy_sha1::accept};
        std::string id(36, '0');
        write_uuid(id.data(), 0);
        request->add(sender.sign(request->body(), {.id = id, .timestamp = std::nullopt}));
        delivery = request->find("X-GitHub-Delivery");
    }
    // The request of delivery number `i` of a store's lifetime: a fresh id each time.
    webhooks::basic_request next(std::size_t) {
        write_uuid(delivery->data(), next_delivery++);
        return request->view();
    }
    webhooks::basic_request any() { return request->view(); }
    std::string_view body() const { return request->body(); }
};

struct stripe_fixture {
    static constexpr const char* name = "stripe payment_intent.succeeded";
    static constexpr const char* key = "stripe";
    using scheme_type = providers::stripe;
    using event_type = payment_intent_succeeded;
    using view_type = payment_intent_succeeded_view;

    std::size_t size;
    providers::stripe scheme{secret{stripe_secret}};
    std::vector<std::unique_ptr<bench::owned_request>> pool;
    std::vector<webhooks::basic_request> views;

    explicit stripe_fixture(std::size_t n) : size(n) {
        scheme.set_clock(webhooks::clock::fixed(fixed_now));
        const std::string base = bench::stripe_payment_intent(n);
        const std::size_t at = base.find(bench::stripe_id_placeholder);
        pool.reserve(pool_size);
        views.reserve(pool_size);
        for (std::size_t i = 0; i < pool_size; ++i) {
            std::string body = base;
            body.replace(at, bench::stripe_id_placeholder.size(), bench::stripe_event_id(i));
            auto r = std::make_unique<bench::owned_request>(std::move(body));
            bench::add_common_headers(*r, "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                                      "application/json; charset=utf-8");
            r->add("Cache-Control", "no-cache");
            r->add("Accept-Encoding", "gzip");
            r->add(scheme.sign(r->body(), {.id = {}, .timestamp = fixed_now}));
            views.push_back(r->view());
            pool.push_back(std::move(r));
        }
    }
    webhooks::basic_request next(std::size_t i) { return views[i]; }
    webhooks::basic_request any() { return views[0]; }
    std::string_view body() const { return pool[0]->body(); }
};

void add_limit(std::size_t size);

template <class Fixture>
Fixture& fixture(std::size_t size) {
    static std::map<std::size_t, std::unique_ptr<Fixture>> made;
    auto& f = made[size];
    if (!f) f = std::make_unique<Fixture>(size);
    return *f;
}

// --- rows of the profile table --------------------------------------------------------------------------------------

struct row {
    std::string provider;
    std::size_t size = 0;
    std::string stage;
    std::string name;  // benchmark name
    bool in_sum = false;
    bench::allocs_per_call allocs{};
    std::function<void()> once;
};
std::vector<row> rows;
std::vector<row> codec_rows;  // simdjson_codec's, for the codec table (outside the profile table's groups)

// An endpoint with a fresh store, remade every `pool_size` deliveries.
template <class Fixture, class Codec = ev::json_codec>
struct live_endpoint {
    Fixture& f;
    std::uint64_t& calls;
    std::unique_ptr<idem::memory_store> store;
    std::unique_ptr<endpoint_for<Fixture, Codec>> ep;
    webhooks::endpoint_options options;
    std::size_t used = 0;

    live_endpoint(Fixture& fx, std::uint64_t& c, webhooks::endpoint_options o = {}) : f(fx), calls(c), options(o) {
        renew();
    }
    void renew() {
        ep.reset();
        store = std::make_unique<idem::memory_store>();
        ep = std::make_unique<endpoint_for<Fixture, Codec>>(
            f.scheme, *store, counting_dispatcher<typename Fixture::event_type, Codec>(calls), options);
        used = 0;
    }
};

// The endpoint options of the "check_payload off" pipeline rows: no SHA-256 of the body kept with the claim.
webhooks::endpoint_options unchecked() {
    webhooks::endpoint_options o;
    o.check_payload = false;
    return o;
}

template <class Fixture, class Codec = ev::json_codec>
void pipeline_benchmark(benchmark::State& st, std::size_t size, webhooks::endpoint_options options = {}) {
    Fixture& f = fixture<Fixture>(size);
    std::uint64_t calls = 0, wrong = 0;
    live_endpoint<Fixture, Codec> live(f, calls, options);
    for (auto _ : st) {
        if (live.used == pool_size) {
            st.PauseTiming();
            live.renew();
            st.ResumeTiming();
        }
        webhooks::response r = live.ep->handle(f.next(live.used++));
        wrong += r.status != 200;
        benchmark::DoNotOptimize(r);
    }
    if (wrong || calls != static_cast<std::uint64_t>(st.iterations()))
        st.SkipWithError(("handler ran " + std::to_string(calls) + " times in " + std::to_string(st.iterations()) +
                          " iterations; " + std::to_string(wrong) + " responses were not 200")
                             .c_str());
    st.SetItemsProcessed(st.iterations());
}

template <class Fixture>
void add_provider(std::size_t size) {
    Fixture& f = fixture<Fixture>(size);
    const std::string p = Fixture::key, sz = bench::size_name(size);
    const std::string prefix = "part/" + p + "/" + sz + "/";
    using scheme_type = typename Fixture::scheme_type;
    using event_type = typename Fixture::event_type;

    // The shared state of the part benchmarks: a parser, a codec, a policy, a verified delivery and its document.
    struct state {
        webhooks::parser<scheme_type> parser;
        ev::json_codec codec;
        idem::field_key_policy policy;
        std::uint64_t calls = 0;
        ev::dispatcher<> dispatcher;
        std::unique_ptr<webhooks::verified_delivery> verified;
        ev::json_codec::document doc;
        std::string type, key, hash;
        state(const scheme_type& s)
            : parser(s), policy(idem::field_key_policy::for_scheme(s)),
              dispatcher(counting_dispatcher<event_type>(calls)) {}
    };
    auto s = std::make_shared<state>(f.scheme);
    auto verified = s->parser.parse(f.any());
    if (!verified) {
        std::fprintf(stderr, "%s %s: the request does not verify: %s\n", p.c_str(), sz.c_str(),
                     verified.error().message().c_str());
        failed = true;
        return;
    }
    s->verified = std::make_unique<webhooks::verified_delivery>(*verified);
    s->doc = std::move(*s->codec.parse(f.body()));
    s->type = ev::event_type_of(f.scheme.fields(), *s->verified, s->codec, s->doc);
    auto key = s->policy.key(*s->verified, [&](std::string_view ptr) { return s->codec.text_at(s->doc, ptr); });
    if (!key || !*key || s->type != event_type::event_name) {
        std::fprintf(stderr, "%s %s: no key or wrong type '%s'\n", p.c_str(), sz.c_str(), s->type.c_str());
        failed = true;
        return;
    }
    s->key = **key;
    s->hash = idem::body_hash(f.body());

    auto add = [&](std::string stage, bool in_sum, auto op) {
        const std::string name = prefix + stage;
        benchmark::RegisterBenchmark(name.c_str(), [op](benchmark::State& st) {
            for (auto _ : st) op();
        });
        rows.push_back({Fixture::name, size, stage, name, in_sum, {}, op});
    };

    // The pipeline itself.
    {
        const std::string name = "pipeline/" + p + "/" + sz;
        benchmark::RegisterBenchmark(name.c_str(), [size](benchmark::State& st) { pipeline_benchmark<Fixture>(st, size); });
        auto calls = std::make_shared<std::uint64_t>(0);
        auto live = std::make_shared<live_endpoint<Fixture>>(f, *calls);
        rows.push_back({Fixture::name, size, "endpoint::handle (whole pipeline)", name, false, {}, [live, calls] {
                            if (live->used == pool_size) live->renew();
                            auto r = live->ep->handle(live->f.next(live->used++));
                            if (r.status != 200) failed = true;
                            benchmark::DoNotOptimize(r);
                        }});
        benchmark::RegisterBenchmark((name + ", check_payload off").c_str(), [size](benchmark::State& st) {
            pipeline_benchmark<Fixture>(st, size, unchecked());
        });
    }
    webhooks::basic_request request = f.any();
    add("verify (limits + signature)", true, [s, request] {
        auto r = s->parser.parse(request);
        benchmark::DoNotOptimize(r);
    });
    add("json parse (Boost.JSON)", true, [s, body = f.body()] {
        auto d = s->codec.parse(body);
        benchmark::DoNotOptimize(d);
    });
    add("event type + idempotency key", true, [s, &f] {
        auto type = ev::event_type_of(f.scheme.fields(), *s->verified, s->codec, s->doc);
        auto k = s->policy.key(*s->verified, [&](std::string_view ptr) { return s->codec.text_at(s->doc, ptr); });
        benchmark::DoNotOptimize(type);
        benchmark::DoNotOptimize(k);
    });
    add("body hash (SHA-256, hex)", true, [s, body = f.body()] {
        auto h = idem::body_hash(body);
        benchmark::DoNotOptimize(h);
    });
    {
        // A fresh key each time, in a store replaced every pool_size claims (outside the loop's timing there: the
        // replacement runs every 16384 operations and is a small part).
        struct claims {
            std::unique_ptr<idem::memory_store> store = std::make_unique<idem::memory_store>();
            std::size_t used = 0;
            std::uint64_t n = 0;
        };
        auto c = std::make_shared<claims>();
        add("claim + commit (memory store)", true, [s, c] {
            if (c->used++ == pool_size) {
                c->store = std::make_unique<idem::memory_store>();
                c->used = 1;
            }
            std::string key = s->key;
            key += std::to_string(c->n++);
            auto attempt = idem::try_claim(*c->store, std::move(key), s->hash);
            if (!attempt || !attempt->guard || !attempt->guard->commit()) failed = true;
        });
    }
    add("  of which: owner token (RAND_bytes, hex)", false, [] {
        auto t = idem::new_owner_token();
        benchmark::DoNotOptimize(t);
    });
    add("dispatch (decode + handler)", true, [s] {
        ev::delivery d{*s->verified, s->type, s->key};
        auto r = s->dispatcher.dispatch(s->doc, d);
        benchmark::DoNotOptimize(r);
    });
    add("  of which: typed decode", false, [s] {
        auto e = s->codec.template decode<event_type>(s->doc, ev::payload_pointer_of<event_type>());
        if (!e) failed = true;
        benchmark::DoNotOptimize(e);
    });
    add("  typed decode, std::string_view members", false, [s] {
        using view_type = typename Fixture::view_type;
        auto e = s->codec.template decode<view_type>(s->doc, ev::payload_pointer_of<view_type>());
        if (!e) failed = true;
        benchmark::DoNotOptimize(e);
    });
}

#ifdef WEBHOOKS_BENCH_SIMDJSON
// The same deliveries through simdjson_codec: the whole pipeline, and alone the parts the codec changes (parse,
// type + key, decode, dispatch). Parsing alone also with `reuse_limit = 0`: every document allocating its own
// buffers, instead of taking the thread's recycled ones.
template <class Fixture>
void add_simdjson(std::size_t size) {
    using codec_type = ev::simdjson_codec;
    using scheme_type = typename Fixture::scheme_type;
    using event_type = typename Fixture::event_type;
    Fixture& f = fixture<Fixture>(size);
    const std::string p = Fixture::key, sz = bench::size_name(size);
    const std::string prefix = "simdjson/" + p + "/" + sz + "/";

    struct state {
        webhooks::parser<scheme_type> parser;
        codec_type codec;
        codec_type fresh;
        idem::field_key_policy policy;
        std::uint64_t calls = 0;
        ev::dispatcher<codec_type> dispatcher;
        std::unique_ptr<webhooks::verified_delivery> verified;
        std::optional<codec_type::document> doc;
        std::string type, key;
        state(const scheme_type& s)
            : parser(s), policy(idem::field_key_policy::for_scheme(s)),
              dispatcher(counting_dispatcher<event_type, codec_type>(calls)) {
            fresh.reuse_limit = 0;
        }
    };
    auto s = std::make_shared<state>(f.scheme);
    auto verified = s->parser.parse(f.any());
    s->doc = s->codec.parse(f.body());
    if (!verified || !s->doc) {
        std::fprintf(stderr, "simdjson %s %s: the request does not verify or parse\n", p.c_str(), sz.c_str());
        failed = true;
        return;
    }
    s->verified = std::make_unique<webhooks::verified_delivery>(*verified);
    s->type = ev::event_type_of(f.scheme.fields(), *s->verified, s->codec, *s->doc);
    auto key = s->policy.key(*s->verified, [&](std::string_view ptr) { return s->codec.text_at(*s->doc, ptr); });
    if (!key || !*key || s->type != event_type::event_name) {
        std::fprintf(stderr, "simdjson %s %s: no key or wrong type '%s'\n", p.c_str(), sz.c_str(), s->type.c_str());
        failed = true;
        return;
    }
    s->key = **key;

    auto add = [&](std::string stage, auto op) {
        const std::string name = prefix + stage;
        benchmark::RegisterBenchmark(name.c_str(), [op](benchmark::State& st) {
            for (auto _ : st) op();
        });
        codec_rows.push_back({Fixture::name, size, stage, name, false, {}, op});
    };
    {
        const std::string name = prefix + "pipeline";
        benchmark::RegisterBenchmark(name.c_str(), [size](benchmark::State& st) {
            pipeline_benchmark<Fixture, codec_type>(st, size);
        });
        auto calls = std::make_shared<std::uint64_t>(0);
        auto live = std::make_shared<live_endpoint<Fixture, codec_type>>(f, *calls);
        codec_rows.push_back({Fixture::name, size, "pipeline", name, false, {}, [live, calls] {
                                  if (live->used == pool_size) live->renew();
                                  auto r = live->ep->handle(live->f.next(live->used++));
                                  if (r.status != 200) failed = true;
                                  benchmark::DoNotOptimize(r);
                              }});
        benchmark::RegisterBenchmark((name + ", check_payload off").c_str(), [size](benchmark::State& st) {
            pipeline_benchmark<Fixture, codec_type>(st, size, unchecked());
        });
    }
    add("parse", [s, body = f.body()] {
        auto d = s->codec.parse(body);
        benchmark::DoNotOptimize(d);
    });
    add("parse, buffers not reused", [s, body = f.body()] {
        auto d = s->fresh.parse(body);
        benchmark::DoNotOptimize(d);
    });
    add("event type + idempotency key", [s, &f] {
        auto type = ev::event_type_of(f.scheme.fields(), *s->verified, s->codec, *s->doc);
        auto k = s->policy.key(*s->verified, [&](std::string_view ptr) { return s->codec.text_at(*s->doc, ptr); });
        benchmark::DoNotOptimize(type);
        benchmark::DoNotOptimize(k);
    });
    add("dispatch (decode + handler)", [s] {
        ev::delivery d{*s->verified, s->type, s->key};
        auto r = s->dispatcher.dispatch(*s->doc, d);
        benchmark::DoNotOptimize(r);
    });
    add("typed decode", [s] {
        auto e = s->codec.template decode<event_type>(*s->doc, ev::payload_pointer_of<event_type>());
        if (!e) failed = true;
        benchmark::DoNotOptimize(e);
    });
    add("typed decode, std::string_view members", [s] {
        using view_type = typename Fixture::view_type;
        auto e = s->codec.template decode<view_type>(*s->doc, ev::payload_pointer_of<view_type>());
        if (!e) failed = true;
        benchmark::DoNotOptimize(e);
    });
}
#endif

const row* find_row(const std::string& name) {
    for (const auto* list : {&rows, &codec_rows})
        for (const row& r : *list)
            if (r.name == name) return &r;
    return nullptr;
}

// json_codec beside simdjson_codec, stage by stage, over the same deliveries.
void print_codecs(const bench::collecting_reporter& rep) {
    if (codec_rows.empty()) return;
    std::printf("\n=== codecs: json_codec (Boost.JSON, the default) beside simdjson_codec, the same deliveries (same run) "
                "===\n");
    std::printf("'%% of pipeline' = the stage's share of its own codec's endpoint::handle. 'not reused' = "
                "simdjson_codec with reuse_limit = 0 (every document allocates its own buffers).\n\n");
    bench::table t({"provider / event", "size", "stage", "json_codec", "%", "new/op", "simdjson_codec", "%", "new/op",
                    "json / simdjson"});
    struct provider {
        std::string key, name;
    };
    bool first = true;
    for (const provider& pv : {provider{github_fixture::key, github_fixture::name},
                               provider{stripe_fixture::key, stripe_fixture::name}})
        for (std::size_t size : pipeline_sizes) {
            const std::string sz = bench::size_name(size);
            const std::string part = "part/" + pv.key + "/" + sz + "/", simd = "simdjson/" + pv.key + "/" + sz + "/";
            struct stage {
                std::string label, json, simd;
            };
            const std::vector<stage> stages{
                {"endpoint::handle (whole pipeline)", "pipeline/" + pv.key + "/" + sz, simd + "pipeline"},
                {"  the same, check_payload off (no body hash)", "pipeline/" + pv.key + "/" + sz + ", check_payload off",
                 simd + "pipeline, check_payload off"},
                {"parse", part + "json parse (Boost.JSON)", simd + "parse"},
                {"parse, buffers not reused", "", simd + "parse, buffers not reused"},
                {"event type + idempotency key", part + "event type + idempotency key",
                 simd + "event type + idempotency key"},
                {"typed decode", part + "  of which: typed decode", simd + "typed decode"},
                {"  the same into std::string_view members", part + "  typed decode, std::string_view members",
                 simd + "typed decode, std::string_view members"},
                {"dispatch (decode + handler)", part + "dispatch (decode + handler)", simd + "dispatch (decode + handler)"},
            };
            const double json_pipeline = rep.ns(stages[0].json), simd_pipeline = rep.ns(stages[0].simd);
            const auto pct = [](double ns, double whole) {
                return ns > 0 && whole > 0 ? bench::format_double(100 * ns / whole, "%.1f%%") : std::string();
            };
            const auto news = [](const std::string& name) {
                const row* r = name.empty() ? nullptr : find_row(name);
                return r ? bench::format_double(r->allocs.news, "%.2f") : std::string();
            };
            if (!first) t.rule();
            first = false;
            double json_sum = 0, simd_sum = 0;
            for (std::size_t i = 0; i < stages.size(); ++i) {
                const stage& st = stages[i];
                const double j = st.json.empty() ? -1 : rep.ns(st.json), s = rep.ns(st.simd);
                if (st.label == "parse" || st.label == "typed decode") {
                    json_sum += j;
                    simd_sum += s;
                }
                t.add({i == 0 ? pv.name : "", i == 0 ? sz : "", st.label, st.json.empty() ? "" : bench::format_time(j),
                       i == 0 ? "" : pct(j, json_pipeline), news(st.json), bench::format_time(s),
                       i == 0 ? "" : pct(s, simd_pipeline), news(st.simd),
                       j > 0 && s > 0 ? bench::format_double(j / s, "%.2fx") : ""});
            }
            t.add({"", "", "parse + typed decode", bench::format_time(json_sum), pct(json_sum, json_pipeline), "",
                   bench::format_time(simd_sum), pct(simd_sum, simd_pipeline), "",
                   json_sum > 0 && simd_sum > 0 ? bench::format_double(json_sum / simd_sum, "%.2fx") : ""});
        }
    t.print();
}

void print_profile(const bench::collecting_reporter& rep) {
    const bool mallocs = bench::malloc_counting();
    std::printf("\n=== pipeline: endpoint::handle, one new delivery per iteration, beside its parts (same run) ===\n");
    std::printf("new/op = global operator new calls; malloc/op = malloc-family calls in the process (OpenSSL's "
                "included%s).\n'rest' = pipeline - sum of the parts marked '+': responses, observation, the renew "
                "std::function, copies.\n\n",
                mallocs ? "" : "; not counted here");
    bench::table t({"provider / event", "size", "stage", "ns/op", "% of pipeline", "new/op", "malloc/op"});
    std::string last;
    for (std::size_t i = 0; i < rows.size();) {
        const std::string group = rows[i].provider + bench::size_name(rows[i].size);
        std::size_t j = i;
        double pipeline = -1, sum = 0;
        bool complete = true;
        for (; j < rows.size() && rows[j].provider + bench::size_name(rows[j].size) == group; ++j) {
            if (rows[j].name.starts_with("pipeline/")) pipeline = rep.ns(rows[j].name);
            if (rows[j].in_sum) {
                double ns = rep.ns(rows[j].name);
                if (ns < 0) complete = false;
                sum += ns;
            }
        }
        if (i) t.rule();
        for (std::size_t k = i; k < j; ++k) {
            const row& r = rows[k];
            double ns = rep.ns(r.name);
            std::string pct = ns > 0 && pipeline > 0 ? bench::format_double(100 * ns / pipeline, "%.1f%%") : "";
            std::string stage = (r.in_sum ? "+ " : "  ") + r.stage;
            if (r.name.starts_with("pipeline/")) stage = r.stage;
            std::string time = bench::format_time(ns);
            if (ns < 0 && rep.errors().count(r.name)) time = "ERROR: " + rep.errors().at(r.name);
            t.add({k == i ? r.provider : "", k == i ? bench::size_name(r.size) : "", stage, time, pct,
                   bench::format_double(r.allocs.news, "%.2f"),
                   mallocs ? bench::format_double(r.allocs.mallocs, "%.2f") : "n/a"});
        }
        const double limit = rep.ns("limit/" + bench::size_name(rows[i].size));
        if (complete && pipeline > 0) {
            t.add({"", "", "= sum of the parts", bench::format_time(sum), bench::format_double(100 * sum / pipeline, "%.1f%%"),
                   "", ""});
            t.add({"", "", "  rest", bench::format_time(pipeline - sum),
                   bench::format_double(100 * (pipeline - sum) / pipeline, "%.1f%%"), "", ""});
        }
        if (limit > 0 && pipeline > 0)
            t.add({"", "", "(reference: HMAC-SHA256 limit of the body; pipeline = " +
                               bench::format_double(pipeline / limit, "%.1fx") + " the limit)",
                   bench::format_time(limit), bench::format_double(100 * limit / pipeline, "%.1f%%"), "", ""});
        i = j;
    }
    t.print();
}

// --- peers ----------------------------------------------------------------------------------------------------------

struct peer_case {
    std::string kind;      // what peers.mjs runs
    std::string label;     // for the table
    std::size_t size = 0;
    std::string ours;      // benchmark name of our equivalent
    std::string ours_what;
    std::string ours_alt;  // a second comparison (verify only), may be empty
    double target = 0;     // minimum theirs/ours, 0 for none
};
std::vector<peer_case> peer_cases;

template <class Scheme>
void add_peer_verify(const char* preset, std::shared_ptr<Scheme> scheme, std::size_t size,
                     std::shared_ptr<bench::owned_request> request) {
    const std::string sz = bench::size_name(size);
    webhooks::basic_request view = request->view();
    auto codec = std::make_shared<ev::json_codec>();
    if (!scheme->verify(view)) {
        std::fprintf(stderr, "peers: %s %s does not verify\n", preset, sz.c_str());
        failed = true;
        return;
    }
    benchmark::RegisterBenchmark(("peer/verify/" + std::string(preset) + "/" + sz).c_str(),
                                 [scheme, request, view](benchmark::State& st) {
                                     for (auto _ : st) {
                                         auto r = scheme->verify(view);
                                         benchmark::DoNotOptimize(r);
                                     }
                                 });
    benchmark::RegisterBenchmark(("peer/verify+parse/" + std::string(preset) + "/" + sz).c_str(),
                                 [scheme, request, view, codec](benchmark::State& st) {
                                     for (auto _ : st) {
                                         auto r = scheme->verify(view);
                                         auto d = codec->parse(r->body());
                                         benchmark::DoNotOptimize(r);
                                         benchmark::DoNotOptimize(d);
                                     }
                                 });
}

// The HMAC limit at `size` (one keyed EVP_MAC_CTX reused, as in webhooks_bench_verify): what no verifier can beat,
// so theirs / limit is the best ratio any receiver could reach against a peer.
void add_limit(std::size_t size) {
    struct limit_mac {
        EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        EVP_MAC_CTX* ctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
        std::string body;
        explicit limit_mac(std::size_t n) : body(bench::generic_event(n)) {
            char digest[] = "SHA256";
            OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0), OSSL_PARAM_construct_end()};
            const std::string key = github_secret;
            if (!ctx || EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1)
                throw std::runtime_error("limit: EVP_MAC setup failed");
        }
        ~limit_mac() {
            EVP_MAC_CTX_free(ctx);
            EVP_MAC_free(mac);
        }
    };
    auto l = std::make_shared<limit_mac>(size);
    benchmark::RegisterBenchmark(("limit/" + bench::size_name(size)).c_str(), [l](benchmark::State& st) {
        unsigned char out[32];
        std::size_t n = 0;
        for (auto _ : st) {
            if (EVP_MAC_init(l->ctx, nullptr, 0, nullptr) != 1 ||
                EVP_MAC_update(l->ctx, reinterpret_cast<const unsigned char*>(l->body.data()), l->body.size()) != 1 ||
                EVP_MAC_final(l->ctx, out, &n, sizeof out) != 1) {
                st.SkipWithError("EVP_MAC failed");
                break;
            }
            benchmark::DoNotOptimize(out);
        }
    });
}

void add_peers() {
    auto github = std::make_shared<providers::github>(secret{github_secret});
    auto standard = std::make_shared<providers::standard_webhooks>(secret{whsec});
    auto svix = std::make_shared<providers::svix>(secret{whsec});
    auto stripe = std::make_shared<providers::stripe>(secret{stripe_secret});
    github->set_clock(webhooks::clock::fixed(fixed_now));
    standard->set_clock(webhooks::clock::fixed(fixed_now));
    svix->set_clock(webhooks::clock::fixed(fixed_now));
    stripe->set_clock(webhooks::clock::fixed(fixed_now));
    for (std::size_t size : peer_sizes) {
        const std::string body = bench::generic_event(size);
        const std::string sz = bench::size_name(size);
        auto make = [&](auto& scheme, const char* ua) {
            auto r = std::make_shared<bench::owned_request>(body);
            bench::add_common_headers(*r, ua);
            r->add(scheme->sign(body, {.id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", .timestamp = fixed_now}));
            return r;
        };
        add_peer_verify("github", github, size, make(github, "GitHub-Hookshot/f2a5c1e"));
        add_peer_verify("standard", standard, size, make(standard, "Svix-Webhooks/1.24.0"));
        add_peer_verify("svix", svix, size, make(svix, "Svix-Webhooks/1.24.0"));
        add_peer_verify("stripe", stripe, size, make(stripe, "Stripe/1.0"));
    }
    for (std::size_t size : pipeline_sizes) {
        const std::string sz = bench::size_name(size), verify = "part/github/" + sz + "/verify (limits + signature)";
        const char* peer = "@octokit/webhooks verifyAndReceive() + 1 handler";
        peer_cases.push_back({"octokit.verifyAndReceive", peer, size, "pipeline/github/" + sz,
                              "endpoint::handle (verify, dedup, decode, dispatch), Boost.JSON", verify, 5.0});
        peer_cases.push_back({"octokit.verifyAndReceive", peer, size, "pipeline/github/" + sz + ", check_payload off",
                              "the same, check_payload off", verify, 5.0});
#ifdef WEBHOOKS_BENCH_SIMDJSON
        peer_cases.push_back({"octokit.verifyAndReceive", peer, size, "simdjson/github/" + sz + "/pipeline",
                              "endpoint::handle, simdjson_codec", verify, 5.0});
        peer_cases.push_back({"octokit.verifyAndReceive", peer, size,
                              "simdjson/github/" + sz + "/pipeline, check_payload off",
                              "endpoint::handle, simdjson_codec, check_payload off", verify, 5.0});
#endif
    }
    for (std::size_t size : peer_sizes)
        peer_cases.push_back({"octokit-methods.verify", "@octokit/webhooks-methods verify()", size,
                              "peer/verify/github/" + bench::size_name(size), "verify (github)", "", 0});
    for (std::size_t size : peer_sizes)
        peer_cases.push_back({"standardwebhooks.verify", "standardwebhooks Webhook.verify()", size,
                              "peer/verify+parse/standard/" + bench::size_name(size), "verify + JSON parse (standard)",
                              "peer/verify/standard/" + bench::size_name(size), 0});
    for (std::size_t size : peer_sizes)
        peer_cases.push_back({"svix.verify", "svix Webhook.verify()", size,
                              "peer/verify+parse/svix/" + bench::size_name(size), "verify + JSON parse (svix)",
                              "peer/verify/svix/" + bench::size_name(size), 0});
    for (std::size_t size : peer_sizes)
        peer_cases.push_back({"stripe.constructEvent", "stripe webhooks.constructEvent()", size,
                              "peer/verify+parse/stripe/" + bench::size_name(size), "verify + JSON parse (stripe)",
                              "peer/verify/stripe/" + bench::size_name(size), 0});
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

// Writes the payloads and signed headers (signed now, with the real clock: the Node libraries check timestamps
// against their own clock) and the case list.
std::string write_peer_cases(const std::string& dir) {
    namespace fs = std::filesystem;
    fs::create_directories(dir);
    auto write = [&](const std::string& file, const std::string& bytes) {
        std::ofstream out(fs::path(dir) / file, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) throw std::runtime_error("cannot write " + (fs::path(dir) / file).string());
    };
    providers::github github{secret{github_secret}};
    providers::standard_webhooks standard{secret{whsec}};
    providers::svix svix{secret{whsec}};
    providers::stripe stripe{secret{stripe_secret}};
    auto header = [](const webhooks::signed_headers& h, std::string_view name) {
        for (const auto& x : h)
            if (webhooks::detail::iequals(x.name, name)) return x.value;
        return std::string{};
    };
    boost::json::array cases;
    std::set<std::pair<std::string, std::size_t>> written;  // a peer is run once per size, however many rows use it
    for (const peer_case& c : peer_cases) {
        if (!written.insert({c.kind, c.size}).second) continue;
        const std::string sz = bench::size_name(c.size);
        boost::json::object o;
        o["kind"] = c.kind;
        o["size"] = c.size;
        if (c.kind == "octokit.verifyAndReceive") {
            const std::string file = "github-push-" + sz + ".json";
            const std::string body = bench::github_push(c.size);  // the pipeline's payload
            write(file, body);
            std::string id(36, '0');
            write_uuid(id.data(), 42);
            auto h = github.sign(body, {.id = id, .timestamp = std::nullopt});
            o["body"] = file;
            o["secret"] = github_secret;
            o["id"] = id;
            o["name"] = "push";
            o["signature"] = header(h, "X-Hub-Signature-256");
        } else {
            const std::string file = "event-" + sz + ".json";
            const std::string body = bench::generic_event(c.size);  // the C++ peer/verify payload
            write(file, body);
            o["body"] = file;
            boost::json::object headers;
            if (c.kind == "octokit-methods.verify") {
                o["secret"] = github_secret;
                o["signature"] = header(github.sign(body), "X-Hub-Signature-256");
            } else if (c.kind == "standardwebhooks.verify") {
                o["secret"] = whsec;
                for (const auto& x : standard.sign(body, {.id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"}))
                    headers[x.name] = x.value;
            } else if (c.kind == "svix.verify") {
                o["secret"] = whsec;
                for (const auto& x : svix.sign(body, {.id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"}))
                    headers[x.name] = x.value;
            } else if (c.kind == "stripe.constructEvent") {
                o["secret"] = stripe_secret;
                o["signature"] = header(stripe.sign(body), "Stripe-Signature");
            }
            o["headers"] = std::move(headers);
        }
        cases.push_back(std::move(o));
    }
    const std::string list = (fs::path(dir) / "cases.json").string();
    write("cases.json", boost::json::serialize(boost::json::object{{"cases", std::move(cases)}}));
    return list;
}

// Runs the Node side; @return its JSON answer, or null.
std::optional<boost::json::value> run_peers(const std::string& node, const std::string& script,
                                            const std::string& cases, const std::string& args) {
    std::string cmd = shell_quote(node) + " " + shell_quote(script) + " " + shell_quote(cases) + " " + args;
    std::fprintf(stderr, "peers: %s\n", cmd.c_str());
    std::fflush(stdout);
    std::FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return std::nullopt;
    std::string out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    int status = ::pclose(p);
    if (status != 0) {
        std::fprintf(stderr, "peers: node exited with status %d\n%s\n", status, out.c_str());
        return std::nullopt;
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(out, ec);
    if (ec) {
        std::fprintf(stderr, "peers: not JSON: %s\n", out.c_str());
        return std::nullopt;
    }
    return v;
}

bool print_peers(const bench::collecting_reporter& rep, const boost::json::value& answer) {
    std::printf("\n=== peers: the Node libraries over the very same payloads and secrets (%s, same run) ===\n",
                answer.at("node").as_string().c_str());
    std::printf("ceiling = theirs / the bare HMAC-SHA256 of the body (one keyed EVP_MAC_CTX reused): the best ratio any "
                "receiver that checks the MAC could reach.\n");
    std::printf("theirs = median us per op after JIT warm-up (peers.mjs); ours = median of the C++ repetitions above.\n"
                "standardwebhooks, svix and stripe parse the JSON after verifying, so 'ours' adds a Boost.JSON parse "
                "there; 'x (verify only)' compares with our verify alone.\n"
                "verifyAndReceive (verify, JSON.parse, one handler) is compared with our whole pipeline, which also "
                "hashes the body, claims and commits in the dedup store and decodes into a struct.\n\n");
    std::map<std::pair<std::string, std::size_t>, double> theirs;
    for (const auto& r : answer.at("results").as_array()) {
        const auto& o = r.as_object();
        theirs[{std::string(o.at("kind").as_string()), static_cast<std::size_t>(o.at("size").to_number<double>())}] =
            o.at("us_per_op").to_number<double>() * 1e3;
    }
    bench::table t({"peer", "size", "theirs", "ours", "ours: what", "theirs / ours", "x (verify only)",
                    "ceiling: theirs / HMAC limit", "target"});
    int met = 0;
    std::vector<std::string> missed;
    std::string last;
    for (const peer_case& c : peer_cases) {
        if (!last.empty() && last != c.kind) t.rule();
        last = c.kind;
        auto it = theirs.find({c.kind, c.size});
        double them = it == theirs.end() ? -1 : it->second;
        double us = rep.ns(c.ours), alt = c.ours_alt.empty() ? -1 : rep.ns(c.ours_alt);
        std::string ratio = them > 0 && us > 0 ? bench::format_double(them / us, "%.1fx") : "n/a";
        std::string ratio_alt = them > 0 && alt > 0 && c.kind != "octokit.verifyAndReceive"
                                    ? bench::format_double(them / alt, "%.1fx")
                                    : "";
        std::string target;
        if (c.target > 0) {
            target = ">= " + bench::format_double(c.target, "%.0fx");
            if (them > 0 && us > 0 && them / us >= c.target) {
                target += ": met";
                ++met;
            } else {
                target += ": MISSED";
                missed.push_back(c.label + " " + bench::size_name(c.size) + ": " + ratio);
            }
        }
        double limit = rep.ns("limit/" + bench::size_name(c.size));
        std::string ceiling = them > 0 && limit > 0 ? bench::format_double(them / limit, "%.1fx") : "n/a";
        t.add({c.label, bench::size_name(c.size), bench::format_time(them), bench::format_time(us), c.ours_what, ratio,
               ratio_alt, ceiling, target});
    }
    t.print();
    std::printf("\npeer targets met: %d, missed: %zu\n", met, missed.size());
    for (const auto& m : missed) std::printf("  MISSED  %s\n", m.c_str());
    return true;
}

} // namespace

int main(int argc, char** argv) {
    bool with_peers = false;
    const std::string script = bench::take_flag(argc, argv, "peers", {}, &with_peers);
    const std::string node = bench::take_flag(argc, argv, "node", "node");
    const std::string cases_dir = bench::take_flag(argc, argv, "peer-cases", "peer-cases");
    const std::string peer_args = bench::take_flag(argc, argv, "peer-args", "");
    bool profiling = false;
    const std::string profile = bench::take_flag(argc, argv, "profile", {}, &profiling);
    const long profile_calls = std::stol(bench::take_flag(argc, argv, "profile-calls", "1000"));
    bool skip_counting = false;
    bench::take_flag(argc, argv, "skip-alloc-count", {}, &skip_counting, true);  // for profilers: only the benchmarks
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    if (with_peers && script.empty()) {
        std::fprintf(stderr, "--peers needs the path of peers.mjs\n");
        return 1;
    }

    for (std::size_t size : with_peers ? peer_sizes : pipeline_sizes) add_limit(size);
    for (std::size_t size : pipeline_sizes) add_provider<github_fixture>(size);
    for (std::size_t size : pipeline_sizes) add_provider<stripe_fixture>(size);
#ifdef WEBHOOKS_BENCH_SIMDJSON
    for (std::size_t size : pipeline_sizes) add_simdjson<github_fixture>(size);
    for (std::size_t size : pipeline_sizes) add_simdjson<stripe_fixture>(size);
#endif
    if (with_peers) add_peers();

    if (profiling) {  // only the named operation, profile_calls times: for callgrind (see bench::profile_loop)
        if (const row* r = find_row(profile)) {
            r->once();  // warm: thread-local contexts, lazily fetched algorithms
            bench::profile_loop(r->once, profile_calls);
            return failed ? 1 : 0;
        }
        std::fprintf(stderr, "--profile: no benchmark named %s\n", profile.c_str());
        return 1;
    }
    if (!skip_counting)
        for (auto* list : {&rows, &codec_rows})
            for (row& r : *list) r.allocs = bench::count_allocations(r.once, 1000);
    if (failed) std::fprintf(stderr, "an operation failed while counting allocations\n");

    bench::collecting_reporter reporter(isatty(fileno(stdout)) ? benchmark::ConsoleReporter::OO_ColorTabular
                                                               : benchmark::ConsoleReporter::OO_Tabular);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    print_profile(reporter);
    print_codecs(reporter);

    if (with_peers) {
        std::string list;
        try {
            list = write_peer_cases(cases_dir);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "peers: %s\n", e.what());
            failed = true;
        }
        if (!list.empty()) {
            if (auto answer = run_peers(node, script, list, peer_args)) print_peers(reporter, *answer);
            else failed = true;
        }
    }
    benchmark::Shutdown();
    if (!reporter.errors().empty()) failed = true;
    return failed ? 1 : 0;
}
