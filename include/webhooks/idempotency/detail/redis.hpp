// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_IDEMPOTENCY_DETAIL_REDIS_HPP
#define WEBHOOKS_IDEMPOTENCY_DETAIL_REDIS_HPP

// Machinery of redis_store: the record encoding, a bounded pool of hiredis connections, commands and scripts.

#include <webhooks/crypto/encoding.hpp>
#include <webhooks/idempotency/store.hpp>

#include <hiredis/hiredis.h>
#include <openssl/evp.h>

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace webhooks::idempotency::detail::redis {

// --- Record encoding -------------------------------------------------------------------------------------------------
// A record is one Redis string: a tag byte, then fields as `<decimal length>:<bytes>` (binary-safe, self-delimiting).
//   in progress: 'P' [token] [body hash]
//   completed:   'C' [body hash] ["0"|"1" failed] ( [status] [content type] [body] )?
// The fenced scripts compare the prefix 'P' [token]: the length makes the comparison exact, and the rest of an
// in-progress value is the body hash field, which the completed value reuses as is (the caller need not know it).

inline void put_field(std::string& out, std::string_view field) {
    std::array<char, 24> digits{};
    auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), field.size());
    (void)ec;
    out.append(digits.data(), end);
    out += ':';
    out += field;
}

inline bool take_field(std::string_view& in, std::string_view& field) {
    std::size_t n = 0;
    const char* first = in.data();
    const char* last = in.data() + std::min<std::size_t>(in.size(), 12);
    auto [p, ec] = std::from_chars(first, last, n);
    if (ec != std::errc{} || p == first || p == in.data() + in.size() || *p != ':') return false;
    std::size_t used = static_cast<std::size_t>(p - first) + 1;
    if (n > in.size() - used) return false;
    field = in.substr(used, n);
    in.remove_prefix(used + n);
    return true;
}

inline std::string in_progress_prefix(std::string_view token) {
    std::string out = "P";
    put_field(out, token);
    return out;
}

inline std::string in_progress_value(std::string_view token, std::string_view body_hash) {
    std::string out = in_progress_prefix(token);
    put_field(out, body_hash);
    return out;
}

// What follows the body hash in a completed value.
inline std::string completion_fields(const completion& done) {
    std::string out;
    put_field(out, done.failed ? "1" : "0");
    if (done.response) {
        put_field(out, std::to_string(done.response->status));
        put_field(out, done.response->content_type);
        put_field(out, done.response->body);
    }
    return out;
}

struct record {
    bool in_progress = false;
    std::string_view body_hash;
    completion outcome;
};

// nullopt: not a record this store wrote (or corrupted); the caller fails closed.
inline std::optional<record> decode(std::string_view v) {
    if (v.empty()) return std::nullopt;
    record r;
    const char tag = v.front();
    v.remove_prefix(1);
    if (tag == 'P') {
        std::string_view token;
        if (!take_field(v, token) || !take_field(v, r.body_hash) || !v.empty()) return std::nullopt;
        r.in_progress = true;
        return r;
    }
    if (tag != 'C') return std::nullopt;
    std::string_view failed;
    if (!take_field(v, r.body_hash) || !take_field(v, failed) || (failed != "0" && failed != "1")) return std::nullopt;
    r.outcome.failed = failed == "1";
    if (v.empty()) return r;
    std::string_view status, content_type, body;
    if (!take_field(v, status) || !take_field(v, content_type) || !take_field(v, body) || !v.empty())
        return std::nullopt;
    unsigned code = 0;
    auto [p, ec] = std::from_chars(status.data(), status.data() + status.size(), code);
    if (ec != std::errc{} || p != status.data() + status.size() || status.empty()) return std::nullopt;
    r.outcome.response = stored_response{code, std::string(content_type), std::string(body)};
    return r;
}

// --- Scripts ---------------------------------------------------------------------------------------------------------

// Reached when SET NX found a record: read it with its time to live, or claim it if it went in between.
// KEYS[1] key; ARGV[1] in-progress value, ARGV[2] lease ms. Returns {value, pttl} or 1 (claimed).
inline constexpr std::string_view inspect_or_claim_lua =
    "local v = redis.call('GET', KEYS[1])\n"
    "if v then return {v, redis.call('PTTL', KEYS[1])} end\n"
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
    "return 1\n";

// The fenced scripts: act only while KEYS[1] is in progress under the token (ARGV[1] = 'P' [token]). 1 done, 0 not owned.
// complete: ARGV[2] completion fields, ARGV[3] retention ms.
inline constexpr std::string_view complete_lua =
    "local v = redis.call('GET', KEYS[1])\n"
    "if not v or string.sub(v, 1, #ARGV[1]) ~= ARGV[1] then return 0 end\n"
    "redis.call('SET', KEYS[1], 'C' .. string.sub(v, #ARGV[1] + 1) .. ARGV[2], 'PX', ARGV[3])\n"
    "return 1\n";

