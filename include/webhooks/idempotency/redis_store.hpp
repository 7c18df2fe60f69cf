// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_IDEMPOTENCY_REDIS_STORE_HPP
#define WEBHOOKS_IDEMPOTENCY_REDIS_STORE_HPP

/// @file
/// An `IdempotencyStore` in Redis (through hiredis), shared by every instance of a receiver: the claim that two
/// instances race for at the same moment is decided by the Redis server, once. Link `webhooks::redis`.

#include <webhooks/error.hpp>
#include <webhooks/idempotency/detail/redis.hpp>
#include <webhooks/idempotency/store.hpp>

#include <boost/system/result.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace webhooks::idempotency {

/// A thread-safe store in Redis, for several instances of a receiver (or several processes) behind one server.
///
/// **How**: one Redis string per key, `prefix + key`, expiring by itself (`PX`): a claim is `SET key value NX PX
/// lease`, so exactly one of the instances that race for an event gets it; `complete`, `release` and `renew` are Lua
/// scripts that change the record only if it is still in progress under the caller's token (compare-and-set), so a
/// worker whose lease ran out cannot overwrite the worker that took over. Lease and retention are kept by the Redis
/// server's clock, not by the instances' clocks.
///
/// **When Redis is down**: constructing never connects, so it never fails; every operation that cannot reach the
/// server, times out, or gets an error reply returns `error::store_unavailable` (the endpoint answers 503 with
/// Retry-After), never a silent success. Each wait is bounded by `connect_timeout` and `command_timeout`. When the
/// server comes back (a restart, a fail-over to the same address), the next operation reconnects by itself.
/// `last_error()` tells why the last failure happened, for a log line.
///
/// **When a reply is lost** (a timeout after the server acted): the operation reports `store_unavailable`, and
/// the claim it may have taken simply runs out with its lease; a duplicate is never let through.
///
/// Connections: at most `pool_size`, made on demand and reused; an operation waits at most `command_timeout` for
/// one. A connection that fails is closed, never reused. SIGPIPE from a server that went away is kept from the
/// process (blocked in the calling thread for the command), so nothing needs to ignore it.
///
/// **The server's side of the bargain**: the records are only as durable as Redis makes them.
/// - `maxmemory-policy noeviction` (Redis's default): every record has a TTL, so any evicting policy, `volatile-*`
///   included, may drop a live record and let a duplicate through. With `noeviction` a full server answers errors,
///   which become `store_unavailable`.
/// - Persistence (AOF, `appendfsync everysec`) if a restart must not forget completed events; without it a
///   restarted server accepts the senders' retries of events already handled.
/// - One primary at a fixed address (standalone, or behind Sentinel/a proxy). Redis Cluster redirections are not
///   followed (they become `store_unavailable`); asynchronous replication may lose the last claims on fail-over.
/// - The host name is resolved at each connect, by the system resolver, outside `connect_timeout`.
///
/// @par Example
/// @code
/// idempotency::redis_store store{{.host = "redis.internal", .port = 6379, .prefix = "billing:idem:"}};
/// auto attempt = idempotency::try_claim(store, "stripe:" + event_id, hash);
/// if (!attempt) return respond(503);   // Redis unreachable: fail closed, the sender retries
/// @endcode
class redis_store {
public:
    /// Where the server is, how long to wait for it, and how the records are named.
    struct options {
        std::string host = "127.0.0.1";                  ///< Redis server: a host name or an address.
        int port = 6379;                                 ///< Its TCP port.
        std::chrono::milliseconds connect_timeout{1000}; ///< Bound on establishing one connection.
        std::chrono::milliseconds command_timeout{1000}; ///< Bound on one command's round trip, and on waiting for
                                                         ///< a free connection.
        std::string prefix = "webhooks:idem:";           ///< Prepended to every key: several stores share a server.
        std::size_t pool_size = 8;                       ///< Connections open at most (at least 1).
        std::string username{};                          ///< ACL user for AUTH (Redis 6+); empty: the default user.
        std::string password{};                          ///< AUTH password; empty: no AUTH.
        int database = 0;                                ///< SELECT this database after connecting.
    };

    /// A store for a server on localhost:6379.
    redis_store() : redis_store(options{}) {}

    /// @param o where the server is and how long to wait for it. Does not connect (a down server is not an error
    ///          until an operation needs it).
    explicit redis_store(options o)
        : prefix_(std::move(o.prefix)),
          pool_({std::move(o.host), o.port, o.connect_timeout, o.command_timeout, o.pool_size, std::move(o.username),
                 std::move(o.password), o.database}) {}

    redis_store(const redis_store&) = delete;
    redis_store& operator=(const redis_store&) = delete;

