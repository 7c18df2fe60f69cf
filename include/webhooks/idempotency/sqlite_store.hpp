// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_IDEMPOTENCY_SQLITE_STORE_HPP
#define WEBHOOKS_IDEMPOTENCY_SQLITE_STORE_HPP

/// @file
/// A durable `IdempotencyStore` in one SQLite file: the embedded default for a single host. Records survive a
/// restart, and several threads and several processes may share the file. Link `webhooks::sqlite`.

#include <webhooks/error.hpp>
#include <webhooks/idempotency/detail/sqlite.hpp>
#include <webhooks/idempotency/store.hpp>

#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace webhooks::idempotency {

/// An `IdempotencyStore` kept in an SQLite database file.
///
/// **Why**: the memory store forgets everything when the process restarts, and a sender that retries after the
/// restart would have its event handled twice. This store keeps claims and completions on disk, with no server to
/// run: the right default for one instance (one host, any number of worker processes).
///
/// **How**:
/// - The database is opened (created if missing) in WAL mode with `synchronous=NORMAL`, and the table is created
///   if missing. Every record is one row; its state is derived from its columns and the wall clock (milliseconds
///   since the epoch, shared by all processes on the host): a row whose `expires_ms` has passed is absent.
/// - `claim` is one atomic statement, an UPSERT that inserts a new in-progress row, or takes over an expired one,
///   and returns the new token only if it did: `INSERT … ON CONFLICT(key) DO UPDATE … WHERE expires_ms <= now
///   RETURNING token`. When it did not, the live row is read to say why (payload mismatch, in progress, completed).
///   No check-then-insert, so no explicit transaction is needed: SQLite takes the write lock before the statement
///   reads the row, in this process and in any other.
/// - `complete`, `release` and `renew` are one fenced `UPDATE`/`DELETE` each, matching the key, `in_progress = 1`,
///   the owner token and a lease not yet run out; no row changed → `error::lease_lost`.
/// - Expired rows are deleted every `options::purge_every` claims, and by `purge_expired()`.
///
/// **Threads**: one connection, serialised by a mutex; statements are prepared once. Calls from several threads
/// are safe and run one at a time, each a short indexed statement. (SQLite writes one transaction at a time per
/// file anyway, so more connections would not claim faster.)
///
/// **Processes**: open the file from each process (after `fork`, never before: a connection must not cross a
/// fork). WAL lets readers run beside the one writer; a writer waits up to `busy_timeout` for the lock, then the
/// call fails with `error::store_unavailable`. The file must be on a local file system (WAL needs shared memory).
///
/// **Failures**: any SQLite error (busy past the timeout, I/O error, corruption, the file deleted or renamed under
/// the open connection) is `error::store_unavailable`, never a silent success; `last_error()` says what SQLite
/// reported.
///
/// **Durability**: `synchronous=NORMAL` in WAL mode survives a crash of the process; a power loss may lose the
/// last transactions, and so let an event that completed just before it be handled once more.
///
/// **Clock**: the wall clock, because processes share the file. A clock stepped backwards lengthens leases and
/// retention; stepped forwards, it ends them early.
///
/// **Schema** (created if missing; an existing table must have these columns): `key TEXT PRIMARY KEY, in_progress
/// INTEGER, token TEXT, body_hash TEXT, expires_ms INTEGER, failed INTEGER, response_status INTEGER NULL,
/// response_type TEXT NULL, response_body BLOB NULL`, and an index on `expires_ms` (for the purge).
///
/// @par Example
/// @code
/// idempotency::sqlite_store store{{.path = "/var/lib/myapp/webhooks.db"}};
/// auto attempt = idempotency::try_claim(store, "stripe:evt_1", hash);
/// @endcode
class sqlite_store {
public:
    /// How to open the store.
    struct options {
        /// The database file, created if missing. `":memory:"` gives a private database that dies with the store
        /// (for tests: then it is neither durable nor shared).
        std::string path;
        /// How long a call waits for another process's write lock before failing with `store_unavailable`.
        std::chrono::milliseconds busy_timeout{5000};
        /// The table, created if missing (with an index `<table>_expires`). Any name: it is quoted, not spliced.
        std::string table = "webhooks_idempotency";
        /// Delete expired rows every this many claims (counted per store object); 0: only `purge_expired()`.
        std::size_t purge_every = 1000;
    };

