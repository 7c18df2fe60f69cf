// SPDX-License-Identifier: BSL-1.0
// What webhooks_bench_verify and webhooks_bench_pipeline share: allocation counters (alloc_count.cpp), realistic
// JSON bodies of an exact size, a reporter that keeps every result for the tables printed after the run, and the
// table printing itself.
#ifndef WEBHOOKS_TESTS_BENCH_COMMON_HPP
#define WEBHOOKS_TESTS_BENCH_COMMON_HPP

#include <webhooks/request.hpp>
#include <webhooks/signature/scheme.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

// --- allocations ----------------------------------------------------------------------------------------------------

/// Calls counted on this thread since it started (see alloc_count.cpp for what each counts).
struct alloc_counts {
    std::uint64_t news = 0;     ///< global operator new, every form
    std::uint64_t mallocs = 0;  ///< malloc/calloc/realloc/memalign family (includes the mallocs under operator new)
};
alloc_counts alloc_now() noexcept;
/// @return true when malloc is interposed (glibc) and `mallocs` means something.
bool malloc_counting() noexcept;

struct allocs_per_call {
    double news = 0;
    double mallocs = 0;
};

/// Runs `f` a few times to warm up (thread-local contexts, lazily fetched algorithms), then `n` times, counting.
/// Outside any timing loop.
template <class F>
allocs_per_call count_allocations(F&& f, int n = 1000) {
    for (int i = 0; i < 16; ++i) f();
    alloc_counts a = alloc_now();
    for (int i = 0; i < n; ++i) f();
    alloc_counts b = alloc_now();
    return {static_cast<double>(b.news - a.news) / n, static_cast<double>(b.mallocs - a.mallocs) / n};
}

/// Calls `f` n times: the function a profiler collects in (`valgrind --tool=callgrind
/// --toggle-collect='*profile_loop*' PROGRAM --profile=NAME`), so setup is left out and cost per call = total / n.
[[gnu::noinline]] inline void profile_loop(const std::function<void()>& f, long n) {
    for (long i = 0; i < n; ++i) f();
}

// --- bodies ---------------------------------------------------------------------------------------------------------

/// `n` bytes of printable ASCII prose (no character JSON would escape).
inline std::string prose(std::size_t n) {
    static constexpr std::string_view words =
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et "
        "dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex "
        "ea commodo consequat. ";
    std::string out;
    out.reserve(n);
    while (out.size() < n) out.append(words.substr(0, std::min(words.size(), n - out.size())));
    return out;
}

/// 40 hex digits derived from `i` (a fake commit sha).
inline std::string sha_like(std::uint64_t i) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(40, '0');
    std::uint64_t x = i * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    for (std::size_t k = 0; k < 40; ++k) {
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9ull;
        out[k] = hex[(x >> 60) & 15];
    }
    return out;
}

/// head + item(0) "," item(1) … + mid + prose + tail, exactly `size` bytes: as many items as fit, the rest prose
/// inside a JSON string (mid ends with an opening quote, tail starts with the closing one).
inline std::string assemble(std::size_t size, std::string_view head, const std::function<std::string(std::size_t)>& item,
                            std::string_view mid, std::string_view tail, std::size_t min_prose = 8) {
    std::size_t fixed = head.size() + mid.size() + tail.size();
    if (fixed + min_prose > size)
        throw std::invalid_argument("bench: a body of " + std::to_string(size) + " bytes is too small for this shape");
    std::string items;
    for (std::size_t i = 0;; ++i) {
        std::string next = item(i);
        std::size_t add = next.size() + (i ? 1 : 0);
        if (fixed + items.size() + add + min_prose > size) break;
        if (i) items += ',';
        items += next;
    }
    std::string out;
    out.reserve(size);
    out.append(head).append(items).append(mid).append(prose(size - fixed - items.size())).append(tail);
    if (out.size() != size) throw std::logic_error("bench: body size");
    return out;
}