    /// Claims `key` for `lease` (see `IdempotencyStore`, requirement 1).
    boost::system::result<claim_result> claim(std::string_view key, std::string_view body_hash,
                                              std::chrono::milliseconds lease) {
        auto conn = pool_.acquire();
        if (!conn) return unavailable();
        const std::string k = full_key(key);
        std::string token = new_owner_token();
        const std::string value = detail::redis::in_progress_value(token, body_hash);
        const std::string ms = detail::redis::millis(lease);

        auto set = pool_.command(conn, std::array<std::string_view, 6>{"SET", k, value, "NX", "PX", ms});
        if (!set) return unavailable();
        if (set->type == REDIS_REPLY_STATUS && std::string_view(set->str, set->len) == "OK")
            return claim_result{claim_status::acquired, std::move(token)};
        if (set->type != REDIS_REPLY_NIL) return unexpected(*set, "SET NX");

        // Taken: read it, or claim it if it went away since (released, expired) — one atomic script.
        auto seen = pool_.eval(conn, scripts().inspect_or_claim, k, std::array<std::string_view, 2>{value, ms});
        if (!seen) return unavailable();
        if (seen->type == REDIS_REPLY_INTEGER && seen->integer == 1)
            return claim_result{claim_status::acquired, std::move(token)};
        if (seen->type != REDIS_REPLY_ARRAY || seen->elements != 2 || seen->element[0]->type != REDIS_REPLY_STRING ||
            seen->element[1]->type != REDIS_REPLY_INTEGER)
            return unexpected(*seen, "claim script");
        const redisReply& v = *seen->element[0];
        auto rec = detail::redis::decode(std::string_view(v.str, v.len));
        if (!rec) {
            pool_.note("redis: the record at " + k + " is not one this store wrote");
            return unavailable();
        }
        if (!same_payload(rec->body_hash, body_hash)) return claim_result{claim_status::payload_mismatch};
        if (rec->in_progress) {
            const long long pttl = seen->element[1]->integer;
            return claim_result{claim_status::in_progress, {}, std::chrono::milliseconds(pttl > 0 ? pttl : 0)};
        }
        return claim_result{claim_status::completed, {}, {}, std::move(rec->outcome)};
    }

    /// Records the caller's event as done, kept for `retention` (requirement 2). `error::lease_lost` if not owned.
    boost::system::result<void> complete(std::string_view key, std::string_view token, const completion& done,
                                         std::chrono::milliseconds retention) {
        const std::string owner = detail::redis::in_progress_prefix(token);
        const std::string fields = detail::redis::completion_fields(done);
        const std::string ms = detail::redis::millis(retention);
        return fenced(scripts().complete, key, std::array<std::string_view, 3>{owner, fields, ms});
    }

    /// Deletes the caller's in-progress record (requirement 3). `error::lease_lost` if not owned.
    boost::system::result<void> release(std::string_view key, std::string_view token) {
        const std::string owner = detail::redis::in_progress_prefix(token);
        return fenced(scripts().release, key, std::array<std::string_view, 1>{owner});
    }

    /// Extends the caller's lease to `lease` from now (requirement 4). `error::lease_lost` if not owned.
    boost::system::result<void> renew(std::string_view key, std::string_view token, std::chrono::milliseconds lease) {
        const std::string owner = detail::redis::in_progress_prefix(token);
        const std::string ms = detail::redis::millis(lease);
        return fenced(scripts().renew, key, std::array<std::string_view, 2>{owner, ms});
    }

    /// @return why the most recent `store_unavailable` happened (connect refused, timeout, an error reply), or
    ///         empty. For logs; never holds a password.
    std::string last_error() const { return pool_.last_error(); }

private:
    struct script_set {
        detail::redis::script inspect_or_claim{detail::redis::inspect_or_claim_lua};
        detail::redis::script complete{detail::redis::complete_lua};
        detail::redis::script release{detail::redis::release_lua};
        detail::redis::script renew{detail::redis::renew_lua};
    };
    static const script_set& scripts() {
        static const script_set s;
        return s;
    }

    std::string full_key(std::string_view key) const {
        std::string k;
        k.reserve(prefix_.size() + key.size());
        k += prefix_;
        k += key;
        return k;
    }

    static boost::system::error_code unavailable() { return make_error_code(error::store_unavailable); }

    boost::system::error_code unexpected(const redisReply& r, const char* what) {
        if (r.type == REDIS_REPLY_ERROR) pool_.note(std::string("redis: ") + what + ": " + std::string(r.str, r.len));
        else pool_.note(std::string("redis: ") + what + ": unexpected reply type " + std::to_string(r.type));
        return unavailable();
    }

    template <std::size_t M>
    boost::system::result<void> fenced(const detail::redis::script& s, std::string_view key,
                                       const std::array<std::string_view, M>& args) {
        auto conn = pool_.acquire();
        if (!conn) return unavailable();
        auto r = pool_.eval(conn, s, full_key(key), args);
        if (!r) return unavailable();
        if (r->type != REDIS_REPLY_INTEGER) return unexpected(*r, "fenced script");
        if (r->integer == 1) return {};
        if (r->integer == 0) return make_error_code(error::lease_lost);
        return unexpected(*r, "fenced script");
    }

    std::string prefix_;
    detail::redis::pool pool_;
};

static_assert(IdempotencyStore<redis_store>);

} // namespace webhooks::idempotency

#endif
