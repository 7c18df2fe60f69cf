// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_IDEMPOTENCY_MEMORY_STORE_HPP
#define WEBHOOKS_IDEMPOTENCY_MEMORY_STORE_HPP

/// @file
/// An in-process `IdempotencyStore`: sharded maps under mutexes. For one instance, for tests, and in front of a
/// durable store. Records vanish with the process.

#include <webhooks/error.hpp>
#include <webhooks/idempotency/store.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <time.h>

namespace webhooks::idempotency {

/// Counters a memory store keeps, for metrics.
struct memory_store_stats {
    std::size_t records = 0;    ///< Records held now (expired ones not yet purged included).
    std::size_t overflows = 0;  ///< Claims refused because the store was full of live records.
    std::size_t purged = 0;     ///< Expired records removed so far.
};

/// A thread-safe, sharded, bounded in-memory store.
///
/// **Memory**: the table's buckets for `capacity` records (at most a million) are allocated at construction, 8 bytes
/// a record (8 MiB for the default), so that it never rehashes while serving; each record then takes about 400
/// bytes (its key, hashes, token, times and outcome).
///
/// **When full**: a new key that finds its shard full first purges that shard's expired records; if the shard is
/// still full of live records, the claim fails with `error::store_unavailable` (the endpoint answers 503 with
/// Retry-After, so the sender retries later) and `stats().overflows` counts it. A record inside its lease or
/// retention is never dropped to make room: dropping it would let a duplicate through.
///
/// @par Example
/// @code
/// idempotency::memory_store store{{.capacity = 100'000}};
/// auto attempt = idempotency::try_claim(store, "stripe:evt_1", hash);
/// @endcode
class memory_store {
public:
    struct options {
        std::size_t capacity = 1'000'000;  ///< Records at most, live or expired.
        std::size_t shards = 16;           ///< Independent locks; capacity is split evenly between them.
    };

    memory_store() : memory_store(options{}) {}
    explicit memory_store(options o) : shards_(o.shards ? o.shards : 1) {
        per_shard_ = (o.capacity + shards_.size() - 1) / shards_.size();
        if (per_shard_ == 0) per_shard_ = 1;
        // Buckets for the whole capacity now (up to a million records: 8 MiB), so that serving never rehashes: a
        // rehash walks every record of the shard under its lock, a stall of milliseconds in a full store.
        const std::size_t reserved = std::min(per_shard_, (std::size_t(1) << 20) / shards_.size() + 1);
        for (shard& s : shards_) s.records.reserve(reserved);
    }

    boost::system::result<claim_result> claim(std::string_view key, std::string_view body_hash,
                                       std::chrono::milliseconds lease) {
        const key_ref k{hash_of(key), key};
        shard& s = shard_of(k);
        const auto now = now_coarse();
        std::lock_guard lock(s.mutex);
        auto it = s.records.find(k);
        if (it != s.records.end() && it->second.expires > now) {
            record& r = it->second;
            if (!same_payload(r.body_hash.view(), body_hash)) return claim_result{claim_status::payload_mismatch};
            if (r.in_progress)
                return claim_result{claim_status::in_progress, {},
                                    std::max(std::chrono::milliseconds(1),
                                             std::chrono::duration_cast<std::chrono::milliseconds>(r.expires - now))};
            return claim_result{claim_status::completed, {}, {}, r.outcome};
        }
        if (it == s.records.end() && s.records.size() >= per_shard_) {
            purge(s, now);
            if (s.records.size() >= per_shard_) {
                overflows_.fetch_add(1, std::memory_order_relaxed);
                return make_error_code(error::store_unavailable);
            }
        }
        std::string token = new_owner_token();
        record r{true, {}, {}, later(now, lease), {}};
        std::copy(token.begin(), token.end(), r.token.begin());
        r.body_hash.assign(body_hash);
        if (it != s.records.end()) it->second = std::move(r);
        else s.records.emplace(stored_key{k.hash, std::string(key)}, std::move(r));
        return claim_result{claim_status::acquired, std::move(token)};
    }

    boost::system::result<void> complete(std::string_view key, std::string_view token, const completion& done,
                                         std::chrono::milliseconds retention) {
        return with_owned(key, token, [&](record& r, clock::time_point now) {
            r.in_progress = false;
            r.outcome = done;
            r.expires = later(now, retention);
            return false;
        });
    }

    boost::system::result<void> release(std::string_view key, std::string_view token) {
        return with_owned(key, token, [](record&, clock::time_point) { return true; });
    }

    boost::system::result<void> renew(std::string_view key, std::string_view token,
                                      std::chrono::milliseconds lease) {
        return with_owned(key, token, [&](record& r, clock::time_point now) {
            r.expires = later(now, lease);
            return false;
        });
    }

