// SPDX-License-Identifier: BSL-1.0
// Test doubles shared by the unit and the HTTP endpoint tests: a gate a thread waits at, and a memory store that
// can be taken down.
#ifndef WEBHOOKS_TESTS_SUPPORT_TEST_DOUBLES_HPP
#define WEBHOOKS_TESTS_SUPPORT_TEST_DOUBLES_HPP

#include <webhooks/error.hpp>
#include <webhooks/idempotency/memory_store.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string_view>

namespace webhooks::test {

// A gate a thread can wait at, for a bounded time.
class gate {
public:
    void open() {
        {
            std::lock_guard lock(mutex_);
            open_ = true;
        }
        cv_.notify_all();
    }
    bool wait(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, timeout, [&] { return open_; });
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool open_ = false;
};

// A memory store that can be taken down: every call then fails with store_unavailable (or only `complete`, with
// `complete_down`). `completes` counts the calls to complete.
struct flaky_store {
    idempotency::memory_store inner;
    std::atomic<bool> down{false};
    std::atomic<bool> complete_down{false};
    std::atomic<int> completes{0};

    boost::system::result<idempotency::claim_result> claim(std::string_view k, std::string_view h,
                                                           std::chrono::milliseconds l) {
        if (down) return make_error_code(error::store_unavailable);
        return inner.claim(k, h, l);
    }
    boost::system::result<void> complete(std::string_view k, std::string_view t, const idempotency::completion& c,
                                         std::chrono::milliseconds r) {
        ++completes;
        if (down || complete_down) return make_error_code(error::store_unavailable);
        return inner.complete(k, t, c, r);
    }
    boost::system::result<void> release(std::string_view k, std::string_view t) {
        if (down) return make_error_code(error::store_unavailable);
        return inner.release(k, t);
    }
    boost::system::result<void> renew(std::string_view k, std::string_view t, std::chrono::milliseconds l) {
        if (down) return make_error_code(error::store_unavailable);
        return inner.renew(k, t, l);
    }
};
static_assert(idempotency::IdempotencyStore<flaky_store>);

} // namespace webhooks::test

#endif