/// A generic event in the Standard Webhooks shape (an invoice with line items), exactly `size` bytes (>= 200).
inline std::string generic_event(std::size_t size) {
    return assemble(
        size,
        R"({"type":"invoice.paid","timestamp":"2024-05-01T12:00:00.000000Z","data":{"id":"in_1PBkXjLkdIwHu7ix",)"
        R"("object":"invoice","customer":"cus_Q1kXjLkdIwHu7i","currency":"usd","lines":[)",
        [](std::size_t i) {
            return R"({"id":"il_)" + sha_like(i).substr(0, 24) + R"(","amount":)" + std::to_string(1000 + i * 37) +
                   R"(,"currency":"usd","description":"1 × Widget at $)" + std::to_string(10 + i % 90) +
                   R"(.00 per month","quantity":1})";
        },
        R"(],"memo":")", R"("}})");
}

/// A GitHub `push` payload (a trimmed repository object, commits with authors and file lists), exactly `size`
/// bytes (>= about 1000). The head commit's message takes the remainder.
inline std::string github_push(std::size_t size) {
    const std::string before = sha_like(1), after = sha_like(2);
    std::string head = R"({"ref":"refs/heads/main","before":")" + before + R"(","after":")" + after +
                       R"(","repository":{"id":1296269,"name":"Hello-World","full_name":"octocat/Hello-World",)"
                       R"("private":false,"html_url":"https://github.com/octocat/Hello-World","default_branch":"main"},)"
                       R"("pusher":{"name":"octocat","email":"octocat@github.com"},)"
                       R"("sender":{"login":"octocat","id":583231,"type":"User"},)"
                       R"("created":false,"deleted":false,"forced":false,"commits":[)";
    auto commit = [](std::size_t i) {
        std::string id = sha_like(100 + i);
        return R"({"id":")" + id + R"(","message":"Fix #)" + std::to_string(1000 + i) +
               R"(: handle the empty case","timestamp":"2024-05-01T12:00:00+02:00",)"
               R"("url":"https://github.com/octocat/Hello-World/commit/)" + id +
               R"(","author":{"name":"Mona Octocat","email":"mona@github.com","username":"mona"},)"
               R"("added":[],"removed":[],"modified":["src/file_)" + std::to_string(i) + R"(.cpp"]})";
    };
    std::string mid = R"(],"head_commit":{"id":")" + after + R"(","message":")";
    std::string tail = R"(","timestamp":"2024-05-01T12:00:00+02:00","author":{"name":"Mona Octocat",)"
                       R"("email":"mona@github.com","username":"mona"},"added":[],"removed":[],"modified":[]}})";
    return assemble(size, head, commit, mid, tail);
}

/// The event id placeholder in `stripe_payment_intent`: "evt_" + 24 characters.
inline constexpr std::string_view stripe_id_placeholder = "evt_XXXXXXXXXXXXXXXXXXXXXXXX";

/// A Stripe `payment_intent.succeeded` event (API version 2020-08-27, so the PaymentIntent embeds its charges list,
/// which is what makes real ones large), exactly `size` bytes (>= about 1000). Its id is `stripe_id_placeholder`:
/// overwrite it in place (same length) to make distinct events.
inline std::string stripe_payment_intent(std::size_t size) {
    std::string head =
        R"({"id":")" + std::string(stripe_id_placeholder) +
        R"(","object":"event","api_version":"2020-08-27","created":1714560000,"data":{"object":{)"
        R"("id":"pi_3PBkXjLkdIwHu7ix0xZ8cMkq","object":"payment_intent","amount":2000,"amount_capturable":0,)"
        R"("amount_received":2000,"capture_method":"automatic","currency":"usd","customer":"cus_Q1kXjLkdIwHu7i",)"
        R"("latest_charge":"ch_3PBkXjLkdIwHu7ix0Gd9XBzE","livemode":false,"metadata":{"order_id":"6735"},)"
        R"("payment_method":"pm_1PBkXiLkdIwHu7ixQz2QhZ3c","payment_method_types":["card"],"status":"succeeded",)"
        R"("charges":{"object":"list","has_more":false,"url":"/v1/charges?payment_intent=pi_3PBkXjLkdIwHu7ix0xZ8cMkq",)"
        R"("data":[)";
    auto charge = [](std::size_t i) {
        return R"({"id":"ch_)" + sha_like(500 + i).substr(0, 24) +
               R"(","object":"charge","amount":2000,"amount_captured":2000,"amount_refunded":0,"captured":true,)"
               R"("currency":"usd","paid":true,"status":"succeeded","payment_method":"pm_1PBkXiLkdIwHu7ixQz2QhZ3c",)"
               R"("billing_details":{"email":"jenny.rosen@example.com","name":"Jenny Rosen"},)"
               R"("outcome":{"network_status":"approved_by_network","risk_level":"normal","risk_score":)" +
               std::to_string(i % 100) + R"(,"seller_message":"Payment complete.","type":"authorized"}})";
    };
    std::string mid = R"(]},"description":")";
    std::string tail = R"("}},"livemode":false,"pending_webhooks":1,)"
                       R"("request":{"id":"req_Q1kXjLkdIwHu7i","idempotency_key":"a2f6c1b0-98a1-4c3e-9d1b-5c0f2b6f7e10"},)"
                       R"("type":"payment_intent.succeeded"})";
    return assemble(size, head, charge, mid, tail);
}

