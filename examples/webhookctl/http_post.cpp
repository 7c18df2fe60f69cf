// SPDX-License-Identifier: BSL-1.0
// webhookctl send: POST one signed delivery N times over C connections, with Boost.Beast.
//
// Each thread owns an io_context and one connection, and runs Beast's async operations to completion one at a time:
// the code reads like blocking calls, but the timeout works (a `tcp_stream`'s `expires_after` applies only to
// asynchronous operations; its synchronous ones wait forever).

#include "http_post.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

namespace webhookctl {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

std::optional<http_url> parse_http_url(std::string_view text) {
    constexpr std::string_view scheme = "http://";
    if (text.size() < scheme.size() || !std::equal(scheme.begin(), scheme.end(), text.begin(), [](char a, char b) {
            return a == (b >= 'A' && b <= 'Z' ? b + 32 : b);
        }))
        return std::nullopt;
    text.remove_prefix(scheme.size());
    if (text.find_first_of(" \t\r\n#") != std::string_view::npos) return std::nullopt;

    std::size_t end = text.find_first_of("/?");
    std::string_view authority = text.substr(0, end);
    std::string_view rest = end == std::string_view::npos ? std::string_view{} : text.substr(end);
    if (authority.find('@') != std::string_view::npos) return std::nullopt;

    http_url url;
    std::string_view port;
    if (authority.starts_with('[')) {  // [::1]:8080
        std::size_t close = authority.find(']');
        if (close == std::string_view::npos || close == 1) return std::nullopt;
        url.host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty() && (!after.starts_with(':') || after.size() == 1)) return std::nullopt;
        if (!after.empty()) port = after.substr(1);
    } else {
        std::size_t colon = authority.find(':');
        url.host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty()) return std::nullopt;
        }
    }
    if (url.host.empty()) return std::nullopt;
    if (!port.empty()) {
        unsigned value = 0;
        auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc{} || p != port.data() + port.size() || value == 0 || value > 65535) return std::nullopt;
        url.port = std::to_string(value);
    }
    url.target = rest.empty() ? "/" : rest.starts_with('?') ? "/" + std::string(rest) : std::string(rest);
    url.host_header = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
    if (url.port != "80") url.host_header += ":" + url.port;
    return url;
}

namespace {

using request_message = http::request<http::string_body>;
using response_message = http::response<http::string_body>;

request_message make_message(const post_request& request) {
    request_message message{http::verb::post, request.url.target, 11};
    message.set(http::field::host, request.url.host_header);
    message.set(http::field::user_agent, "webhookctl");
    message.set(http::field::content_type, request.content_type);
    for (const webhooks::outgoing_header& h : request.headers) message.set(h.name, h.value);
    message.body() = request.body;
    message.prepare_payload();
    return message;
}

// What every worker shares: whose turn it is, and the output (one whole line at a time).
class shared_run {
public:
    shared_run(int total, int workers, std::ostream& out, std::ostream& err)
        : total_(total), start_(workers), out_(out), err_(err) {}

    /// @return true when there is another copy to send (and claims it).
    bool take() { return next_.fetch_add(1) < total_; }
    /// Waits until every worker has connected (or failed to), so the copies leave together.
    void ready() { start_.arrive_and_wait(); }

    void response(const response_message& response, std::chrono::microseconds elapsed) {
        auto header = response["Idempotent-Replayed"];
        std::string_view replayed = header.empty() ? "-" : std::string_view(header.data(), header.size());
        std::lock_guard lock(mutex_);
        ++responses_;
        auto retry = response["Retry-After"];
        out_ << response.result_int() << " Idempotent-Replayed=" << replayed << ' ' << elapsed.count() << "us";
        if (!retry.empty()) out_ << " Retry-After=" << std::string_view(retry.data(), retry.size());
        out_ << '\n' << std::flush;
    }

    void failure(std::string_view what, const http_url& url, const error_code& ec) {
        std::lock_guard lock(mutex_);
        err_ << "webhookctl: " << what << " http://" << url.host_header << url.target << ": " << ec.message() << '\n';
    }