inline constexpr std::string_view release_lua =
    "local v = redis.call('GET', KEYS[1])\n"
    "if not v or string.sub(v, 1, #ARGV[1]) ~= ARGV[1] then return 0 end\n"
    "redis.call('DEL', KEYS[1])\n"
    "return 1\n";

// renew: ARGV[2] lease ms.
inline constexpr std::string_view renew_lua =
    "local v = redis.call('GET', KEYS[1])\n"
    "if not v or string.sub(v, 1, #ARGV[1]) ~= ARGV[1] then return 0 end\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
    "return 1\n";

// Redis names a cached script by the SHA-1 of its text: EVALSHA sends 40 bytes instead of the script.
inline std::string script_sha1(std::string_view source) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(source.data(), source.size(), md, &n, EVP_sha1(), nullptr) != 1)
        throw std::runtime_error("OpenSSL: EVP_Digest(SHA1)");
    return crypto::encode(std::span<const unsigned char>(md, n), crypto::encoding::hex);
}

struct script {
    std::string_view source;
    std::string sha;
    explicit script(std::string_view s) : source(s), sha(script_sha1(s)) {}
};

// --- Connections -----------------------------------------------------------------------------------------------------

struct reply_free { void operator()(redisReply* r) const noexcept { freeReplyObject(r); } };
using reply_ptr = std::unique_ptr<redisReply, reply_free>;