    /// Opens (creates) the database and the table, and prepares the statements. Beside another process that is
    /// creating the same file, it waits up to `busy_timeout`.
    /// @param o where and how; `o.path` must not be empty.
    /// @throws boost::system::system_error with `error::store_unavailable` and a message naming the path when the
    ///         file cannot be opened or written, is not a database, or cannot be put in WAL mode.
    explicit sqlite_store(options o) : s_(std::make_unique<state>()) {
        s_->path = std::move(o.path);
        s_->purge_every = o.purge_every;
        if (s_->path.empty()) fail_open("empty path");
        if (o.table.empty()) fail_open("empty table name");
        open(o);
    }

    sqlite_store(sqlite_store&&) noexcept = default;
    sqlite_store& operator=(sqlite_store&&) noexcept = default;
    sqlite_store(const sqlite_store&) = delete;
    sqlite_store& operator=(const sqlite_store&) = delete;

    /// Finalizes the statements and closes the connection (the last connection checkpoints the WAL).
    ~sqlite_store() = default;

    /// Claims `key` in one atomic statement (see `IdempotencyStore`).
    /// @param key the idempotency key (any bytes).
    /// @param body_hash the hash of the delivery's body; a live record with another hash is a `payload_mismatch`.
    /// @param lease how long the claim protects the event from other workers.
    /// @return `acquired` with a fresh token; `in_progress` with the lease left (at least 1 ms); `completed` with
    ///         the recorded outcome; `payload_mismatch`; or `error::store_unavailable`.
    boost::system::result<claim_result> claim(std::string_view key, std::string_view body_hash,
                                              std::chrono::milliseconds lease) {
        if (!s_) return make_error_code(error::store_unavailable);
        std::lock_guard lock(s_->mutex);
        if (!usable()) return make_error_code(error::store_unavailable);
        auto r = claim_locked(key, body_hash, lease);
        if (r && s_->purge_every && ++s_->claims_since_purge >= s_->purge_every) {
            s_->claims_since_purge = 0;
            (void)purge_locked();  // housekeeping: a failure here does not change the claim's answer
        }
        return r;
    }

    /// Turns the caller's in-progress record into a completed one kept for `retention`.
    /// @param key the claimed key.
    /// @param token the owner token from the `acquired` claim.
    /// @param done how the event ended; its response (body bytes kept exactly) is replayed to duplicates.
    /// @param retention how long duplicates are answered from this record.
    /// @return nothing; `error::lease_lost` unless `token` still owns `key` in progress (nothing changes then);
    ///         `error::store_unavailable`.
    boost::system::result<void> complete(std::string_view key, std::string_view token, const completion& done,
                                         std::chrono::milliseconds retention) {
        if (!s_) return make_error_code(error::store_unavailable);
        std::lock_guard lock(s_->mutex);
        if (!usable()) return make_error_code(error::store_unavailable);
        const std::int64_t now = now_ms();
        detail::sqlite::statement_use u(s_->complete.get());
        sqlite3_stmt* st = u.get();
        bool ok = bind_fence(st, key, token, now) && detail::sqlite::bind_int(st, 4, add(now, retention)) &&
                  detail::sqlite::bind_int(st, 5, done.failed ? 1 : 0);
        if (ok && done.response) {
            ok = detail::sqlite::bind_int(st, 6, static_cast<std::int64_t>(done.response->status)) &&
                 detail::sqlite::bind_text(st, 7, done.response->content_type) &&
                 detail::sqlite::bind_blob(st, 8, done.response->body);
        } else if (ok) {
            ok = detail::sqlite::bind_null(st, 6) && detail::sqlite::bind_null(st, 7) &&
                 detail::sqlite::bind_null(st, 8);
        }
        return fenced_write(ok, st);
    }

    /// Deletes the caller's in-progress record so a retry can claim it at once.
    /// @param key the claimed key.
    /// @param token the owner token from the `acquired` claim.
    /// @return nothing; `error::lease_lost` unless `token` still owns `key` in progress; `error::store_unavailable`.
    boost::system::result<void> release(std::string_view key, std::string_view token) {
        if (!s_) return make_error_code(error::store_unavailable);
        std::lock_guard lock(s_->mutex);
        if (!usable()) return make_error_code(error::store_unavailable);
        detail::sqlite::statement_use u(s_->release.get());
        return fenced_write(bind_fence(u.get(), key, token, now_ms()), u.get());
    }

    /// Sets the caller's lease to run out `lease` from now.
    /// @param key the claimed key.
    /// @param token the owner token from the `acquired` claim.
    /// @param lease the new lease, from now.
    /// @return nothing; `error::lease_lost` unless `token` still owns `key` in progress; `error::store_unavailable`.
    boost::system::result<void> renew(std::string_view key, std::string_view token, std::chrono::milliseconds lease) {
        if (!s_) return make_error_code(error::store_unavailable);
        std::lock_guard lock(s_->mutex);
        if (!usable()) return make_error_code(error::store_unavailable);
        const std::int64_t now = now_ms();
        detail::sqlite::statement_use u(s_->renew.get());
        const bool ok = bind_fence(u.get(), key, token, now) && detail::sqlite::bind_int(u.get(), 4, add(now, lease));
        return fenced_write(ok, u.get());
    }