    /// Removes every expired record now.
    void purge_expired() {
        const auto now = now_coarse();
        for (shard& s : shards_) {
            std::lock_guard lock(s.mutex);
            purge(s, now);
        }
    }

    /// @return the counters.
    memory_store_stats stats() const {
        memory_store_stats out;
        for (const shard& s : shards_) {
            std::lock_guard lock(s.mutex);
            out.records += s.records.size();
        }
        out.overflows = overflows_.load(std::memory_order_relaxed);
        out.purged = purged_.load(std::memory_order_relaxed);
        return out;
    }

private:
    using clock = std::chrono::steady_clock;

    // The time, read coarsely where the system offers it (CLOCK_MONOTONIC_COARSE, steady_clock's own clock read at
    // its last tick: a few milliseconds behind at most, several times cheaper); leases are counted in seconds.
    static clock::time_point now_coarse() noexcept {
#if defined(__linux__) && defined(CLOCK_MONOTONIC_COARSE)
        ::timespec ts;
        if (::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) == 0) {
            const auto since_boot = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
            return clock::time_point(std::chrono::duration_cast<clock::duration>(since_boot));
        }
#endif
        return clock::now();
    }

    // A body hash: held inline up to the length of a hex SHA-256, which is what the endpoint passes.
    class body_hash_text {
    public:
        void assign(std::string_view v) {
            if (v.size() <= inline_.size()) {
                std::copy(v.begin(), v.end(), inline_.begin());
                size_ = static_cast<unsigned char>(v.size());
                long_.clear();
            } else {
                long_.assign(v);
                size_ = on_heap;
            }
        }
        std::string_view view() const noexcept {
            return size_ == on_heap ? std::string_view(long_) : std::string_view(inline_.data(), size_);
        }

    private:
        static constexpr unsigned char on_heap = 0xff;
        std::array<char, 64> inline_;
        unsigned char size_ = 0;
        std::string long_;
    };

    struct record {
        bool in_progress = true;
        std::array<char, owner_token_size> token;  // meaningful while in progress
        body_hash_text body_hash;
        clock::time_point expires;
        completion outcome;
    };

    // Keys carry their hash, computed once per call and used for both the shard and the map.
    struct stored_key {
        std::size_t hash;
        std::string text;
    };
    struct key_ref {
        std::size_t hash;
        std::string_view text;
    };
    struct key_hash {
        using is_transparent = void;
        std::size_t operator()(const stored_key& k) const noexcept { return k.hash; }
        std::size_t operator()(const key_ref& k) const noexcept { return k.hash; }
    };
    struct key_equal {
        using is_transparent = void;
        template <class A, class B>
        bool operator()(const A& a, const B& b) const noexcept {
            return a.hash == b.hash && std::string_view(a.text) == std::string_view(b.text);
        }
    };
    static std::size_t hash_of(std::string_view key) noexcept { return std::hash<std::string_view>{}(key); }

    struct shard {
        mutable std::mutex mutex;
        std::unordered_map<stored_key, record, key_hash, key_equal> records;
    };

    // now + d, saturating: steady_clock counts nanoseconds, so milliseconds::max() would wrap into the past.
    static clock::time_point later(clock::time_point now, std::chrono::milliseconds d) {
        constexpr auto cap = std::chrono::hours(24 * 365 * 100);
        return now + std::chrono::duration_cast<clock::duration>(std::clamp<std::chrono::milliseconds>(
                         d, std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(cap)));
    }

    shard& shard_of(const key_ref& k) { return shards_[(k.hash >> 32 ^ k.hash) % shards_.size()]; }

    void purge(shard& s, clock::time_point now) {
        std::size_t n = std::erase_if(s.records, [&](const auto& kv) { return kv.second.expires <= now; });
        purged_.fetch_add(n, std::memory_order_relaxed);
    }

    // Runs `change` on the record if `token` still owns it in progress; `change` returns true to erase it.
    template <class Change>
    boost::system::result<void> with_owned(std::string_view key, std::string_view token, Change change) {
        const key_ref k{hash_of(key), key};
        shard& s = shard_of(k);
        const auto now = now_coarse();
        std::lock_guard lock(s.mutex);
        auto it = s.records.find(k);
        if (it == s.records.end() || !it->second.in_progress || it->second.expires <= now ||
            std::string_view(it->second.token.data(), owner_token_size) != token)
            return make_error_code(error::lease_lost);
        if (change(it->second, now)) s.records.erase(it);
        return {};
    }

    std::vector<shard> shards_;
    std::size_t per_shard_ = 1;
    std::atomic<std::size_t> overflows_{0};
    std::atomic<std::size_t> purged_{0};
};

static_assert(IdempotencyStore<memory_store>);

} // namespace webhooks::idempotency

#endif