/// "evt_" + 24 characters unique to `i`.
inline std::string stripe_event_id(std::uint64_t i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "evt_3PBk%020llu", static_cast<unsigned long long>(i));
    return buf;
}

// --- requests -------------------------------------------------------------------------------------------------------

/// A request that owns its header names, values and body; `view()` is the `basic_request` over them. Not movable
/// once viewed (the view points into it): keep it in a unique_ptr or a node container.
class owned_request {
public:
    explicit owned_request(std::string body) : body_(std::move(body)) {}
    owned_request(const owned_request&) = delete;
    owned_request& operator=(const owned_request&) = delete;

    owned_request& add(std::string name, std::string value) {
        headers_.push_back({std::move(name), std::move(value)});
        fields_.clear();
        return *this;
    }
    owned_request& add(const webhooks::signed_headers& headers) {
        for (const auto& h : headers) add(h.name, h.value);
        return *this;
    }
    /// @return the value of the first header named `name` (exact case), or null.
    std::string* find(std::string_view name) {
        for (auto& h : headers_)
            if (h.name == name) return &h.value;
        return nullptr;
    }
    const std::string& body() const noexcept { return body_; }
    std::string& body() noexcept { return body_; }

    /// @return the view every benchmark passes to the library (POST, /webhooks).
    webhooks::basic_request view() {
        if (fields_.size() != headers_.size()) {
            fields_.clear();
            for (const auto& h : headers_) fields_.push_back({h.name, h.value});
        }
        return {"POST", "/webhooks", fields_, body_};
    }

private:
    struct header {
        std::string name;
        std::string value;
    };
    std::string body_;
    std::vector<header> headers_;
    std::vector<webhooks::header_field> fields_;
};

/// The headers every sender's request has besides its own (as an HTTP server hands them over).
inline void add_common_headers(owned_request& r, std::string_view user_agent,
                               std::string_view content_type = "application/json") {
    r.add("Host", "hooks.example.com");
    r.add("User-Agent", std::string(user_agent));
    r.add("Accept", "*/*");
    r.add("Content-Type", std::string(content_type));
    r.add("Content-Length", std::to_string(r.body().size()));
}

inline std::string size_name(std::size_t n) {
    if (n >= 1024 * 1024 && n % (1024 * 1024) == 0) return std::to_string(n / (1024 * 1024)) + "MB";
    if (n >= 1024 && n % 1024 == 0) return std::to_string(n / 1024) + "KB";
    return std::to_string(n) + "B";
}

// --- results --------------------------------------------------------------------------------------------------------

