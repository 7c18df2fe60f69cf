// SPDX-License-Identifier: BSL-1.0
#ifndef RECEIVER_LOG_HPP
#define RECEIVER_LOG_HPP

// The receiver's log: one line per event on stdout, each written whole (several threads write), each starting with
// the UTC time; flushed per line or in batches. Values that come from requests are made printable and cut short, so
// a delivery cannot forge log lines. Nothing here ever sees a secret or a body.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace receiver {

/// Appends `value` to `out`, fit for one log field: `-` when empty; control characters and non-ASCII bytes as `?`;
/// quoted (with `"` and `\` escaped) when it has a space, a quote or `=`; at most `max` characters, then `...`.
inline void append_field(std::string& out, std::string_view value, std::size_t max = 120) {
    if (value.empty()) {
        out += '-';
        return;
    }
    const std::size_t start = out.size();
    bool quote = false;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (i == max) {
            out += "...";
            break;
        }
        const unsigned char c = static_cast<unsigned char>(value[i]);
        if (c < 0x20 || c >= 0x7f) {
            out += '?';
        } else {
            if (c == ' ' || c == '"' || c == '=' || c == '\\') quote = true;
            if (c == '"' || c == '\\') out += '\\';
            out += static_cast<char>(c);
        }
    }
    if (quote) {
        out.insert(out.begin() + static_cast<std::ptrdiff_t>(start), '"');
        out += '"';
    }
}

/// @return `value` fit for one log field (see `append_field`).
inline std::string field(std::string_view value, std::size_t max = 120) {
    std::string out;
    append_field(out, value, max);
    return out;
}

/// The log. Two ways of writing, chosen before serving:
/// - `flush::line`: each line is written and flushed at once (for scripts that read the log right after a request);
/// - `flush::batch` (the default): lines are collected and written together at most 100 ms later, at once when
///   64 KiB are waiting, and when the logger goes. A busy server then pays one write per batch, not per line.
class logger {
public:
    enum class flush { line, batch };

    logger() = default;
    logger(const logger&) = delete;
    logger& operator=(const logger&) = delete;
    ~logger() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (flusher_.joinable()) flusher_.join();
        std::lock_guard lock(mutex_);
        write_out();
    }

    /// Sets how lines are written; call before other threads log.
    void set_flush(flush how) {
        how_ = how;
        if (how == flush::batch && !flusher_.joinable()) flusher_ = std::thread([this] { flush_periodically(); });
    }

    /// Writes `line` with the time in front, whole.
    void line(std::string_view text) {
        char stamp[32];
        const std::size_t n = time_stamp(stamp);
        std::lock_guard lock(mutex_);
        pending_.append(stamp, n);
        pending_.append(text);
        pending_ += '\n';
        if (how_ == flush::line || pending_.size() >= batch_bytes) write_out();
    }

private:
    static constexpr std::size_t batch_bytes = 64 * 1024;

    // "2026-12-04T22:19:59.123Z " into `out`; the date and time are formatted once a second per thread.
    static std::size_t time_stamp(char (&out)[32]) {
        thread_local std::time_t cached_second = -1;
        thread_local char cached[24];
        const auto now = std::chrono::system_clock::now();
        const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
        if (seconds != cached_second) {
            std::tm utc{};
            gmtime_r(&seconds, &utc);
            std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &utc);
            cached_second = seconds;
        }
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
        return static_cast<std::size_t>(std::snprintf(out, sizeof out, "%s.%03dZ ", cached, static_cast<int>(ms)));
    }

    // With the mutex held.
    void write_out() {
        if (pending_.empty()) return;
        std::fwrite(pending_.data(), 1, pending_.size(), stdout);
        std::fflush(stdout);
        pending_.clear();
    }

    void flush_periodically() {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            wake_.wait_for(lock, std::chrono::milliseconds(100));
            write_out();
        }
    }

    flush how_ = flush::line;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::string pending_;
    bool stopping_ = false;
    std::thread flusher_;
};

} // namespace receiver

#endif
