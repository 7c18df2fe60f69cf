// SPDX-License-Identifier: BSL-1.0
// The receiver's HTTP server: Boost.Beast over Asio, one coroutine per connection, N threads running one
// io_context. See server.hpp for what it promises.
//
// Threads. Every connection has its own strand (with one thread, the io_context itself, which is one), so its coroutine
// never runs on two threads at once, while different connections run in parallel on the pool. The application (the
// webhook endpoints) is called right on the I/O thread that read the request. That is fine here because the handlers
// are quick (a dedup claim, some bookkeeping, a log line): a slow handler would hold only its own connection, and the
// other connections go on on the other threads. Handlers that call slow services should answer fast and queue the work
// instead, or the pool should be sized for the slowest one.
//
// Shutdown (SIGINT or SIGTERM). The listening socket is closed at once; connections waiting for a request are
// closed; a request being read, handled or answered finishes, and its response says `Connection: close`. When
// the last connection is gone, the io_context runs out of work and `serve` returns 0. If requests still run after
// `drain_timeout` (or a second signal comes), the io_context is stopped; a claim a handler held is then released
// when its guard is destroyed, or expires with its lease.

#include "server.hpp"

#include <webhooks/beast.hpp>
#include <webhooks/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace receiver {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

// `co_await op(..., nothrow)` gives a tuple (error_code, result...) instead of throwing: errors are the normal way
// a connection ends, not exceptions.
constexpr auto nothrow = net::as_tuple(net::use_awaitable);

// Errors after which a connection just closes, with nothing to answer: the peer left, or we closed it.
bool quiet(const error_code& ec) {
    return ec == http::error::end_of_stream || ec == http::error::partial_message || ec == beast::error::timeout ||
           ec == net::error::operation_aborted || ec == net::error::eof || ec == net::error::connection_reset ||
           ec == net::error::broken_pipe || ec == net::error::bad_descriptor;
}

// One accepted connection. Its stream's executor is the connection's strand (or the one-thread io_context): the
// coroutine serving it and a drain request (below) never run at once.
struct connection {
    explicit connection(tcp::socket socket) : stream(std::move(socket)) {}

    beast::tcp_stream stream;
    bool idle = false;  // waiting for the next request to begin; read and written only on the strand
};

std::string to_string(const tcp::endpoint& e) {
    std::string address = e.address().to_string();
    if (e.address().is_v6()) address = '[' + address + ']';
    return address + ':' + std::to_string(e.port());
}

class server {
public:
    server(const server_options& options, const application& app)
        : options_(options), app_(app), ioc_(static_cast<int>(options.threads)) {}

    int run() {
        error_code ec;
        const auto address = net::ip::make_address(options_.address, ec);
        if (ec) {
            log("cannot listen: '" + options_.address + "' is not an IP address");
            return 1;
        }
        const tcp::endpoint where{address, options_.port};
        acceptor_.open(where.protocol(), ec);
        if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec) acceptor_.bind(where, ec);
        if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
        const tcp::endpoint bound = ec ? where : acceptor_.local_endpoint(ec);
        if (ec) {
            log("cannot listen on " + to_string(where) + ": " + ec.message());
            return 1;
        }
        log("listening on " + to_string(bound));  // with port 0, this says which port the system chose

        net::co_spawn(control_, accept_loop(), report("accept loop"));
        net::co_spawn(control_, control(), report("shutdown control"));

        std::vector<std::thread> threads;
        for (unsigned i = 1; i < options_.threads; ++i) threads.emplace_back([this] { ioc_.run(); });
        ioc_.run();
        for (std::thread& t : threads) t.join();
        log("stopped");
        return 0;
    }