// hiredis writes with write(2): a peer that went away would raise SIGPIPE and end the process. Block it in this
// thread for the command and swallow one raised meanwhile (libpq does the same); never touch the process disposition.
class sigpipe_guard {
public:
    sigpipe_guard() noexcept {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        blocked_ = pthread_sigmask(SIG_BLOCK, &pipe_, &old_) == 0;
        sigset_t pending;
        pending_before_ = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
    }
    ~sigpipe_guard() {
        if (!blocked_) return;
        const int saved = errno;
        sigset_t pending;
        if (!pending_before_ && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
            const timespec zero{};
            while (sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {}
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
        errno = saved;
    }
    sigpipe_guard(const sigpipe_guard&) = delete;
    sigpipe_guard& operator=(const sigpipe_guard&) = delete;

private:
    sigset_t pipe_{}, old_{};
    bool blocked_ = false, pending_before_ = false;
};

inline timeval to_timeval(std::chrono::milliseconds d) {
    if (d < std::chrono::milliseconds(1)) d = std::chrono::milliseconds(1);
    return {static_cast<time_t>(d.count() / 1000), static_cast<suseconds_t>((d.count() % 1000) * 1000)};
}

struct pool_config {
    std::string host;
    int port = 6379;
    std::chrono::milliseconds connect_timeout{1000}, command_timeout{1000};
    std::size_t size = 8;
    std::string username, password;
    int database = 0;
};

// At most `size` connections open; an operation waits (bounded) for one. A connection that saw any I/O or protocol
// error is closed, never reused; an idle one the server closed (a restart) is noticed before use and replaced.
class pool {
public:
    explicit pool(pool_config c) : config_(std::move(c)) {
        if (config_.size == 0) config_.size = 1;
    }
    ~pool() {
        for (redisContext* c : idle_) redisFree(c);
    }
    pool(const pool&) = delete;
    pool& operator=(const pool&) = delete;

    // One connection, for one operation. Falsy when none could be had; `why()` says why.
    class lease {
    public:
        lease() = default;
        lease(pool* p, redisContext* c) : pool_(p), c_(c) {}
        lease(lease&& o) noexcept : pool_(o.pool_), c_(std::exchange(o.c_, nullptr)), healthy_(o.healthy_) {}
        lease& operator=(lease&&) = delete;
        ~lease() {
            if (c_) pool_->give_back(c_, healthy_ && c_->err == 0);
        }
        explicit operator bool() const noexcept { return c_ != nullptr; }
        redisContext* get() const noexcept { return c_; }
        void fail() noexcept { healthy_ = false; }

    private:
        pool* pool_ = nullptr;
        redisContext* c_ = nullptr;
        bool healthy_ = true;
    };

    lease acquire() {
        std::unique_lock lock(mutex_);
        if (!cv_.wait_for(lock, config_.command_timeout, [&] { return !idle_.empty() || open_ < config_.size; })) {
            note_locked("no free connection in the pool within the command timeout");
            return {};
        }
        while (!idle_.empty()) {
            redisContext* c = idle_.back();
            idle_.pop_back();
            if (alive(c)) return {this, c};
            redisFree(c);
            --open_;
        }
        ++open_;
        lock.unlock();
        std::string why;
        if (redisContext* c = connect(why)) return {this, c};
        lock.lock();
        --open_;
        note_locked(std::move(why));
        cv_.notify_one();
        return {};
    }

    // Runs one command; null on any failure (the lease is then marked failed when the connection is suspect).
    template <std::size_t N>
    reply_ptr command(lease& l, const std::array<std::string_view, N>& args) {
        std::array<const char*, N> argv{};
        std::array<std::size_t, N> lens{};
        for (std::size_t i = 0; i < N; ++i) {
            argv[i] = args[i].data();
            lens[i] = args[i].size();
        }
        redisReply* r = nullptr;
        {
            sigpipe_guard guard;
            r = static_cast<redisReply*>(redisCommandArgv(l.get(), static_cast<int>(N), argv.data(), lens.data()));
        }
        if (!r || l.get()->err) {
            note(std::string("redis: ") + (l.get()->err ? l.get()->errstr : "no reply"));
            l.fail();
            if (r) freeReplyObject(r);
            return nullptr;
        }
        return reply_ptr(r);
    }

    // EVALSHA with one key; EVAL when the server does not have the script cached (a restart, SCRIPT FLUSH). A
    // NOSCRIPT reply means nothing ran, so sending it again is safe.
    template <std::size_t M>
    reply_ptr eval(lease& l, const script& s, std::string_view key, const std::array<std::string_view, M>& args) {
        std::array<std::string_view, M + 4> argv{"EVALSHA", s.sha, "1", key};
        std::copy(args.begin(), args.end(), argv.begin() + 4);
        reply_ptr r = command(l, argv);
        if (r && r->type == REDIS_REPLY_ERROR && std::string_view(r->str, r->len).starts_with("NOSCRIPT")) {
            argv[0] = "EVAL";
            argv[1] = s.source;
            r = command(l, argv);
        }
        return r;
    }

    // Records why the store is unavailable, for `redis_store::last_error`.
    void note(std::string why) {
        std::lock_guard lock(mutex_);
        note_locked(std::move(why));
    }
    std::string last_error() const {
        std::lock_guard lock(mutex_);
        return last_error_;
    }

private:
    void note_locked(std::string why) { last_error_ = std::move(why); }

    // An idle connection never has anything to read: readable means the server closed it (or sent garbage).
    static bool alive(redisContext* c) {
        if (c->err) return false;
        pollfd p{c->fd, POLLIN, 0};
        return ::poll(&p, 1, 0) == 0;
    }

    redisContext* connect(std::string& why) {
        redisContext* c = redisConnectWithTimeout(config_.host.c_str(), config_.port, to_timeval(config_.connect_timeout));
        if (!c) {
            why = "redis: cannot allocate a connection";
            return nullptr;
        }
        if (c->err || redisSetTimeout(c, to_timeval(config_.command_timeout)) != REDIS_OK) {
            why = std::string("redis: connect to ") + config_.host + ":" + std::to_string(config_.port) + ": " +
                  c->errstr;
            redisFree(c);
            return nullptr;
        }
        if (!handshake(c, why)) {
            redisFree(c);
            return nullptr;
        }
        return c;
    }

    bool handshake(redisContext* c, std::string& why) {
        auto run = [&](int argc, const char** argv, const char* what) {
            std::array<std::size_t, 3> lens{};
            for (int i = 0; i < argc; ++i) lens[static_cast<std::size_t>(i)] = std::char_traits<char>::length(argv[i]);
            sigpipe_guard guard;
            reply_ptr r(static_cast<redisReply*>(redisCommandArgv(c, argc, argv, lens.data())));
            if (!r || c->err) {
                why = std::string("redis: ") + what + ": " + (c->err ? c->errstr : "no reply");
                return false;
            }
            if (r->type == REDIS_REPLY_ERROR) {
                why = std::string("redis: ") + what + ": " + std::string(r->str, r->len);
                return false;
            }
            return true;
        };
        if (!config_.password.empty()) {
            if (config_.username.empty()) {
                const char* argv[] = {"AUTH", config_.password.c_str()};
                if (!run(2, argv, "AUTH")) return false;
            } else {
                const char* argv[] = {"AUTH", config_.username.c_str(), config_.password.c_str()};
                if (!run(3, argv, "AUTH")) return false;
            }
        }
        if (config_.database != 0) {
            const std::string db = std::to_string(config_.database);
            const char* argv[] = {"SELECT", db.c_str()};
            if (!run(2, argv, "SELECT")) return false;
        }
        return true;
    }

    void give_back(redisContext* c, bool healthy) {
        std::lock_guard lock(mutex_);
        if (healthy) {
            idle_.push_back(c);
        } else {
            redisFree(c);
            --open_;
        }
        cv_.notify_one();
    }

    pool_config config_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<redisContext*> idle_;
    std::size_t open_ = 0;
    std::string last_error_;
};

// A duration as Redis wants it for PX / PEXPIRE: whole milliseconds, at least 1 (0 is an error, or deletes), and
// below Redis's overflow check (now + ms must fit in 63 bits): 10^15 ms is 31,000 years.
inline std::string millis(std::chrono::milliseconds d) {
    return std::to_string(std::clamp<std::chrono::milliseconds::rep>(d.count(), 1, 1'000'000'000'000'000));
}

} // namespace webhooks::idempotency::detail::redis

#endif
