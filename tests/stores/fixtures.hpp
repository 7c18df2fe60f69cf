// SPDX-License-Identifier: BSL-1.0
// One fixture per store, so every test is written once and run against each: memory, SQLite, Redis (a real
// redis-server started for the test binary) and the custom append-only file store from examples/custom_store.
#ifndef WEBHOOKS_TESTS_STORES_FIXTURES_HPP
#define WEBHOOKS_TESTS_STORES_FIXTURES_HPP

#include "redis_server.hpp"

#include "../../examples/custom_store/file_store.hpp"
#include <webhooks/idempotency/memory_store.hpp>
#include <webhooks/idempotency/redis_store.hpp>
#include <webhooks/idempotency/sqlite_store.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace test {

// A directory that exists for the fixture's life.
struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "webhooks-test-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
};

// One redis-server for the whole test binary (started on first use); fixtures keep apart by key prefix.
inline redis_server& shared_redis() {
    static redis_server server;
    return server;
}

inline std::string unique_prefix() {
    static std::atomic<int> n{0};
    return "webhooks-test:" + std::to_string(::getpid()) + ":" + std::to_string(n++) + ":";
}

struct memory_fixture {
    static constexpr const char* name = "memory";
    webhooks::idempotency::memory_store store;
};

struct sqlite_fixture {
    static constexpr const char* name = "sqlite";
    temp_dir dir;
    webhooks::idempotency::sqlite_store store{{.path = (dir.path / "idempotency.sqlite").string()}};
};

struct redis_fixture {
    static constexpr const char* name = "redis";
    webhooks::idempotency::redis_store store{{.host = "127.0.0.1", .port = shared_redis().port(), .prefix = unique_prefix()}};
};

struct file_fixture {
    static constexpr const char* name = "custom file store";
    temp_dir dir;
    example::file_store store{(dir.path / "idempotency.log").string()};
};

} // namespace test

#endif
