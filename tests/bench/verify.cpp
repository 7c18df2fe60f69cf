// SPDX-License-Identifier: BSL-1.0
// Signature verification per preset, beside the limit, measured in the same run.
//
// - limit: one keyed EVP_MAC_CTX (HMAC-SHA256, fetched and keyed once) reused: per message EVP_MAC_init(ctx, NULL,
//   0, NULL) + EVP_MAC_update(body) + EVP_MAC_final. Nothing that checks an HMAC signature can be cheaper.
// - naive: OpenSSL's one-shot HMAC(EVP_sha256(), key, …), which fetches and keys per call.
// - each preset: `scheme.verify(basic_request)` on a realistic request (the sender's usual headers) signed by the
//   preset's own `sign`, with the scheme's clock fixed so timestamps stay valid.
//
// After the run a table gives, per preset and body size: ns per verify, the ratio to the limit at that size, and
// heap allocations per verify (operator new, and malloc-family calls, which include OpenSSL's; see alloc_count.cpp),
// counted outside the timing loop. Ratios are what to read: absolute times on a shared machine mean little.
//
//   webhooks_bench_verify [--benchmark_filter=…] [--benchmark_repetitions=5
//                          --benchmark_enable_random_interleaving=true] [--benchmark_min_time=…]
//                         [--paired-rounds=41] [--paired-slice-ms=2]
//   webhooks_bench_verify --profile=verify/standard/1KB [--profile-calls=1000]   (for callgrind: see profile_loop)
//
// The ratio the targets are judged on is measured apart from Google Benchmark's runs: the verify and the limit in
// alternating slices of a few milliseconds, the median of the per-round ratios (see paired_ratio).
//
// Exit status: 0, or 1 when a verification failed (a broken benchmark, not a slow one). Targets are printed, not
// enforced: a noisy machine must not fail a build.
#include "common.hpp"

#include <webhooks/crypto/hmac.hpp>
#include <webhooks/providers/github.hpp>
#include <webhooks/providers/hmac_body.hpp>
#include <webhooks/providers/shopify.hpp>
#include <webhooks/providers/slack.hpp>
#include <webhooks/providers/standard_webhooks.hpp>
#include <webhooks/providers/stripe.hpp>
#include <webhooks/providers/svix.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <unistd.h>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace providers = webhooks::providers;
using webhooks::secret;

namespace {

constexpr std::int64_t fixed_now = 1714560000;
const std::vector<std::size_t> sizes{256, 1024, 16 * 1024, 1024 * 1024};

// The key of both baselines: 32 bytes, like a Standard Webhooks secret.
const std::string baseline_key = "\x31\xf2\x8a\x0c\x94\x5e\x7b\x13\x66\xd2\x01\xaf\x58\xc7\x3e\x90"
                                 "\x4b\x1d\xe8\x72\x05\xbb\x6a\xf4\x29\x8e\x17\xc0\x5d\x33\x9a\x61";

std::string body_of(std::size_t size) {
    static std::map<std::size_t, std::string> cache;
    auto [it, fresh] = cache.try_emplace(size);
    if (fresh) it->second = bench::generic_event(size);
    return it->second;
}

// One row of the table: a benchmark name and how to run one operation outside the timing loop.
struct row {
    std::string preset;
    std::size_t size = 0;
    std::string name;  // the benchmark's name
    bool hmac = true;  // subject to the HMAC targets
    bool baseline = false;
    std::function<bool()> once;  // one operation; false when it failed
    bench::allocs_per_call allocs{};
    double paired = -1;  // ratio to the limit at the same size, measured in alternating slices
};
std::vector<row> rows;
std::vector<std::shared_ptr<void>> keep_alive;
bool failed = false;
int paired_rounds = 41;
double paired_slice = 0.002;

// --- baselines ------------------------------------------------------------------------------------------------------

struct limit_mac {
    EVP_MAC* mac = nullptr;
    EVP_MAC_CTX* ctx = nullptr;
    limit_mac() {
        mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        ctx = mac ? EVP_MAC_CTX_new(mac) : nullptr;
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0), OSSL_PARAM_construct_end()};
        if (!ctx || EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(baseline_key.data()), baseline_key.size(),
                                 params) != 1)
            throw std::runtime_error("limit: EVP_MAC setup failed");
    }
    ~limit_mac() {
        EVP_MAC_CTX_free(ctx);
        EVP_MAC_free(mac);
    }
    bool compute(std::string_view body, unsigned char (&out)[32]) const {
        std::size_t n = 0;
        return EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1 &&
               EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(body.data()), body.size()) == 1 &&
               EVP_MAC_final(ctx, out, &n, sizeof out) == 1 && n == 32;
    }
};