/// The console reporter, keeping every iteration run's real time per operation (ns) by benchmark name, so tables
/// can be printed after the run. With repetitions (and random interleaving), the median of the repetitions is used.
class collecting_reporter : public benchmark::ConsoleReporter {
public:
    using benchmark::ConsoleReporter::ConsoleReporter;

    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& r : runs) {
            if (r.run_type != Run::RT_Iteration) continue;
            const std::string name = r.run_name.function_name;
            if (r.error_occurred) {
                errors_[name] = r.error_message;
                continue;
            }
            double ns = r.GetAdjustedRealTime() * multiplier(r.time_unit);
            times_[name].push_back(ns);
        }
        ConsoleReporter::ReportRuns(runs);
    }

    /// @return the median ns per iteration of `name`, or a negative number when it did not run.
    double ns(const std::string& name) const {
        auto it = times_.find(name);
        if (it == times_.end() || it->second.empty()) return -1;
        std::vector<double> v = it->second;
        std::sort(v.begin(), v.end());
        std::size_t n = v.size();
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
    std::size_t repetitions(const std::string& name) const {
        auto it = times_.find(name);
        return it == times_.end() ? 0 : it->second.size();
    }
    const std::map<std::string, std::string>& errors() const { return errors_; }

private:
    static double multiplier(benchmark::TimeUnit u) {
        switch (u) {
        case benchmark::kNanosecond: return 1;
        case benchmark::kMicrosecond: return 1e3;
        case benchmark::kMillisecond: return 1e6;
        case benchmark::kSecond: return 1e9;
        }
        return 1;
    }
    std::map<std::string, std::vector<double>> times_;
    std::map<std::string, std::string> errors_;
};

/// A time in ns, printed with a sensible unit.
inline std::string format_time(double ns) {
    char buf[32];
    if (ns < 0) return "n/a";
    if (ns < 10'000) std::snprintf(buf, sizeof buf, "%.0f ns", ns);
    else if (ns < 10'000'000) std::snprintf(buf, sizeof buf, "%.2f us", ns / 1e3);
    else std::snprintf(buf, sizeof buf, "%.2f ms", ns / 1e6);
    return buf;
}

inline std::string format_double(double v, const char* fmt = "%.2f") {
    char buf[32];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

/// A plain text table: columns padded to their widest cell.
class table {
public:
    explicit table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void rule() { rows_.emplace_back(); }
    void print(std::FILE* out = stdout) const {
        std::vector<std::size_t> width;
        for (const auto& r : rows_)
            for (std::size_t i = 0; i < r.size(); ++i) {
                if (width.size() <= i) width.push_back(0);
                width[i] = std::max(width[i], display_width(r[i]));
            }
        std::size_t total = 0;
        for (std::size_t w : width) total += w + 2;
        auto line = [&] { std::fputs((std::string(total, '-') + "\n").c_str(), out); };
        for (std::size_t k = 0; k < rows_.size(); ++k) {
            const auto& r = rows_[k];
            if (r.empty()) { line(); continue; }
            std::string s;
            for (std::size_t i = 0; i < r.size(); ++i) {
                std::string cell = r[i];
                std::size_t pad = width[i] - display_width(cell);
                // text left, numbers right
                bool numeric = !cell.empty() && (std::isdigit(static_cast<unsigned char>(cell[0])) || cell[0] == '-');
                if (numeric && i > 0) s += std::string(pad, ' ') + cell;
                else s += cell + std::string(pad, ' ');
                s += "  ";
            }
            while (!s.empty() && s.back() == ' ') s.pop_back();
            std::fputs((s + "\n").c_str(), out);
            if (k == 0) line();
        }
    }

private:
    static std::size_t display_width(const std::string& s) {  // UTF-8 code points
        std::size_t n = 0;
        for (unsigned char c : s) n += (c & 0xC0) != 0x80;
        return n;
    }
    std::vector<std::vector<std::string>> rows_;
};

/// Removes `--name=value` / `--name value` (or, for a switch, `--name` alone) from argv, before
/// benchmark::Initialize sees it.
/// @return the value, or `fallback` when absent.
inline std::string take_flag(int& argc, char** argv, std::string_view name, std::string fallback = {},
                             bool* found = nullptr, bool is_switch = false) {
    std::string prefix = "--" + std::string(name);
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        int used = 0;
        std::string value;
        if (a == prefix) {
            if (!is_switch && i + 1 < argc) {
                value = argv[i + 1];
                used = 2;
            } else {
                used = 1;
            }
        } else if (a.starts_with(prefix + "=")) {
            value = std::string(a.substr(prefix.size() + 1));
            used = 1;
        }
        if (used) {
            for (int j = i; j + used < argc; ++j) argv[j] = argv[j + used];
            argc -= used;
            if (found) *found = true;
            return value;
        }
    }
    if (found) *found = false;
    return fallback;
}

} // namespace bench

#endif
