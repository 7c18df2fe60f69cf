// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_SIGNATURE_CLOCK_HPP
#define WEBHOOKS_SIGNATURE_CLOCK_HPP

/// @file
/// The time a timestamp is checked against. Injectable, so tests (and tools) can pin "now".

#include <chrono>
#include <cstdint>
#include <functional>
#include <utility>

#include <time.h>

namespace webhooks {

/// A source of the current Unix time in seconds. The default reads the system clock.
///
/// @par Example
/// @code
/// scheme.set_clock(webhooks::clock::fixed(1700000000));       // tests
/// scheme.set_clock(webhooks::clock{[&] { return sim.now(); }});  // a simulated clock
/// @endcode
class clock {
public:
    /// The system clock.
    clock() = default;

    /// @param source called for every check; must be thread-safe if the scheme is shared between threads.
    explicit clock(std::function<std::int64_t()> source) : source_(std::move(source)) {}

    /// @return a clock that always reads `unix_seconds`.
    static clock fixed(std::int64_t unix_seconds) {
        return clock{[unix_seconds] { return unix_seconds; }};
    }

    /// @return the current Unix time in seconds. The system clock is read coarsely where the system offers it (on
    ///         Linux, `CLOCK_REALTIME_COARSE`: a few milliseconds behind at most, a few times cheaper to read), which
    ///         is plenty for windows counted in seconds.
    std::int64_t now() const {
        if (source_) return source_();
#if defined(__linux__) && defined(CLOCK_REALTIME_COARSE)
        ::timespec ts;
        if (::clock_gettime(CLOCK_REALTIME_COARSE, &ts) == 0) return static_cast<std::int64_t>(ts.tv_sec);
#endif
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    }

private:
    std::function<std::int64_t()> source_;
};

} // namespace webhooks

#endif