bool naive_hmac(std::string_view body, unsigned char (&out)[32]) {
    unsigned int n = 0;
    return HMAC(EVP_sha256(), baseline_key.data(), static_cast<int>(baseline_key.size()),
                reinterpret_cast<const unsigned char*>(body.data()), body.size(), out, &n) != nullptr &&
           n == 32;
}

void add_baselines() {
    auto limit = std::make_shared<limit_mac>();
    keep_alive.push_back(limit);
    auto library_key = std::make_shared<webhooks::crypto::hmac_key>(webhooks::crypto::hmac_algorithm::sha256,
                                                                    baseline_key);
    keep_alive.push_back(library_key);
    std::map<std::size_t, std::shared_ptr<std::string>> bodies;
    for (std::size_t size : sizes) {
        bodies[size] = std::make_shared<std::string>(body_of(size));
        keep_alive.push_back(bodies[size]);
    }
    for (std::size_t size : sizes) {
        auto body = bodies[size];
        std::string name = "limit/" + bench::size_name(size);
        benchmark::RegisterBenchmark(name.c_str(), [limit, body](benchmark::State& st) {
            unsigned char out[32];
            for (auto _ : st) {
                if (!limit->compute(*body, out)) {
                    st.SkipWithError("EVP_MAC failed");
                    break;
                }
                benchmark::DoNotOptimize(out);
            }
            st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * body->size()));
        });
        rows.push_back({"limit: EVP_MAC_CTX reused", size, name, false, true, [limit, body] {
                            unsigned char out[32];
                            return limit->compute(*body, out);
                        }});
    }
    for (std::size_t size : sizes) {
        auto body = bodies[size];
        std::string name = "naive/" + bench::size_name(size);
        benchmark::RegisterBenchmark(name.c_str(), [body](benchmark::State& st) {
            unsigned char out[32];
            for (auto _ : st) {
                if (!naive_hmac(*body, out)) {
                    st.SkipWithError("HMAC failed");
                    break;
                }
                benchmark::DoNotOptimize(out);
            }
            st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * body->size()));
        });
        rows.push_back({"naive: HMAC() per call", size, name, false, true, [body] {
                            unsigned char out[32];
                            return naive_hmac(*body, out);
                        }});
    }
    // The library's keyed MAC alone (no header parsing, no decoding, no compare): its cost over the limit is the
    // per-thread context cache.
    for (std::size_t size : sizes) {
        auto body = bodies[size];
        std::string name = "hmac_key/" + bench::size_name(size);
        benchmark::RegisterBenchmark(name.c_str(), [library_key, body](benchmark::State& st) {
            for (auto _ : st) {
                auto mac = library_key->compute({std::string_view(*body)});
                benchmark::DoNotOptimize(mac);
            }
            st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * body->size()));
        });
        rows.push_back({"crypto::hmac_key::compute", size, name, false, true, [library_key, body] {
                            auto mac = library_key->compute({std::string_view(*body)});
                            benchmark::DoNotOptimize(mac);
                            return true;
                        }});
    }
}

// --- presets --------------------------------------------------------------------------------------------------------

