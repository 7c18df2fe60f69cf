// SPDX-License-Identifier: BSL-1.0
#ifndef RECEIVER_LOG_HPP
#define RECEIVER_LOG_HPP

// The receiver's log: one line per event on stdout, each written whole and flushed (several threads write), each
// starting with the UTC time. Values that come from requests are made printable and cut short, so a delivery
// cannot forge log lines. Nothing here ever sees a secret or a body.

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <string_view>

namespace receiver {

/// @return `value` fit for one log field: `-` when empty; control characters and non-ASCII bytes as `?`; quoted
///         (with `"` and `\` escaped) when it has a space, a quote or `=`; at most `max` characters, then `...`.
inline std::string field(std::string_view value, std::size_t max = 120) {
    if (value.empty()) return "-";
    std::string out;
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
    return quote ? '"' + out + '"' : out;
}

class logger {
public:
    /// Writes `line` with the time in front, whole, and flushes.
    void line(std::string_view text) {
        const auto now = std::chrono::system_clock::now();
        const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
        std::tm utc{};
        gmtime_r(&seconds, &utc);
        char stamp[32];
        const std::size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
        std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ ", static_cast<int>(ms));

        std::lock_guard lock(mutex_);
        std::fputs(stamp, stdout);
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fputc('\n', stdout);
        std::fflush(stdout);
    }

private:
    std::mutex mutex_;
};

} // namespace receiver

#endif