    /// Deletes every expired record now.
    /// @return how many rows were deleted, or `error::store_unavailable`.
    boost::system::result<std::size_t> purge_expired() {
        if (!s_) return make_error_code(error::store_unavailable);
        std::lock_guard lock(s_->mutex);
        if (!usable()) return make_error_code(error::store_unavailable);
        s_->claims_since_purge = 0;
        return purge_locked();
    }

    /// @return SQLite's message for the last failure of this store (empty if none), for logs. Never holds a key's
    ///         value beyond what SQLite puts in its messages (which name tables and files, not bound values).
    std::string last_error() const {
        if (!s_) return "moved-from sqlite_store";
        std::lock_guard lock(s_->mutex);
        return s_->last_error;
    }

    /// @return the database path given in the options.
    const std::string& path() const noexcept {
        static const std::string none;
        return s_ ? s_->path : none;
    }

private:
    // Everything that cannot move (the mutex) or must not (the connection the statements belong to) lives here.
    // Member order matters: statements are finalized before the connection closes.
    struct state {
        std::mutex mutex;
        std::string path;
        std::size_t purge_every = 0;
        std::size_t claims_since_purge = 0;
        std::string last_error;
        detail::sqlite::db_ptr db;
        detail::sqlite::stmt_ptr claim, select, complete, release, renew, purge;
    };

    // After the UPSERT lost, the row it met may vanish or expire before the SELECT reads it (another process
    // released it, or its lease ran out): claim again, a few times, then answer "in progress, try again shortly".
    static constexpr int claim_tries = 3;
    static constexpr std::chrono::milliseconds contended_lease_left{1};

    static std::int64_t now_ms() noexcept {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }

    // now + d, saturating: `std::chrono::milliseconds::max()` means "for ever", not an overflow into the past.
    static std::int64_t add(std::int64_t now, std::chrono::milliseconds d) noexcept {
        constexpr auto max = std::numeric_limits<std::int64_t>::max();
        constexpr auto min = std::numeric_limits<std::int64_t>::min();
        const std::int64_t v = d.count();
        if (v > 0 && now > max - v) return max;
        if (v < 0 && now < min - v) return min;
        return now + v;
    }

    [[noreturn]] void fail_open(std::string_view what) const {
        std::string msg = "sqlite_store: ";
        msg += what;
        msg += " (database '";
        msg += s_->path;
        msg += "')";
        boost::throw_exception(boost::system::system_error(make_error_code(error::store_unavailable), msg));
    }

    [[noreturn]] void fail_open_sqlite(std::string_view what) const {
        std::string msg(what);
        msg += ": ";
        msg += s_->db ? sqlite3_errmsg(s_->db.get()) : "out of memory";
        fail_open(msg);
    }

    detail::sqlite::stmt_ptr prepare_or_throw(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        const int rc = sqlite3_prepare_v3(s_->db.get(), sql.c_str(), static_cast<int>(sql.size() + 1),
                                          SQLITE_PREPARE_PERSISTENT, &st, nullptr);
        detail::sqlite::stmt_ptr out(st);
        if (rc != SQLITE_OK || !st) fail_open_sqlite("cannot prepare statements (is the table ours?)");
        return out;
    }

