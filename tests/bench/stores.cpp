// SPDX-License-Identifier: BSL-1.0
// Claim + commit per second for each idempotency store (one new event each iteration), beside a duplicate claim.
// The Redis store talks to a redis-server this program starts on a free loopback port and stops.
//
//   webhooks_bench_stores [--benchmark_filter=…]
#include "../stores/fixtures.hpp"

#include <webhooks/idempotency/guard.hpp>
#include <webhooks/idempotency/key_policy.hpp>

#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>
#include <string>
#include <type_traits>

namespace idem = webhooks::idempotency;
using namespace std::chrono_literals;

namespace {

const std::string event_hash = idem::body_hash(R"({"id":"evt_1","type":"payment_intent.succeeded"})");

template <class Fixture>
Fixture& fixture() {
    static Fixture f;  // one store per kind for the whole run (Redis: one server)
    return f;
}

// How long a benchmark's committed records are kept. The memory store is bounded (a million records by default)
// and one store serves the whole run, which claims millions of new keys: its records expire after 100 ms, so that
// a full shard purges them (the store's own mechanism) instead of refusing new claims. The durable stores keep the
// default.
template <class Fixture>
constexpr std::chrono::milliseconds retention_of() {
    if constexpr (std::is_same_v<Fixture, test::memory_fixture>) return 100ms;
    else return idem::default_retention;
}

template <class Fixture>
void claim_and_commit(benchmark::State& state) {
    auto& store = fixture<Fixture>().store;
    static std::atomic<long> next{0};
    const std::string prefix = "bench:" + std::to_string(state.thread_index()) + ":";
    for (auto _ : state) {
        auto key = prefix + std::to_string(next.fetch_add(1, std::memory_order_relaxed));
        auto attempt = idem::try_claim(store, key, event_hash);
        if (!attempt || !attempt->guard || !attempt->guard->commit({}, retention_of<Fixture>())) {
            state.SkipWithError("store failed");
            break;
        }
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["claims_per_second"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                             benchmark::Counter::kIsRate);
}

template <class Fixture>
void duplicate_claim(benchmark::State& state) {
    auto& store = fixture<Fixture>().store;
    const std::string key = "bench:duplicate:" + std::to_string(state.thread_index());
    if (auto first = idem::try_claim(store, key, event_hash); first && first->guard) (void)first->guard->commit();
    for (auto _ : state) {
        auto c = store.claim(key, event_hash, idem::default_lease);
        if (!c || c->status != idem::claim_status::completed) {
            state.SkipWithError("expected a completed record");
            break;
        }
    }
    state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK_TEMPLATE(claim_and_commit, test::memory_fixture)->Name("claim_commit/memory")->Threads(1)->Threads(2);
BENCHMARK_TEMPLATE(claim_and_commit, test::sqlite_fixture)->Name("claim_commit/sqlite")->Threads(1)->Threads(2);
BENCHMARK_TEMPLATE(claim_and_commit, test::redis_fixture)->Name("claim_commit/redis")->Threads(1)->Threads(8)->UseRealTime();
BENCHMARK_TEMPLATE(duplicate_claim, test::memory_fixture)->Name("duplicate/memory");
BENCHMARK_TEMPLATE(duplicate_claim, test::sqlite_fixture)->Name("duplicate/sqlite");
BENCHMARK_TEMPLATE(duplicate_claim, test::redis_fixture)->Name("duplicate/redis");

BENCHMARK_MAIN();
