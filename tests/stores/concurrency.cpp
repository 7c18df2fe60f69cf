// SPDX-License-Identifier: BSL-1.0
// Exactly once under concurrency: many threads, many processes, retries, failing handlers, a store that goes away.
#include "deliveries.hpp"
#include "fixtures.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <thread>

using namespace std::chrono_literals;

namespace {

std::uint64_t fresh_seed() {
    std::uint64_t seed = std::random_device{}();
    UNSCOPED_INFO("seed " << seed);
    return seed;
}

int events_not_exactly_once(const std::vector<int>& effects) {
    int wrong = 0;
    for (int n : effects) wrong += n != 1;
    return wrong;
}

} // namespace

#define CONCURRENT_STORES test::memory_fixture, test::sqlite_fixture, test::redis_fixture

TEMPLATE_TEST_CASE("Eight threads delivering 2,000 events five times each run every effect exactly once",
                   "[store][concurrency]", CONCURRENT_STORES) {
    TestType f;
    test::delivery_plan plan;
    plan.seed = fresh_seed();
    auto report = test::deliver(f.store, plan);
    CHECK_FALSE(report.timed_out);
    CHECK(report.unexpected == 0);
    CHECK(events_not_exactly_once(report.effects) == 0);
    CHECK(report.duplicates > 0);  // the copies really were answered as duplicates
}

TEMPLATE_TEST_CASE("A handler failing the first attempt of 10 % of events loses none and doubles none",
                   "[store][concurrency][retry]", CONCURRENT_STORES) {
    TestType f;
    test::delivery_plan plan;
    plan.seed = fresh_seed();
    plan.fail_first_percent = 10;
    auto report = test::deliver(f.store, plan);
    CHECK_FALSE(report.timed_out);
    CHECK(report.unexpected == 0);
    CHECK(report.handler_failures > 100);  // about 200 events failed once and were retried
    CHECK(events_not_exactly_once(report.effects) == 0);
}

namespace {

// Runs the worker program twice at once on the same store and adds up the effects each reports.
std::vector<int> run_two_workers(const std::string& store_args, int events, std::uint64_t seed) {
    std::vector<int> effects(events, 0);
    std::string cmd = std::string(WEBHOOKS_STORE_WORKER) + " " + store_args + " " + std::to_string(events) + " 5 4 ";
    FILE* a = popen((cmd + std::to_string(seed)).c_str(), "r");
    FILE* b = popen((cmd + std::to_string(seed + 1)).c_str(), "r");
    REQUIRE(a);
    REQUIRE(b);
    for (FILE* p : {a, b}) {
        char line[64];
        while (std::fgets(line, sizeof line, p)) {
            int e = std::atoi(line);
            if (e >= 0 && e < events) ++effects[e];
        }
    }
    CHECK(pclose(a) == 0);
    CHECK(pclose(b) == 0);
    return effects;
}

} // namespace

TEST_CASE("Two processes sharing one SQLite file run every effect exactly once", "[store][processes][sqlite]") {
    test::temp_dir dir;
    auto effects = run_two_workers("sqlite " + (dir.path / "shared.sqlite").string(), 1000, fresh_seed());
    CHECK(events_not_exactly_once(effects) == 0);
}

TEST_CASE("Two processes sharing one Redis run every effect exactly once", "[store][processes][redis]") {
    auto effects = run_two_workers("redis " + std::to_string(test::shared_redis().port()) + " " + test::unique_prefix(),
                                   1000, fresh_seed());
    CHECK(events_not_exactly_once(effects) == 0);
}

TEST_CASE("Redis crashing in the middle of a run loses nothing and doubles nothing", "[store][redis][outage]") {
    test::redis_server server{/*durable=*/true};
    webhooks::idempotency::redis_store store{{.host = "127.0.0.1",
                                              .port = server.port(),
                                              .connect_timeout = 200ms,
                                              .command_timeout = 200ms,
                                              .prefix = test::unique_prefix()}};
    test::delivery_plan plan;
    plan.seed = fresh_seed();
    plan.events = 1000;
    plan.threads = 4;
    // A claim Redis applied just before dying, whose answer was lost, is owned by nobody until its lease runs
    // out: the sender's retries see "in progress" until then. A short lease keeps the test short.
    plan.lease = 2s;
    test::delivery_report report;
    std::thread sender([&] { report = test::deliver(store, plan); });
    std::this_thread::sleep_for(150ms);  // deliveries under way
    server.crash();
    std::this_thread::sleep_for(500ms);  // every claim and commit meanwhile: store unavailable, retried later
    server.start();
    sender.join();
    CHECK(report.store_errors > 0);  // the outage really happened during the run
    CHECK_FALSE(report.timed_out);
    CHECK(report.unexpected == 0);
    CHECK(events_not_exactly_once(report.effects) == 0);
}
