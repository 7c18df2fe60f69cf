// SPDX-License-Identifier: BSL-1.0
#ifndef RECEIVER_METRICS_HPP
#define RECEIVER_METRICS_HPP

// The receiver's counters, shown by GET /metrics in the Prometheus text format (version 0.0.4):
//
//   webhooks_deliveries_total{provider,outcome}        every delivery, with the endpoint's outcome (observer
//                                                      `completed`), plus those the HTTP layer refused (413)
//   webhooks_events_handled_total{provider,type}       events handled and recorded (observer `handled`: the
//                                                      handlers ran and the claim was committed; a type without
//                                                      handlers counts too, as it was acknowledged)
//   webhooks_delivery_duration_seconds{provider}       histogram of the time `endpoint::handle` took
//
// A mutex around a few small maps: the observer hooks run once per delivery, and the critical sections are a map
// lookup and an add. Label values come from verified deliveries only (an event type is known only once the
// signature checked out), so an anonymous client cannot make up new series. GitHub and Shopify send the type in a
// header their signature does not cover, though, so whoever holds one signed body could: past `max_types`
// distinct types, new ones are counted as type="other".

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace receiver {

class metrics {
public:
    /// Records a delivery: its outcome and, when the endpoint answered it, how long that took.
    void delivery(std::string_view provider, std::string_view outcome, std::optional<std::chrono::microseconds> took) {
        std::lock_guard lock(mutex_);
        ++counter(deliveries_, provider, outcome);
        if (!took) return;
        auto at = durations_.find(provider);
        if (at == durations_.end()) at = durations_.try_emplace(std::string(provider)).first;
        histogram& h = at->second;
        const double seconds = std::chrono::duration<double>(*took).count();
        for (std::size_t i = 0; i < bounds.size(); ++i)
            if (seconds <= bounds[i]) ++h.buckets[i];
        ++h.count;
        h.sum += seconds;
    }

    /// Records an event whose handling was committed.
    void handled(std::string_view provider, std::string_view type) {
        std::lock_guard lock(mutex_);
        if (handled_.size() >= max_types && !handled_.contains(labels{provider, type})) type = "other";
        ++counter(handled_, provider, type);
    }

    /// @return every metric, in the Prometheus text format.
    std::string render() const {
        std::string out;
        std::lock_guard lock(mutex_);
        out += "# HELP webhooks_deliveries_total Webhook deliveries received, by provider and outcome.\n"
               "# TYPE webhooks_deliveries_total counter\n";
        for (const auto& [labels, n] : deliveries_)
            out += "webhooks_deliveries_total{provider=\"" + escape(labels.first) + "\",outcome=\"" +
                   escape(labels.second) + "\"} " + std::to_string(n) + '\n';
        out += "# HELP webhooks_events_handled_total Events handled and recorded as handled, by provider and type.\n"
               "# TYPE webhooks_events_handled_total counter\n";
        for (const auto& [labels, n] : handled_)
            out += "webhooks_events_handled_total{provider=\"" + escape(labels.first) + "\",type=\"" +
                   escape(labels.second) + "\"} " + std::to_string(n) + '\n';
        out += "# HELP webhooks_delivery_duration_seconds Time to verify, deduplicate and handle a delivery.\n"
               "# TYPE webhooks_delivery_duration_seconds histogram\n";
        for (const auto& [provider, h] : durations_) {
            const std::string p = escape(provider);
            for (std::size_t i = 0; i < bounds.size(); ++i)
                out += "webhooks_delivery_duration_seconds_bucket{provider=\"" + p + "\",le=\"" +
                       std::string(bound_labels[i]) + "\"} " + std::to_string(h.buckets[i]) + '\n';
            out += "webhooks_delivery_duration_seconds_bucket{provider=\"" + p + "\",le=\"+Inf\"} " +
                   std::to_string(h.count) + '\n';
            char sum[32];
            std::snprintf(sum, sizeof sum, "%.9g", h.sum);
            out += "webhooks_delivery_duration_seconds_sum{provider=\"" + p + "\"} " + sum + '\n';
            out += "webhooks_delivery_duration_seconds_count{provider=\"" + p + "\"} " + std::to_string(h.count) + '\n';
        }
        return out;
    }

private:
    static constexpr std::size_t max_types = 1000;  // series of webhooks_events_handled_total

    // Upper bounds of the histogram buckets, in seconds: 100 us to 1 s.
    static constexpr std::array<double, 13> bounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                   0.025,  0.05,    0.1,    0.25,  0.5,    1.0};
    static constexpr std::array<std::string_view, 13> bound_labels{
        "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1"};

    struct histogram {
        std::array<std::uint64_t, bounds.size()> buckets{};  // cumulative, as Prometheus wants them
        std::uint64_t count = 0;
        double sum = 0;
    };

    // A label value: backslash, double quote and line feed escaped.
    static std::string escape(std::string_view value) {
        std::string out;
        for (char c : value) {
            if (c == '\\') out += "\\\\";
            else if (c == '"') out += "\\\"";
            else if (c == '\n') out += "\\n";
            else out += c;
        }
        return out;
    }

    mutable std::mutex mutex_;
    // Two labels; looked up by views, so counting a delivery allocates nothing once its series exists.
    using labels = std::pair<std::string_view, std::string_view>;
    struct labels_less {
        using is_transparent = void;
        template <class A, class B>
        bool operator()(const A& a, const B& b) const {
            return labels(a.first, a.second) < labels(b.first, b.second);
        }
    };
    using series = std::map<std::pair<std::string, std::string>, std::uint64_t, labels_less>;

    static std::uint64_t& counter(series& s, std::string_view a, std::string_view b) {
        auto it = s.find(labels{a, b});
        if (it == s.end()) it = s.try_emplace({std::string(a), std::string(b)}, 0).first;
        return it->second;
    }

    series deliveries_;
    series handled_;
    std::map<std::string, histogram, std::less<>> durations_;
};

} // namespace receiver

#endif
