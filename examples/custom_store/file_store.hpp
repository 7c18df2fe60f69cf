// SPDX-License-Identifier: BSL-1.0
// A custom IdempotencyStore: an append-only log file, replayed into memory when opened.
//
// It shows what implementing the concept takes: four operations, each atomic (here: one mutex and one appended
// line), fenced by the owner token, and failures reported as error::store_unavailable. It is for one process; the
// log grows until you rotate it (a real one would compact it on open).

#ifndef WEBHOOKS_EXAMPLES_CUSTOM_STORE_FILE_STORE_HPP
#define WEBHOOKS_EXAMPLES_CUSTOM_STORE_FILE_STORE_HPP

#include <webhooks/crypto/encoding.hpp>
#include <webhooks/error.hpp>
#include <webhooks/idempotency/store.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>

namespace example {

namespace idem = webhooks::idempotency;

class file_store {
public:
    explicit file_store(std::string path) : path_(std::move(path)) {
        replay();
        out_.open(path_, std::ios::app | std::ios::binary);
        if (!out_) throw std::runtime_error("cannot open " + path_);
    }

    boost::system::result<idem::claim_result> claim(std::string_view key, std::string_view body_hash,
                                                    std::chrono::milliseconds lease) {
        std::lock_guard lock(mutex_);
        const std::int64_t now = now_ms();
        auto it = records_.find(std::string(key));
        if (it != records_.end() && it->second.expires > now) {
            const record& r = it->second;
            if (!idem::same_payload(r.body_hash, body_hash)) return idem::claim_result{idem::claim_status::payload_mismatch};
            if (r.in_progress)
                return idem::claim_result{idem::claim_status::in_progress, {},
                                          std::chrono::milliseconds(r.expires - now)};
            return idem::claim_result{idem::claim_status::completed, {}, {}, r.outcome};
        }
        record r{true, idem::new_owner_token(), std::string(body_hash), now + lease.count(), {}};
        if (!append("C " + hex(key) + ' ' + r.token + ' ' + r.body_hash + ' ' + std::to_string(r.expires)))
            return make_error_code(webhooks::error::store_unavailable);
        std::string token = r.token;
        records_[std::string(key)] = std::move(r);
        return idem::claim_result{idem::claim_status::acquired, std::move(token)};
    }

    boost::system::result<void> complete(std::string_view key, std::string_view token, const idem::completion& done,
                                         std::chrono::milliseconds retention) {
        std::lock_guard lock(mutex_);
        record* r = owned(key, token);
        if (!r) return make_error_code(webhooks::error::lease_lost);
        const std::int64_t expires = now_ms() + retention.count();
        std::string line = "D " + hex(key) + ' ' + std::to_string(expires) + ' ' + (done.failed ? '1' : '0');
        if (done.response)
            line += ' ' + std::to_string(done.response->status) + " ." + hex(done.response->content_type) + " ." +
                    hex(done.response->body);  // '.' keeps empty fields visible to >>
        if (!append(line)) return make_error_code(webhooks::error::store_unavailable);
        r->in_progress = false;
        r->token.clear();
        r->expires = expires;
        r->outcome = done;
        return {};
    }

    boost::system::result<void> release(std::string_view key, std::string_view token) {
        std::lock_guard lock(mutex_);
        if (!owned(key, token)) return make_error_code(webhooks::error::lease_lost);
        if (!append("R " + hex(key))) return make_error_code(webhooks::error::store_unavailable);
        records_.erase(std::string(key));
        return {};
    }

    boost::system::result<void> renew(std::string_view key, std::string_view token, std::chrono::milliseconds lease) {
        std::lock_guard lock(mutex_);
        record* r = owned(key, token);
        if (!r) return make_error_code(webhooks::error::lease_lost);
        const std::int64_t expires = now_ms() + lease.count();
        if (!append("N " + hex(key) + ' ' + std::to_string(expires)))
            return make_error_code(webhooks::error::store_unavailable);
        r->expires = expires;
        return {};
    }

private:
    struct record {
        bool in_progress = true;
        std::string token;
        std::string body_hash;
        std::int64_t expires = 0;  // Unix milliseconds: the log outlives the process
        idem::completion outcome;
    };

    static std::int64_t now_ms() {
        using namespace std::chrono;
        return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    }
    static std::string hex(std::string_view s) { return webhooks::crypto::encode(s, webhooks::crypto::encoding::hex); }
    static std::string unhex(std::string_view s) {
        return webhooks::crypto::decode(s, webhooks::crypto::encoding::hex).value_or(std::string{});
    }

    record* owned(std::string_view key, std::string_view token) {
        auto it = records_.find(std::string(key));
        if (it == records_.end() || !it->second.in_progress || it->second.token != token ||
            it->second.expires <= now_ms())
            return nullptr;
        return &it->second;
    }

    // One line per change, flushed before the change is made visible: a crash loses at most the line being written.
    bool append(const std::string& line) {
        out_ << line << '\n';
        out_.flush();
        return static_cast<bool>(out_);
    }

    void replay() {
        std::ifstream in(path_, std::ios::binary);
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string op, key;
            fields >> op >> key;
            key = unhex(key);
            if (op == "C") {
                record r;
                fields >> r.token >> r.body_hash >> r.expires;
                records_[key] = std::move(r);
            } else if (op == "D" && records_.count(key)) {
                record& r = records_[key];
                int failed = 0;
                fields >> r.expires >> failed;
                r.in_progress = false;
                r.token.clear();
                r.outcome.failed = failed != 0;
                unsigned status = 0;
                std::string type, body;
                if (fields >> status >> type >> body)
                    r.outcome.response = idem::stored_response{status, unhex(type.substr(1)), unhex(body.substr(1))};
            } else if (op == "R") {
                records_.erase(key);
            } else if (op == "N" && records_.count(key)) {
                fields >> records_[key].expires;
            }
        }
    }

    std::string path_;
    std::ofstream out_;
    std::mutex mutex_;
    std::map<std::string, record> records_;
};

static_assert(idem::IdempotencyStore<file_store>);

} // namespace example

#endif
