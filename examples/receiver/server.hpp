// SPDX-License-Identifier: BSL-1.0
#ifndef RECEIVER_SERVER_HPP
#define RECEIVER_SERVER_HPP

// The HTTP half of the receiver: an asynchronous Boost.Beast server (C++20 coroutines) that reads requests and hands
// each complete one to the application, which answers with a `webhooks::response`. Knows nothing of webhooks
// beyond that type: routing, endpoints, metrics and logs are the application's (main.cpp).

#include <webhooks/response.hpp>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace receiver {

/// A request as read from the connection, body included.
using http_request = boost::beast::http::request<boost::beast::http::string_body>;

/// What the server needs from the application. Every function is called from the I/O threads, concurrently.
struct application {
    /// Answers one complete request. `draining`: the server is shutting down (the connection closes after this).
    std::function<webhooks::response(const http_request&, bool draining)> handle;
    /// Told of a request the server refused itself before it was complete (413: the body is over the limit, 400:
    /// not HTTP), with what had been read of its head.
    std::function<void(const http_request& head, unsigned status, std::string_view why)> refused;
    /// One line for the service log (start, stop, errors; never a body or a secret).
    std::function<void(std::string_view line)> log;
};

/// How to serve.
struct server_options {
    std::string address = "127.0.0.1";        ///< An IPv4 or IPv6 address to listen on.
    unsigned short port = 8080;               ///< 0: any free port (the `listening on` line says which).
    unsigned threads = 1;                     ///< Threads running the I/O (and the handlers).
    std::size_t max_body = 0;                 ///< Bodies over this many bytes are answered 413.
    std::chrono::seconds read_timeout{30};    ///< For reading one request, and for an idle kept-alive connection.
    std::chrono::seconds write_timeout{30};   ///< For writing one response.
    std::chrono::seconds drain_timeout{5};    ///< On SIGINT/SIGTERM, how long requests in flight may take.
};

/// Listens, serves until SIGINT or SIGTERM, drains, and returns the process exit status: 0 after a shutdown on a
/// signal, 1 when it could not listen. Logs `listening on ADDRESS:PORT` once bound.
int serve(const server_options& options, const application& app);

} // namespace receiver

#endif
