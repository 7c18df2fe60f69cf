// SPDX-License-Identifier: BSL-1.0
// The HTTP stack's ceiling: a Beast server that reads each request whole and answers 200 without looking at it.
// Same I/O shape as examples/receiver (coroutines, a 16 KB reserved read buffer, keep-alive), so the difference
// between the two is what the library costs.
//
//   webhooks_bare_server [--listen 127.0.0.1:0] [--threads N]     prints "listening on ADDRESS:PORT"
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

net::awaitable<void> session(tcp::socket socket) {
    boost::beast::tcp_stream stream(std::move(socket));
    boost::beast::flat_buffer buffer;
    buffer.reserve(16 * 1024);
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
        if (ec) co_return;
        http::response<http::string_body> res{http::status::ok, parser.get().version()};
        res.set(http::field::content_type, "text/plain");
        res.body() = "ok";
        res.keep_alive(parser.get().keep_alive());
        res.prepare_payload();
        auto [wec, w] = co_await http::async_write(stream, res, net::as_tuple(net::use_awaitable));
        if (wec || !res.keep_alive()) co_return;
    }
}

net::awaitable<void> listen(tcp::acceptor acceptor) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
        if (ec) co_return;
        net::co_spawn(acceptor.get_executor(), session(std::move(socket)), net::detached);
    }
}

} // namespace

int main(int argc, char** argv) {
    std::string listen_on = "127.0.0.1:0";
    int threads = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view flag = argv[i];
        if (flag == "--listen") listen_on = argv[i + 1];
        else if (flag == "--threads") threads = std::max(1, std::atoi(argv[i + 1]));
        else {
            std::fprintf(stderr, "usage: webhooks_bare_server [--listen HOST:PORT] [--threads N]\n");
            return 2;
        }
    }
    auto colon = listen_on.rfind(':');
    net::io_context io(threads);
    tcp::endpoint at{net::ip::make_address(listen_on.substr(0, colon)),
                     static_cast<unsigned short>(std::atoi(listen_on.c_str() + colon + 1))};
    tcp::acceptor acceptor(io, at);
    std::printf("listening on %s:%u\n", at.address().to_string().c_str(), acceptor.local_endpoint().port());
    std::fflush(stdout);
    net::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](auto, int) { io.stop(); });
    net::co_spawn(io, listen(std::move(acceptor)), net::detached);
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back([&] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
    return 0;
}