    // WAL, synchronous, the table and its index. @return SQLITE_OK, or the failing code with `what` and
    // `last_error` set. Throws when the file works but cannot be put in WAL mode.
    int setup(const std::string& table, std::string_view& what) {
        sqlite3* db = s_->db.get();
        auto failed = [&](int rc, std::string_view w) {
            what = w;
            s_->last_error = sqlite3_errmsg(db);
            return rc ? rc : SQLITE_ERROR;
        };
        {
            sqlite3_stmt* raw = nullptr;
            int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &raw, nullptr);
            detail::sqlite::stmt_ptr st(raw);
            if (rc != SQLITE_OK) return failed(rc, "cannot read the file (not a database?)");
            detail::sqlite::statement_use u(raw);
            rc = sqlite3_step(raw);
            if (rc != SQLITE_ROW) return failed(rc, "cannot set WAL mode (not a database?)");
            const std::string_view mode = detail::sqlite::column_text(raw, 0);
            const char* file = sqlite3_db_filename(db, "main");
            const bool in_memory = !file || !*file;  // ":memory:" has no WAL, and no other process to share it
            if (mode != "wal" && !(in_memory && mode == "memory"))
                fail_open("cannot use WAL mode (a network file system?)");
        }
        if (const int rc = sqlite3_exec(db, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr); rc != SQLITE_OK)
            return failed(rc, "cannot set synchronous=NORMAL");
        const std::string t = detail::sqlite::quote_identifier(table);
        const std::string index = detail::sqlite::quote_identifier(table + "_expires");
        const std::string ddl = "CREATE TABLE IF NOT EXISTS " + t +
                                " ("
                                "key TEXT PRIMARY KEY NOT NULL, "
                                "in_progress INTEGER NOT NULL, "
                                "token TEXT, "
                                "body_hash TEXT NOT NULL, "
                                "expires_ms INTEGER NOT NULL, "
                                "failed INTEGER NOT NULL DEFAULT 0, "
                                "response_status INTEGER, "
                                "response_type TEXT, "
                                "response_body BLOB); "
                                "CREATE INDEX IF NOT EXISTS " +
                                index + " ON " + t + " (expires_ms);";
        if (const int rc = sqlite3_exec(db, ddl.c_str(), nullptr, nullptr, nullptr); rc != SQLITE_OK)
            return failed(rc, "cannot create the table");
        return SQLITE_OK;
    }

    void open(const options& o) {
        sqlite3* raw = nullptr;
        const int rc = sqlite3_open_v2(s_->path.c_str(), &raw,
                                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                                           SQLITE_OPEN_EXRESCODE,
                                       nullptr);
        s_->db.reset(raw);  // closed on every path, even when opening failed
        if (rc != SQLITE_OK) fail_open_sqlite("cannot open");
        if (sqlite3_db_readonly(s_->db.get(), "main") == 1) fail_open("the file is read-only");

        // Before anything touches the file, so that opening beside a busy writer waits too.
        const auto timeout = std::clamp<std::int64_t>(o.busy_timeout.count(), 0, std::numeric_limits<int>::max());
        sqlite3_busy_timeout(s_->db.get(), static_cast<int>(timeout));

        // Opening beside another process that is creating the file or switching it to WAL can fail with
        // SQLITE_BUSY at once, without the busy handler (SQLite does not wait where waiting could deadlock): retry
        // the setup until the busy timeout has passed.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
        for (int delay_ms = 1;; delay_ms = std::min(delay_ms * 2, 50)) {
            std::string_view what;
            const int rc = setup(o.table, what);
            if (rc == SQLITE_OK) break;
            const int primary = rc & 0xff;
            if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || std::chrono::steady_clock::now() >= deadline)
                fail_open(std::string(what) + ": " + s_->last_error);
            std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        }

        const std::string t = detail::sqlite::quote_identifier(o.table);
        // ?1 key, ?2 token, ?3 body hash, ?4 expiry, ?5 now. Inserts, or takes over a row whose time has run out;
        // a row comes back only then. A live row is left untouched and nothing comes back.
        s_->claim = prepare_or_throw(
            "INSERT INTO " + t +
            " (key, in_progress, token, body_hash, expires_ms, failed, response_status, response_type, response_body)"
            " VALUES (?1, 1, ?2, ?3, ?4, 0, NULL, NULL, NULL)"
            " ON CONFLICT (key) DO UPDATE SET in_progress = 1, token = excluded.token,"
            " body_hash = excluded.body_hash, expires_ms = excluded.expires_ms, failed = 0,"
            " response_status = NULL, response_type = NULL, response_body = NULL"
            " WHERE " + t + ".expires_ms <= ?5"
            " RETURNING token");
        s_->select = prepare_or_throw(
            "SELECT in_progress, body_hash, expires_ms, failed, response_status, response_type, response_body"
            " FROM " + t + " WHERE key = ?1");
        // The fence, shared by the three: ?1 key, ?2 token, ?3 now.
        const std::string fence = " WHERE key = ?1 AND in_progress = 1 AND token = ?2 AND expires_ms > ?3";
        s_->complete = prepare_or_throw(
            "UPDATE " + t +
            " SET in_progress = 0, token = NULL, expires_ms = ?4, failed = ?5,"
            " response_status = ?6, response_type = ?7, response_body = ?8" + fence);
        s_->release = prepare_or_throw("DELETE FROM " + t + fence);
        s_->renew = prepare_or_throw("UPDATE " + t + " SET expires_ms = ?4" + fence);
        s_->purge = prepare_or_throw("DELETE FROM " + t + " WHERE expires_ms <= ?1");
    }

    // Records SQLite's message and answers store_unavailable. Call before the statement is reset.
    boost::system::error_code failure() {
        s_->last_error = sqlite3_errmsg(s_->db.get());
        return make_error_code(error::store_unavailable);
    }

    // On Linux a deleted database file stays writable through the open descriptor, and in WAL mode SQLite does not
    // notice: every claim would "succeed" into a file no restart will ever see. Ask the VFS (two stat calls).
    bool usable() {
        int moved = 0;
        const int rc = sqlite3_file_control(s_->db.get(), "main", SQLITE_FCNTL_HAS_MOVED, &moved);
        if (rc == SQLITE_NOTFOUND) return true;  // no file to move (in memory)
        if (rc != SQLITE_OK) {
            s_->last_error = sqlite3_errmsg(s_->db.get());
            return false;
        }
        if (moved) {
            s_->last_error = "the database file was deleted or renamed while open";
            return false;
        }
        return true;
    }

    static bool bind_fence(sqlite3_stmt* st, std::string_view key, std::string_view token, std::int64_t now) {
        return detail::sqlite::bind_text(st, 1, key) && detail::sqlite::bind_text(st, 2, token) &&
               detail::sqlite::bind_int(st, 3, now);
    }

    boost::system::result<void> fenced_write(bool bound, sqlite3_stmt* st) {
        if (!bound || sqlite3_step(st) != SQLITE_DONE) return failure();
        if (sqlite3_changes(s_->db.get()) == 0) return make_error_code(error::lease_lost);
        return {};
    }

    boost::system::result<std::size_t> purge_locked() {
        detail::sqlite::statement_use u(s_->purge.get());
        if (!detail::sqlite::bind_int(u.get(), 1, now_ms()) || sqlite3_step(u.get()) != SQLITE_DONE) return failure();
        return static_cast<std::size_t>(sqlite3_changes(s_->db.get()));
    }

    boost::system::result<claim_result> claim_locked(std::string_view key, std::string_view body_hash,
                                                     std::chrono::milliseconds lease) {
        for (int attempt = 0; attempt < claim_tries; ++attempt) {
            const std::int64_t now = now_ms();
            std::string token = new_owner_token();
            {
                detail::sqlite::statement_use u(s_->claim.get());
                sqlite3_stmt* st = u.get();
                if (!detail::sqlite::bind_text(st, 1, key) || !detail::sqlite::bind_text(st, 2, token) ||
                    !detail::sqlite::bind_text(st, 3, body_hash) ||
                    !detail::sqlite::bind_int(st, 4, add(now, lease)) || !detail::sqlite::bind_int(st, 5, now))
                    return failure();
                int rc = sqlite3_step(st);
                bool acquired = false;
                if (rc == SQLITE_ROW) {
                    acquired = detail::sqlite::column_text(st, 0) == token;
                    rc = sqlite3_step(st);  // runs the statement to its end, which commits it
                }
                if (rc != SQLITE_DONE) return failure();
                if (acquired) return claim_result{claim_status::acquired, std::move(token)};
            }
            // The row is live (as of `now`): read why. Same `now`, so the answer agrees with the UPSERT's.
            detail::sqlite::statement_use u(s_->select.get());
            sqlite3_stmt* st = u.get();
            if (!detail::sqlite::bind_text(st, 1, key)) return failure();
            const int rc = sqlite3_step(st);
            if (rc == SQLITE_DONE) continue;  // released in between
            if (rc != SQLITE_ROW) return failure();
            const std::int64_t expires = sqlite3_column_int64(st, 2);
            if (expires <= now) continue;  // taken over, then expired again, in between
            if (!same_payload(detail::sqlite::column_text(st, 1), body_hash))
                return claim_result{claim_status::payload_mismatch};
            if (sqlite3_column_int64(st, 0) != 0)
                return claim_result{claim_status::in_progress, {},
                                    std::chrono::milliseconds(std::max<std::int64_t>(expires - now, 1))};
            claim_result out{claim_status::completed};
            out.outcome.failed = sqlite3_column_int64(st, 3) != 0;
            if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
                stored_response response;
                response.status = static_cast<unsigned>(sqlite3_column_int64(st, 4));
                response.content_type = std::string(detail::sqlite::column_text(st, 5));
                response.body = std::string(detail::sqlite::column_blob(st, 6));
                out.outcome.response = std::move(response);
            }
            return out;
        }
        return claim_result{claim_status::in_progress, {}, contended_lease_left};
    }

    std::unique_ptr<state> s_;
};

static_assert(IdempotencyStore<sqlite_store>);

} // namespace webhooks::idempotency

#endif