    int responses() const { return responses_; }

private:
    const int total_;
    std::atomic<int> next_{0};
    std::latch start_;
    std::mutex mutex_;
    int responses_ = 0;
    std::ostream& out_;
    std::ostream& err_;
};

// One connection, kept alive while the server allows it, reopened when it does not.
class connection {
public:
    connection(const tcp::resolver::results_type& endpoints, std::chrono::seconds timeout)
        : endpoints_(endpoints), timeout_(timeout) {}

    bool is_open() const { return open_; }

    error_code open() {
        buffer_.clear();
        stream_.expires_after(timeout_);
        error_code ec = run([&](auto done) { stream_.async_connect(endpoints_, done); });
        if (ec) return ec;
        stream_.socket().set_option(tcp::no_delay(true), ec);  // measure the server, not Nagle
        open_ = true;
        reused_ = false;
        return {};
    }

    /// Sends `message` and reads the response. A kept-alive connection the server has closed meanwhile is reopened
    /// once, as browsers do.
    error_code exchange(const request_message& message, response_message& response) {
        error_code ec = round_trip(message, response);
        if (ec && reused_ && closed_by_peer(ec)) {
            close();
            if ((ec = open())) return ec;
            ec = round_trip(message, response);
        }
        if (ec || !response.keep_alive()) close();
        else reused_ = true;
        return ec;
    }

    void close() {
        error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream_.close();
        open_ = false;
    }

private:
    // Starts one async operation and runs this thread's io_context until it completes.
    template <class Start>
    error_code run(Start start) {
        error_code result;
        start([&result](error_code ec, auto&&...) { result = ec; });
        io_.restart();
        io_.run();
        return result;
    }

    error_code round_trip(const request_message& message, response_message& response) {
        stream_.expires_after(timeout_);
        if (error_code ec = run([&](auto done) { http::async_write(stream_, message, done); })) return ec;
        response = {};
        return run([&](auto done) { http::async_read(stream_, buffer_, response, done); });
    }

    static bool closed_by_peer(const error_code& ec) {
        return ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
               ec == asio::error::broken_pipe || ec == asio::error::eof;
    }

    asio::io_context io_;
    beast::tcp_stream stream_{io_};
    beast::flat_buffer buffer_;
    const tcp::resolver::results_type& endpoints_;
    std::chrono::seconds timeout_;
    bool open_ = false;
    bool reused_ = false;
};

void work(const request_message& message, const http_url& url, const tcp::resolver::results_type& endpoints,
          std::chrono::seconds timeout, shared_run& run) {
    connection conn{endpoints, timeout};
    error_code ec = conn.open();
    run.ready();
    if (ec) {
        run.failure("cannot connect to", url, ec);
        return;
    }
    response_message response;
    while (run.take()) {
        if (!conn.is_open() && (ec = conn.open())) {
            run.failure("cannot connect to", url, ec);
            return;
        }
        auto start = std::chrono::steady_clock::now();
        if ((ec = conn.exchange(message, response))) {
            run.failure("no response from", url, ec);
            return;
        }
        run.response(response, std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - start));
    }
    if (conn.is_open()) conn.close();
}

} // namespace

bool post_all(const post_request& request, const post_plan& plan, std::ostream& out, std::ostream& err) {
    tcp::resolver::results_type endpoints;
    {
        asio::io_context io;
        tcp::resolver resolver{io};
        error_code ec;
        endpoints = resolver.resolve(request.url.host, request.url.port, ec);
        if (ec) {
            err << "webhookctl: cannot resolve " << request.url.host << ": " << ec.message() << '\n';
            return false;
        }
    }

    const request_message message = make_message(request);  // shared read-only: serializing does not modify it
    const int workers = std::max(1, std::min(plan.concurrency, plan.repeat));
    shared_run run{plan.repeat, workers, out, err};
    {
        std::vector<std::jthread> threads;
        threads.reserve(static_cast<std::size_t>(workers));
        for (int i = 0; i < workers; ++i)
            threads.emplace_back([&] { work(message, request.url, endpoints, plan.timeout, run); });
    }
    if (run.responses() != plan.repeat) {
        err << "webhookctl: " << run.responses() << " of " << plan.repeat << " requests got a response\n";
        return false;
    }
    return true;
}

} // namespace webhookctl
