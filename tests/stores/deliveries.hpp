// SPDX-License-Identifier: BSL-1.0
// A simulated sender and receiver: deliveries of many events, each several times, shuffled, handled by several
// threads through the claim guard, with retries the way senders retry. Shared by the in-process concurrency tests
// and the multi-process worker.
#ifndef WEBHOOKS_TESTS_STORES_DELIVERIES_HPP
#define WEBHOOKS_TESTS_STORES_DELIVERIES_HPP

#include <webhooks/idempotency/guard.hpp>
#include <webhooks/idempotency/key_policy.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace test {

struct delivery_plan {
    int events = 2000;
    int copies = 5;
    int threads = 8;
    int fail_first_percent = 0;  // this share of events fails its first attempt (the sender retries)
    std::uint64_t seed = 1;
    std::string scope = "test";
    std::chrono::milliseconds lease{30'000};
    std::chrono::seconds deadline{120};
};

struct delivery_report {
    std::vector<int> effects;            // per event: how many times its effect ran here
    std::size_t store_errors = 0;        // claims or commits that found the store unavailable (then retried)
    std::size_t duplicates = 0;          // deliveries answered as already completed
    std::size_t in_progress = 0;         // deliveries answered as in progress (then retried)
    std::size_t handler_failures = 0;    // first attempts that failed on purpose (then retried)
    std::size_t unexpected = 0;          // payload mismatches or lost leases: must stay 0
    bool timed_out = false;
};

inline std::string event_key(const delivery_plan& p, int e) { return p.scope + ":evt_" + std::to_string(e); }
inline std::string event_body(int e) { return R"({"id":"evt_)" + std::to_string(e) + R"(","type":"test"})"; }

template <class Store>
delivery_report deliver(Store& store, const delivery_plan& plan) {
    namespace idem = webhooks::idempotency;
    delivery_report report;
    report.effects.assign(plan.events, 0);
    std::vector<std::atomic<int>> effects(plan.events);
    std::vector<std::atomic<bool>> attempted(plan.events);
    std::vector<std::string> hashes;
    for (int e = 0; e < plan.events; ++e) hashes.push_back(idem::body_hash(event_body(e)));

    std::deque<int> queue;
    for (int e = 0; e < plan.events; ++e)
        for (int c = 0; c < plan.copies; ++c) queue.push_back(e);
    std::mt19937_64 rng(plan.seed);
    std::shuffle(queue.begin(), queue.end(), rng);
    auto fails_first = [&](int e) {
        return plan.fail_first_percent > 0 &&
               static_cast<int>((static_cast<std::uint64_t>(e) * 2654435761u + plan.seed) % 100) <
                   plan.fail_first_percent;
    };

    std::mutex mutex;
    std::condition_variable wake;
    int in_flight = 0;
    std::atomic<std::size_t> store_errors{0}, duplicates{0}, in_progress{0}, failures{0}, unexpected{0};
    const auto deadline = std::chrono::steady_clock::now() + plan.deadline;
    std::atomic<bool> timed_out{false};

    auto worker = [&] {
        for (;;) {
            int e;
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [&] { return !queue.empty() || in_flight == 0; });
                if (queue.empty()) return;  // nothing queued and nothing in flight: done
                e = queue.front();
                queue.pop_front();
                ++in_flight;
            }
            bool retry = false;
            if (std::chrono::steady_clock::now() > deadline) {
                timed_out = true;
            } else {
                auto attempt = idem::try_claim(store, event_key(plan, e), hashes[e], plan.lease);
                if (!attempt) {
                    ++store_errors;
                    retry = true;
                } else if (attempt->status() == idem::claim_status::acquired) {
                    if (fails_first(e) && !attempted[e].exchange(true)) {
                        ++failures;  // the handler throws; the guard releases the claim as it unwinds
                        retry = true;
                    } else {
                        ++effects[e];
                        bool outage = false;
                        for (;;) {  // the effect happened: keep trying to record it while the lease lasts
                            auto done = attempt->guard->commit();
                            if (done) break;
                            if (done.error() == webhooks::error::lease_lost && outage) {
                                // A commit whose reply was lost may have been applied: completed means it was.
                                auto probe = store.claim(event_key(plan, e), hashes[e], plan.lease);
                                if (!probe || probe->status != idem::claim_status::completed) ++unexpected;
                                break;
                            }
                            if (done.error() != webhooks::error::store_unavailable ||
                                std::chrono::steady_clock::now() > deadline) {
                                ++unexpected;
                                break;
                            }
                            outage = true;
                            ++store_errors;
                            std::this_thread::sleep_for(std::chrono::milliseconds(20));
                        }
                    }
                } else if (attempt->status() == idem::claim_status::in_progress) {
                    ++in_progress;
                    retry = true;
                } else if (attempt->status() == idem::claim_status::completed) {
                    ++duplicates;
                } else {
                    ++unexpected;
                }
            }
            if (retry) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            {
                std::lock_guard lock(mutex);
                if (retry && !timed_out) queue.push_back(e);  // the sender retries later
                --in_flight;
            }
            wake.notify_all();
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < plan.threads; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();

    for (int e = 0; e < plan.events; ++e) report.effects[e] = effects[e].load();
    report.store_errors = store_errors;
    report.duplicates = duplicates;
    report.in_progress = in_progress;
    report.handler_failures = failures;
    report.unexpected = unexpected;
    report.timed_out = timed_out;
    return report;
}

} // namespace test

#endif
