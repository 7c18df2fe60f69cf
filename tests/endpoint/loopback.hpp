// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_TESTS_ENDPOINT_LOOPBACK_HPP
#define WEBHOOKS_TESTS_ENDPOINT_LOOPBACK_HPP

// A real HTTP server on 127.0.0.1 (Boost.Beast, synchronous, one thread per connection) that answers with an
// endpoint through `webhooks::beast::handle`, and a Beast client that sends it real requests. Everything is bounded:
// the accept loop in connections, each connection in requests, the client in time; the destructor wakes and joins
// every thread it started.

#include <webhooks/beast.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace webhooks::test {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using http_request = http::request<http::string_body>;
using http_response = http::response<http::string_body>;

/// A loopback HTTP server answering every request with `handler`.
class loopback_server {
public:
    using handler_type = std::function<http_response(const http_request&)>;

    struct options {
        std::size_t body_limit;                 ///< Beast's request body limit (413 above it).
        int max_connections = 64;               ///< The accept loop ends after this many.
        int max_requests_per_connection = 32;   ///< A keep-alive connection is closed after this many.
    };

    /// Serves `endpoint` (anything `webhooks::beast::handle` takes), with Beast's body limit set from its limits.
    template <class Endpoint>
    explicit loopback_server(const Endpoint& endpoint, int max_connections = 64)
        : loopback_server([&endpoint](const http_request& req) { return webhooks::beast::handle(endpoint, req); },
                          {.body_limit = endpoint.limits().max_body, .max_connections = max_connections}) {}

    loopback_server(handler_type handler, options o)
        : handler_(std::move(handler)), options_(o),
          acceptor_(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
        port_ = acceptor_.local_endpoint().port();
        accept_thread_ = std::thread([this] { accept_loop(); });
    }

    loopback_server(const loopback_server&) = delete;
    loopback_server& operator=(const loopback_server&) = delete;

    /// Stops accepting, unblocks every connection still open, and joins every thread.
    ~loopback_server() {
        stopping_ = true;
        wake_acceptor();
        accept_thread_.join();
        {
            std::lock_guard lock(mutex_);
            for (auto& [id, fd] : open_) ::shutdown(fd, SHUT_RDWR);  // a blocked read returns at once
        }
        std::vector<std::thread> sessions;
        {
            std::lock_guard lock(mutex_);
            sessions = std::move(sessions_);
        }
        for (std::thread& t : sessions) t.join();
    }

    unsigned short port() const noexcept { return port_; }
    /// @return connections accepted so far.
    int connections() const noexcept { return accepted_.load(); }
    /// @return requests answered so far (413s from the body limit included).
    int requests() const noexcept { return answered_.load(); }

private:
    void accept_loop() {
        for (int n = 0; n < options_.max_connections && !stopping_; ++n) {
            tcp::socket socket(io_);
            boost::system::error_code ec;
            acceptor_.accept(socket, ec);
            if (stopping_) break;
            if (ec) continue;
            ++accepted_;
            std::lock_guard lock(mutex_);
            const int id = next_id_++;
            open_[id] = socket.native_handle();
            sessions_.emplace_back([this, id, s = std::move(socket)]() mutable { session(id, std::move(s)); });
        }
    }

    // Connects to the acceptor once, so a blocked accept returns and sees `stopping_`.
    void wake_acceptor() {
        net::io_context io;
        tcp::socket s(io);
        boost::system::error_code ec;
        s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
    }

    void session(int id, tcp::socket socket) {
        boost::beast::flat_buffer buffer;
        boost::system::error_code ec;
        for (int i = 0; i < options_.max_requests_per_connection && !stopping_; ++i) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(options_.body_limit);  // Beast's default is 1 MB; the endpoint's limit is the truth
            http::read(socket, buffer, parser, ec);
            if (ec) {  // 413 for the body limit, 400 for garbage; nothing when the client left
                if (auto refused = webhooks::beast::read_error_response(ec)) {
                    http_response res = webhooks::beast::to_response(*refused, parser.get().version(), false);
                    http::write(socket, res, ec);
                    ++answered_;
                }
                break;
            }
            http_response res = handler_(parser.get());
            ++answered_;
            http::write(socket, res, ec);
            if (ec || !res.keep_alive()) break;
        }
        // Lingering close: stop sending, then read (bounded) what the client still sends, so that closing with
        // unread bytes does not reset the connection before the client has read the answer.
        socket.shutdown(tcp::socket::shutdown_send, ec);
        std::array<char, 4096> sink;
        for (int i = 0; i < 4096 && !ec; ++i) socket.read_some(net::buffer(sink), ec);
        std::lock_guard lock(mutex_);
        open_.erase(id);  // under the lock: the destructor never shuts a descriptor number down after reuse
        socket.close(ec);
    }

    handler_type handler_;
    options options_;
    net::io_context io_;  // only for the sockets' sake: every operation here is synchronous
    tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> accepted_{0};
    std::atomic<int> answered_{0};
    std::thread accept_thread_;
    std::mutex mutex_;
    int next_id_ = 0;
    std::map<int, int> open_;  // session id -> native socket
    std::vector<std::thread> sessions_;
};

/// A client connection with a deadline on every exchange (asynchronous under the hood, so a deadline can cut it).
class loopback_client {
public:
    explicit loopback_client(unsigned short port, std::chrono::milliseconds timeout = std::chrono::seconds(10))
        : stream_(io_), timeout_(timeout) {
        stream_.expires_after(timeout_);
        boost::system::error_code result;
        stream_.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                              [&](boost::system::error_code ec) { result = ec; });
        run();
        if (result) throw boost::system::system_error(result, "connect");
    }

    /// Sends `req` and reads the answer.
    /// @throws boost::system::system_error when the exchange fails or times out.
    http_response exchange(http_request req) {
        http_response res;
        boost::system::error_code result;
        stream_.expires_after(timeout_);
        http::async_write(stream_, req, [&](boost::system::error_code ec, std::size_t) {
            if (ec) {
                result = ec;
                return;
            }
            http::async_read(stream_, buffer_, res, [&](boost::system::error_code e, std::size_t) { result = e; });
        });
        run();
        if (result) throw boost::system::system_error(result, "exchange");
        return res;
    }

private:
    void run() {
        io_.restart();
        io_.run();  // returns when the operation ends: done, failed, or cut by the stream's deadline
    }

    net::io_context io_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::chrono::milliseconds timeout_;
};

/// A request as a provider sends it: POST, the signed headers, a body.
inline http_request make_request(const webhooks::signed_headers& headers, std::string body,
                                 std::string content_type = "application/json", std::string target = "/webhooks") {
    http_request req{http::verb::post, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::user_agent, "webhooks-endpoint-test");
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    for (const webhooks::outgoing_header& h : headers) req.set(h.name, h.value);
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
}

/// Sends one request on a fresh connection.
inline http_response send(unsigned short port, http_request req) {
    loopback_client client{port};
    return client.exchange(std::move(req));
}

} // namespace webhooks::test

#endif
