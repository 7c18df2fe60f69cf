// SPDX-License-Identifier: BSL-1.0
#include <webhooks/idempotency/store.hpp>

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace idem = webhooks::idempotency;

namespace {

bool is_hex_token(const std::string& t) {
    return t.size() == idem::owner_token_size &&
           std::all_of(t.begin(), t.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

} // namespace

TEST_CASE("Owner tokens are fixed-size hex and never repeat, across threads", "[idempotency][token]") {
    std::vector<std::vector<std::string>> made(4);
    std::vector<std::thread> threads;
    for (auto& out : made)
        threads.emplace_back([&out] {
            for (int i = 0; i < 2000; ++i) out.push_back(idem::new_owner_token());
        });
    for (auto& t : threads) t.join();
    std::set<std::string> all;
    for (const auto& out : made)
        for (const auto& t : out) {
            CHECK(is_hex_token(t));
            all.insert(t);
        }
    CHECK(all.size() == 4 * 2000);
    // Each thread has its own random prefix.
    CHECK(made[0].front().substr(0, 16) != made[1].front().substr(0, 16));
}

TEST_CASE("A forked child never makes the token its parent makes next", "[idempotency][token]") {
    (void)idem::new_owner_token();  // the parent's thread state exists before the fork
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const ::pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        const std::string t = idem::new_owner_token();
        const bool written = ::write(fds[1], t.data(), t.size()) == static_cast<ssize_t>(t.size());
        ::_exit(written ? 0 : 1);
    }
    ::close(fds[1]);
    std::string from_child(idem::owner_token_size, '\0');
    const ssize_t n = ::read(fds[0], from_child.data(), from_child.size());
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(n == static_cast<ssize_t>(idem::owner_token_size));
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    const std::string mine = idem::new_owner_token();
    CHECK(is_hex_token(from_child));
    CHECK(from_child != mine);
    CHECK(from_child.substr(0, 16) != mine.substr(0, 16));  // a new prefix, not merely another count
}