private:
    // ---- accepting ------------------------------------------------------------------------------------------------

    net::awaitable<void> accept_loop() {
        for (;;) {
            // Several threads: each connection on its own strand. One thread is a strand already; a real strand
            // would only add its cost to every operation.
            const net::any_io_executor where = options_.threads > 1 ? net::any_io_executor(net::make_strand(ioc_))
                                                                     : net::any_io_executor(ioc_.get_executor());
            auto [ec, socket] = co_await acceptor_.async_accept(where, nothrow);
            if (draining_ || !acceptor_.is_open()) co_return;
            if (ec) {
                // E.g. out of file descriptors: that would fail again at once, so pause before the next accept.
                log("accept failed: " + ec.message());
                net::steady_timer pause{control_, 100ms};
                co_await pause.async_wait(nothrow);
                continue;
            }
            error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);  // a response is one write: do not wait for an ACK
            auto c = std::make_shared<connection>(std::move(socket));
            auto executor = c->stream.get_executor();
            net::co_spawn(executor, serve_connection(std::move(c)), report("connection"));
        }
    }

    // ---- one connection -------------------------------------------------------------------------------------------

    net::awaitable<void> serve_connection(std::shared_ptr<connection> c) {
        registration registered{*this, c};
        beast::tcp_stream& stream = c->stream;
        // Reserved up front: with a small buffer, Beast reads a body 512 bytes at a time.
        beast::flat_buffer buffer;
        buffer.reserve(16 * 1024);

        std::string spare;  // the last body's storage, for the next request on this connection (up to 64 KiB)

        for (;;) {
            http_request fresh;
            fresh.body() = std::move(spare);
            fresh.body().clear();
            http::request_parser<http::string_body> parser{std::move(fresh)};
            // Beast's own default is 1 MB. Set explicitly, so a large delivery (GitHub: up to 25 MB) is not cut off
            // and one over the endpoints' limit is refused from its Content-Length, before its body is read.
            parser.body_limit(options_.max_body);

            if (draining_) break;
            c->idle = true;  // a drain request may close the connection from here until a request begins
            stream.expires_after(options_.read_timeout);
            auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, nothrow);
            c->idle = false;
            if (ec) {
                co_await refuse(*c, parser.get(), ec);
                break;
            }

            // A client that sent `Expect: 100-continue` waits for this before sending the body (curl does for
            // bodies over 1 KB). An oversized body never gets here: its Content-Length failed the read above.
            if (!parser.is_done() && beast::iequals(parser.get()[http::field::expect], "100-continue")) {
                http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
                stream.expires_after(options_.write_timeout);
                if (auto [wec, wn] = co_await http::async_write(stream, go_on, nothrow); wec) break;
                stream.expires_after(options_.read_timeout);
            }
            // The body usually arrived with the header: parse what is buffered first, and read only what is not.
            error_code bec = parse_buffered(parser, buffer);
            if (!bec && !parser.is_done())
                std::tie(bec, std::ignore) = co_await http::async_read(stream, buffer, parser, nothrow);
            if (bec) {
                co_await refuse(*c, parser.get(), bec);
                break;
            }
            stream.expires_never();  // the handler's time is not the client's

            http_request request = parser.release();
            webhooks::response answer;
            try {
                answer = app_.handle(request, draining_);
            } catch (const std::exception& e) {
                log(std::string("request handler threw: ") + e.what());
                answer = plain(500, "internal error");
            }
            const bool keep_alive = request.keep_alive() && !draining_;
            auto response = webhooks::beast::to_response(std::move(answer), request.version(), keep_alive);
            stream.expires_after(options_.write_timeout);
            if (auto [wec, wn] = co_await http::async_write(stream, response, nothrow); wec || !keep_alive) break;
            if (request.body().capacity() <= 64 * 1024) spare = std::move(request.body());
        }

        error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    // Feeds the bytes already in `buffer` to `parser`, without another asynchronous read (which would complete at
    // once, but through the scheduler). @return an error of the request (body over the limit, malformed), or none.
    static error_code parse_buffered(http::request_parser<http::string_body>& parser, beast::flat_buffer& buffer) {
        error_code ec;
        while (!parser.is_done() && buffer.size() != 0) {
            const std::size_t used = parser.put(buffer.data(), ec);
            buffer.consume(used);
            if (ec == http::error::need_more) return {};
            if (ec || used == 0) break;
        }
        return ec;
    }

    // Answers a request that could not be read whole (413, 431, 400), or just closes when the peer left. `head` is
    // what had been parsed of it.
    net::awaitable<void> refuse(connection& c, const http_request& head, const error_code& ec) {
        if (quiet(ec)) co_return;
        unsigned status = 400;
        std::string why = "malformed request: " + ec.message();
        if (ec == http::error::body_limit) {
            status = 413;
            why = webhooks::reject(webhooks::error::body_too_large).message() + " (over " +
                  std::to_string(options_.max_body) + " bytes)";
        } else if (ec == http::error::header_limit) {
            status = 431;
            why = "request header fields too large";
        }
        if (app_.refused) app_.refused(head, status, why);

        auto response = webhooks::beast::to_response(plain(status, why), head.version(), false);
        c.stream.expires_after(options_.write_timeout);
        if (auto [wec, wn] = co_await http::async_write(c.stream, response, nothrow); wec) co_return;

        // Lingering close: the client may still be sending the body we refused. Closing with unread bytes would
        // make the kernel reset the connection, and the client could lose the response. So stop sending, read and
        // drop what comes, and close at the client's EOF, after 2 s, or after 4 MiB, whichever comes first.
        error_code ignored;
        c.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        c.stream.expires_after(2s);
        std::array<char, 16 * 1024> sink;
        for (std::size_t dropped = 0; dropped < 4u * 1024 * 1024;) {
            auto [rec, rn] = co_await c.stream.async_read_some(net::buffer(sink), nothrow);
            if (rec) break;
            dropped += rn;
        }
    }

    static webhooks::response plain(unsigned status, std::string text) {
        text += '\n';
        return {status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(text)};
    }

    // ---- shutdown -------------------------------------------------------------------------------------------------

    // Keeps the set of open connections, so a drain can reach them, and tells the drain when the last one is gone.
    class registration {
    public:
        registration(server& s, const std::shared_ptr<connection>& c) : s_(s), c_(c.get()) {
            std::lock_guard lock(s_.mutex_);
            s_.connections_.emplace(c_, c);
        }
        ~registration() {
            bool last;
            {
                std::lock_guard lock(s_.mutex_);
                s_.connections_.erase(c_);
                last = s_.connections_.empty();
            }
            if (last && s_.draining_ && !s_.ioc_.stopped())
                net::post(s_.control_, [&s = s_] { s.drain_timer_.cancel(); });
        }
        registration(const registration&) = delete;
        registration& operator=(const registration&) = delete;

    private:
        server& s_;
        connection* c_;
    };

    // Waits for SIGINT or SIGTERM, then drains: no new connections, idle ones closed, requests in flight finish.
    net::awaitable<void> control() {
        auto [ec, signal] = co_await signals_.async_wait(nothrow);
        if (ec) co_return;
        log(std::string("received ") + (signal == SIGINT ? "SIGINT" : "SIGTERM") +
            ": not accepting; finishing the requests in flight (at most " +
            std::to_string(options_.drain_timeout.count()) + " s)");
        error_code ignored;
        acceptor_.close(ignored);
        draining_ = true;

        std::size_t open = 0;
        {
            std::lock_guard lock(mutex_);
            for (const auto& [key, weak] : connections_) {
                if (auto c = weak.lock()) {
                    ++open;
                    // On the connection's strand: close it only if it is between requests.
                    net::post(c->stream.get_executor(), [c] {
                        if (c->idle) c->stream.cancel();
                    });
                }
            }
        }
        if (open == 0) co_return;

        // Wait until the last connection is gone (it cancels the timer), the time is up, or a second signal comes.
        // (On the control strand like everything here: the cancel a connection posts comes after this wait began.)
        signals_.async_wait([this](error_code e, int) {
            if (e) return;
            second_signal_ = true;
            drain_timer_.cancel();
        });
        drain_timer_.expires_after(options_.drain_timeout);
        auto [timer] = co_await drain_timer_.async_wait(nothrow);
        signals_.cancel();
        if (timer == net::error::operation_aborted && !second_signal_) co_return;  // every connection finished

        std::size_t left = 0;
        {
            std::lock_guard lock(mutex_);
            left = connections_.size();
        }
        log(std::to_string(left) + " connection(s) still busy after " +
            (second_signal_ ? std::string("a second signal") : std::to_string(options_.drain_timeout.count()) + " s") +
            ": stopping them");
        ioc_.stop();
        // A handler stuck in a call that never returns would keep its thread, and the process, alive: bound that.
        std::thread([grace = options_.drain_timeout] {
            std::this_thread::sleep_for(grace);
            std::fputs("receiver: handlers still running after the drain: exiting anyway\n", stderr);
            std::_Exit(1);
        }).detach();
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    void log(std::string_view line) const {
        if (app_.log) app_.log(line);
    }

    // A completion handler for a spawned coroutine: an exception escaping it is a bug; say so instead of dying.
    std::function<void(std::exception_ptr)> report(const char* what) {
        return [this, what](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                log(std::string(what) + " failed: " + x.what());
            } catch (...) {
                log(std::string(what) + " failed");
            }
        };
    }

    const server_options& options_;
    const application& app_;

    // Declared before the io_context: coroutines it destroys on a forced stop still unregister themselves.
    std::mutex mutex_;
    std::unordered_map<connection*, std::weak_ptr<connection>> connections_;
    std::atomic<bool> draining_{false};

    net::io_context ioc_;
    // The acceptor, the signals and the drain timers live on one strand, so closing the acceptor on a signal never
    // races with an accept.
    net::strand<net::io_context::executor_type> control_{net::make_strand(ioc_)};
    tcp::acceptor acceptor_{control_};
    net::signal_set signals_{control_, SIGINT, SIGTERM};
    net::steady_timer drain_timer_{control_};
    bool second_signal_ = false;
};

} // namespace

int serve(const server_options& options, const application& app) {
    server s{options, app};
    return s.run();
}

} // namespace receiver
