// SPDX-License-Identifier: BSL-1.0
// A real redis-server for tests: started on a free loopback port in a temporary directory, with no persistence,
// stopped (and its directory removed) when the object goes. stop() and start() simulate the store going away and
// coming back on the same port. Every wait is bounded.
#ifndef WEBHOOKS_TESTS_STORES_REDIS_SERVER_HPP
#define WEBHOOKS_TESTS_STORES_REDIS_SERVER_HPP

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

extern char** environ;

namespace test {

class redis_server {
public:
    /// @return the path of `redis-server` found on PATH, or empty.
    static std::string find_binary() {
        const char* path = std::getenv("PATH");
        std::string_view rest = path ? path : "/usr/local/bin:/usr/bin:/bin";
        while (true) {
            const auto colon = rest.find(':');
            std::filesystem::path dir(std::string(rest.substr(0, colon)));
            if (dir.empty()) dir = ".";
            const auto candidate = dir / "redis-server";
            if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
            if (colon == std::string_view::npos) return {};
            rest.remove_prefix(colon + 1);
        }
    }

    /// @return true when `redis-server` is on PATH (a test can skip otherwise).
    static bool available() { return !find_binary().empty(); }

    /// Starts a server; throws std::runtime_error if it cannot (no binary, did not answer within 5 s).
    /// @param durable keep every write in an append-only file synced on each write, so records survive a crash and
    ///        restart (how a dedup Redis should run in production); otherwise nothing is persisted.
    explicit redis_server(bool durable = false) : binary_(find_binary()), durable_(durable) {
        if (binary_.empty()) throw std::runtime_error("redis_server: redis-server is not on PATH");
        std::string tmpl = (std::filesystem::temp_directory_path() / "webhooks-redis-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("redis_server: mkdtemp failed");
        dir_ = tmpl;
        try {
            // Another process may take the free port before the server binds it: try a few.
            for (int attempt = 1;; ++attempt) {
                port_ = free_port();
                try {
                    start();
                    break;
                } catch (const std::runtime_error&) {
                    if (attempt == 3) throw;
                }
            }
        } catch (...) {
            std::error_code ec;
            std::filesystem::remove_all(dir_, ec);
            throw;
        }
    }

    ~redis_server() {
        stop();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    redis_server(const redis_server&) = delete;
    redis_server& operator=(const redis_server&) = delete;

    int port() const noexcept { return port_; }
    const char* host() const noexcept { return "127.0.0.1"; }
    bool running() const noexcept { return pid_ > 0; }
    const std::filesystem::path& directory() const noexcept { return dir_; }

    /// Starts the server (again) on the same port and waits until it answers PING. No-op when running.
    void start() {
        if (pid_ > 0) return;
        const std::string port = std::to_string(port_);
        const std::string log = (dir_ / "redis.log").string();
        std::vector<std::string> args{binary_,  "--port",       port,      "--bind",      "127.0.0.1",
                                      "--save", "",             "--appendonly", durable_ ? "yes" : "no", "--dir",
                                      dir_.string(), "--daemonize", "no", "--logfile", log};
        std::vector<char*> argv;
        if (durable_) {
            args.push_back("--appendfsync");
            args.push_back("always");
        }
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
        // The server must not inherit the test's sockets (hiredis does not set FD_CLOEXEC).
        posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
#endif
        pid_t pid = -1;
        const int rc = ::posix_spawn(&pid, binary_.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) throw std::runtime_error("redis_server: posix_spawn failed: " + std::to_string(rc));
        pid_ = pid;

        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("redis_server: redis-server exited at start; log:\n" + log_tail());
            }
            if (ping()) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        stop();
        throw std::runtime_error("redis_server: redis-server did not answer within 5 s; log:\n" + log_tail());
    }

    /// Stops the server now: SIGTERM, then SIGKILL after 2 s; reaps it. No-op when not running.
    void stop() noexcept {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        if (!reap(std::chrono::seconds(2))) {
            ::kill(pid_, SIGKILL);
            reap(std::chrono::seconds(2));
        }
        pid_ = -1;
    }

    /// Kills the server at once (SIGKILL), as a crash would; reaps it. No-op when not running.
    void crash() noexcept {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        reap(std::chrono::seconds(2));
        pid_ = -1;
    }

    /// @return true if the server answers PING with PONG within 500 ms.
    bool ping() const noexcept {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return false;
        timeval tv{0, 500'000};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        sockaddr_in addr = loopback(port_);
        bool ok = false;
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
            ::send(fd, "PING\r\n", 6, MSG_NOSIGNAL) == 6) {
            char buf[16] = {};
            std::size_t got = 0;
            for (int i = 0; i < 4 && got < 7; ++i) {
                const ssize_t n = ::recv(fd, buf + got, sizeof buf - 1 - got, 0);
                if (n <= 0) break;
                got += static_cast<std::size_t>(n);
            }
            ok = std::string_view(buf, got).starts_with("+PONG");
        }
        ::close(fd);
        return ok;
    }

private:
    static sockaddr_in loopback(int port) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return addr;
    }

    // The kernel picks a free port; the server binds it moments later (a race with other processes, rarely lost).
    static int free_port() {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) throw std::runtime_error("redis_server: socket failed");
        sockaddr_in addr = loopback(0);
        socklen_t len = sizeof addr;
        if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            ::close(fd);
            throw std::runtime_error("redis_server: cannot find a free port");
        }
        ::close(fd);
        return ntohs(addr.sin_port);
    }

    bool reap(std::chrono::milliseconds limit) noexcept {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        do {
            int status = 0;
            const pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_ || (r < 0 && errno == ECHILD)) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        } while (std::chrono::steady_clock::now() < deadline);
        return false;
    }

    std::string log_tail() const {
        std::ifstream in(dir_ / "redis.log");
        std::stringstream ss;
        ss << in.rdbuf();
        std::string s = ss.str();
        return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
    }

    std::string binary_;
    bool durable_ = false;
    std::filesystem::path dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

} // namespace test

#endif