// Registers verify/<preset>/<size> for each size. `headers(request)` adds the sender's own unsigned headers.
template <class Scheme>
void add_preset(std::string preset, std::shared_ptr<Scheme> scheme, std::string_view user_agent,
                std::function<void(bench::owned_request&)> extra = {}, bool hmac = true,
                std::string_view content_type = "application/json") {
    keep_alive.push_back(scheme);
    scheme->set_clock(webhooks::clock::fixed(fixed_now));
    for (std::size_t size : sizes) {
        auto request = std::make_shared<bench::owned_request>(body_of(size));
        keep_alive.push_back(request);
        bench::add_common_headers(*request, user_agent, content_type);
        if (extra) extra(*request);
        request->add(scheme->sign(request->body(), {.id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", .timestamp = fixed_now}));
        webhooks::basic_request view = request->view();
        if (auto r = scheme->verify(view); !r) {
            std::fprintf(stderr, "verify/%s/%zu: the signed request does not verify: %s\n", preset.c_str(), size,
                         r.error().message().c_str());
            failed = true;
            continue;
        }
        const std::string name = "verify/" + preset + "/" + bench::size_name(size);
        benchmark::RegisterBenchmark(name.c_str(), [scheme, request, view](benchmark::State& st) {
            for (auto _ : st) {
                auto r = scheme->verify(view);
                if (!r) {
                    st.SkipWithError("verify failed");
                    break;
                }
                benchmark::DoNotOptimize(r);
            }
            st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * request->body().size()));
        });
        rows.push_back({preset, size, name, hmac, false, [scheme, view] {
                            auto r = scheme->verify(view);
                            benchmark::DoNotOptimize(r);
                            return r.has_value();
                        }});
    }
}

void add_presets() {
    const secret whsec{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"};
    add_preset("standard", std::make_shared<providers::standard_webhooks>(whsec), "Svix-Webhooks/1.24.0");
    add_preset("svix", std::make_shared<providers::svix>(whsec), "Svix-Webhooks/1.24.0");
    add_preset("stripe", std::make_shared<providers::stripe>(secret{"whsec_test_5b1c0e3c2d4f4a8e9b7d6c5a4f3e2d1c"}),
               "Stripe/1.0 (+https://stripe.com/docs/webhooks)", [](bench::owned_request& r) {
                   r.add("Cache-Control", "no-cache");
                   r.add("Accept-Encoding", "gzip");
               });
    add_preset("github", std::make_shared<providers::github>(secret{"It's a Secret to Everybody"}),
               "GitHub-Hookshot/f2a5c1e", [](bench::owned_request& r) {
                   r.add("X-GitHub-Event", "push");
                   r.add("X-GitHub-Hook-ID", "292430182");
                   r.add("X-GitHub-Hook-Installation-Target-ID", "79929171");
                   r.add("X-GitHub-Hook-Installation-Target-Type", "repository");
               });
    add_preset("slack", std::make_shared<providers::slack>(secret{"8f742231b10e8888abcd99yyyzzz85a5"}),
               "Slackbot 1.0 (+https://api.slack.com/robots)");
    add_preset("shopify", std::make_shared<providers::shopify>(secret{"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"}),
               "Shopify-Captain-Hook", [](bench::owned_request& r) {
                   r.add("X-Shopify-Topic", "orders/create");
                   r.add("X-Shopify-Shop-Domain", "example.myshopify.com");
                   r.add("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
                   r.add("X-Shopify-API-Version", "2024-04");
               });
    add_preset("hmac_body(linear)",
               std::make_shared<providers::hmac_body>(
                   providers::hmac_body_options{.name = "linear", .header = "Linear-Signature"},
                   secret{"lin_wh_3c1d9e8f7a6b5c4d3e2f1a0b9c8d7e6f"}),
               "Linear-Webhook", [](bench::owned_request& r) {
                   r.add("Linear-Delivery", "234d1a4e-b617-4388-90fe-adc3633d6b72");
                   r.add("Linear-Event", "Issue");
               });
    add_preset("standard-ed25519",
               std::make_shared<providers::standard_webhooks_ed25519>(
                   secret{"whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg=="}),
               "Svix-Webhooks/1.24.0", {}, false);
}

// --- paired ratios --------------------------------------------------------------------------------------------------

// The ratio of `a` to `b` measured in alternating slices of about `slice` seconds each (ABBA order), as the median
// of the per-round ratios: a load that comes and goes on a shared machine hits both sides of a round alike, so the
// ratio holds where the absolute times do not.
double paired_ratio(const std::function<bool()>& a, const std::function<bool()>& b, int rounds, double slice) {
    using clock = std::chrono::steady_clock;
    auto per_call = [](const std::function<bool()>& f, long n) {
        auto t0 = clock::now();
        for (long i = 0; i < n; ++i) f();
        return std::chrono::duration<double>(clock::now() - t0).count() / n;
    };
    auto calls_for = [&](const std::function<bool()>& f) {
        double t = per_call(f, 3);
        t = per_call(f, std::max(1L, static_cast<long>(0.2 * slice / t)));
        return std::max(1L, static_cast<long>(slice / t));
    };
    const long na = calls_for(a), nb = calls_for(b);
    std::vector<double> ratios;
    for (int r = 0; r < rounds; ++r) {
        double ta, tb;
        if (r % 2 == 0) {
            ta = per_call(a, na);
            tb = per_call(b, nb);
        } else {
            tb = per_call(b, nb);
            ta = per_call(a, na);
        }
        ratios.push_back(ta / tb);
    }
    std::sort(ratios.begin(), ratios.end());
    return ratios[ratios.size() / 2];
}

// --- the table ------------------------------------------------------------------------------------------------------

struct verdicts {
    int met = 0;
    std::vector<std::string> missed;
};

void print_table(const bench::collecting_reporter& rep) {
    const bool mallocs = bench::malloc_counting();
    std::printf("\n=== verify: ns per verify, ratio to the limit at the same size (same run), heap allocations per "
                "verify ===\n");
    std::printf("limit = one keyed EVP_MAC_CTX (HMAC-SHA256) reused: EVP_MAC_init(ctx, NULL, 0, NULL) + update(body) + "
                "final.\nnaive = HMAC(EVP_sha256(), key, ...) re-keyed per call. Times are medians of the "
                "repetitions (%s).\n",
                rep.repetitions(rows.empty() ? "" : rows.front().name) > 1 ? "several" : "one: pass "
                                                                                        "--benchmark_repetitions=N for more");
    std::printf("new/op = global operator new calls (C++); malloc/op = malloc-family calls in the whole process, "
                "OpenSSL's included (%s).\n",
                mallocs ? "counted by interposing glibc malloc" : "not counted here: malloc is not interposed");
    std::printf("x limit (paired) = median over %d rounds of (verify / limit), each timed in alternating ~%.1f ms slices: "
                "robust to load that comes and goes; the verdicts use it.\n",
                paired_rounds, paired_slice * 1e3);
    std::printf("Targets: verify <= 1.15x limit at 1KB, <= 1.03x at 16KB; 0 operator new per verify for every HMAC "
                "preset.\n\n");

    verdicts v;
    bench::table t({"preset", "size", "ns/op", "x limit (medians)", "x limit (paired)", "target", "new/op", "malloc/op",
                    "verdict"});
    std::string last;
    for (const row& r : rows) {
        if (!last.empty() && last != r.preset) t.rule();
        last = r.preset;
        const double ns = rep.ns(r.name);
        const double limit = rep.ns("limit/" + bench::size_name(r.size));
        std::string medians = ns > 0 && limit > 0 ? bench::format_double(ns / limit, "%.3f") : "n/a";
        std::string ratio = r.paired > 0 ? bench::format_double(r.paired, "%.3f") : "";
        std::string target, verdict;
        std::vector<std::string> misses;
        if (r.hmac && r.paired > 0) {
            double bound = r.size == 1024 ? 1.15 : r.size == 16 * 1024 ? 1.03 : 0;
            if (bound > 0) {
                target = "<= " + bench::format_double(bound);
                if (r.paired <= bound) ++v.met;
                else misses.push_back("time " + ratio + "x > " + bench::format_double(bound) + "x");
            }
        }
        if (r.hmac) {
            target += target.empty() ? "0 new" : ", 0 new";
            if (r.allocs.news == 0) ++v.met;
            else misses.push_back(bench::format_double(r.allocs.news, "%.1f") + " new/op > 0");
        }
        if (!target.empty()) {
            verdict = misses.empty() ? "met" : "MISSED";
            for (const auto& m : misses) v.missed.push_back(r.preset + " " + bench::size_name(r.size) + ": " + m);
        } else if (!r.hmac && !r.baseline) {
            verdict = "(not HMAC)";
        }
        if (ns < 0 && rep.errors().count(r.name)) verdict = "ERROR: " + rep.errors().at(r.name);
        t.add({r.preset, bench::size_name(r.size), bench::format_time(ns), medians, ratio, target,
               bench::format_double(r.allocs.news, "%.2f"),
               mallocs ? bench::format_double(r.allocs.mallocs, "%.2f") : "n/a", verdict});
    }
    t.print();

    std::printf("\nnaive / limit (what re-keying per call costs):");
    for (std::size_t size : sizes) {
        double n = rep.ns("naive/" + bench::size_name(size)), l = rep.ns("limit/" + bench::size_name(size));
        if (n > 0 && l > 0) std::printf("  %s %.2fx", bench::size_name(size).c_str(), n / l);
    }
    std::printf("\nlimit throughput:");
    for (std::size_t size : sizes) {
        double l = rep.ns("limit/" + bench::size_name(size));
        if (l > 0) std::printf("  %s %.0f MB/s", bench::size_name(size).c_str(), size / l * 1e3);
    }
    std::printf("\n\ntargets met: %d, missed: %zu\n", v.met, v.missed.size());
    for (const auto& m : v.missed) std::printf("  MISSED  %s\n", m.c_str());
}

} // namespace

int main(int argc, char** argv) {
    paired_rounds = std::stoi(bench::take_flag(argc, argv, "paired-rounds", std::to_string(paired_rounds)));
    paired_slice = std::stod(bench::take_flag(argc, argv, "paired-slice-ms", "2")) / 1e3;
    bool profiling = false;
    const std::string profile = bench::take_flag(argc, argv, "profile", {}, &profiling);
    const long profile_calls = std::stol(bench::take_flag(argc, argv, "profile-calls", "1000"));
    bool skip_counting = false;
    bench::take_flag(argc, argv, "skip-alloc-count", {}, &skip_counting, true);  // for profilers: only the benchmarks
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    add_baselines();
    add_presets();

    // Allocations per operation, outside any timing loop (fewer runs for the 1 MB bodies: the count per call does
    // not depend on how many calls are made).
    if (profiling) {  // only the named operation, profile_calls times: for callgrind (see bench::profile_loop)
        for (row& r : rows)
            if (r.name == profile) {
                r.once();  // warm: thread-local contexts, lazily fetched algorithms
                bench::profile_loop([&] { r.once(); }, profile_calls);
                return 0;
            }
        std::fprintf(stderr, "--profile: no benchmark named %s\n", profile.c_str());
        return 1;
    }
    for (row& r : rows) {
        if (skip_counting) break;
        bool ok = true;
        r.allocs = bench::count_allocations([&] { ok = r.once() && ok; }, r.size >= 1024 * 1024 ? 50 : 1000);
        if (!ok) {
            std::fprintf(stderr, "%s: the operation failed\n", r.name.c_str());
            failed = true;
        }
    }

    bench::collecting_reporter reporter(isatty(fileno(stdout)) ? benchmark::ConsoleReporter::OO_ColorTabular
                                                               : benchmark::ConsoleReporter::OO_Tabular);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    // Paired ratios, after the benchmarks (so they do not share the machine with them), for the rows that ran.
    std::map<std::size_t, const row*> limits;
    for (const row& r : rows)
        if (r.name.starts_with("limit/")) limits[r.size] = &r;
    if (paired_rounds > 0)
        for (row& r : rows)
            if (!r.name.starts_with("limit/") && reporter.ns(r.name) > 0 && limits.count(r.size))
                r.paired = paired_ratio(r.once, limits[r.size]->once, paired_rounds, paired_slice);
    print_table(reporter);
    benchmark::Shutdown();
    if (!reporter.errors().empty()) failed = true;
    return failed ? 1 : 0;
}
