// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_IDEMPOTENCY_DETAIL_SQLITE_HPP
#define WEBHOOKS_IDEMPOTENCY_DETAIL_SQLITE_HPP

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace webhooks::idempotency::detail::sqlite {

struct db_close { void operator()(sqlite3* p) const noexcept { sqlite3_close_v2(p); } };
struct stmt_finalize { void operator()(sqlite3_stmt* p) const noexcept { sqlite3_finalize(p); } };

using db_ptr = std::unique_ptr<sqlite3, db_close>;
using stmt_ptr = std::unique_ptr<sqlite3_stmt, stmt_finalize>;

// Resets and unbinds a prepared statement when the scope ends, on every path. A statement left un-reset keeps its
// read snapshot open (blocking checkpoints, and pinning a stale view for the next use) and its bindings point into
// caller memory that is gone.
class statement_use {
public:
    explicit statement_use(sqlite3_stmt* s) noexcept : s_(s) {}
    statement_use(const statement_use&) = delete;
    statement_use& operator=(const statement_use&) = delete;
    ~statement_use() {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
    }
    sqlite3_stmt* get() const noexcept { return s_; }

private:
    sqlite3_stmt* s_;
};

// A string_view may have a null data(): binding a null pointer binds SQL NULL, and NULL never conflicts with a
// primary key. Always bind a pointer. SQLITE_STATIC: statements are reset before the caller's strings go.
inline bool bind_text(sqlite3_stmt* s, int i, std::string_view v) noexcept {
    return sqlite3_bind_text64(s, i, v.data() ? v.data() : "", v.size(), SQLITE_STATIC, SQLITE_UTF8) == SQLITE_OK;
}
inline bool bind_blob(sqlite3_stmt* s, int i, std::string_view v) noexcept {
    return sqlite3_bind_blob64(s, i, v.data() ? v.data() : "", v.size(), SQLITE_STATIC) == SQLITE_OK;
}
inline bool bind_int(sqlite3_stmt* s, int i, std::int64_t v) noexcept {
    return sqlite3_bind_int64(s, i, v) == SQLITE_OK;
}
inline bool bind_null(sqlite3_stmt* s, int i) noexcept { return sqlite3_bind_null(s, i) == SQLITE_OK; }

// Pointer first, then the size: that order is the one SQLite documents as safe. A zero-length value has a null
// pointer.
inline std::string_view column_text(sqlite3_stmt* s, int i) noexcept {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
    const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s, i));
    return p ? std::string_view(p, n) : std::string_view();
}
inline std::string_view column_blob(sqlite3_stmt* s, int i) noexcept {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(s, i));
    const auto n = static_cast<std::size_t>(sqlite3_column_bytes(s, i));
    return p ? std::string_view(p, n) : std::string_view();
}

// The table name comes from options: quote it as an identifier rather than splice it raw into SQL.
inline std::string quote_identifier(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

} // namespace webhooks::idempotency::detail::sqlite

#endif
