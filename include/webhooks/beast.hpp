// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_BEAST_HPP
#define WEBHOOKS_BEAST_HPP

/// @file
/// Boost.Beast adapter: a Beast request, seen as a `webhooks::Request` without copying its body.
///
/// Beast's request parser limits bodies to 1 MB by default, and GitHub sends up to 25 MB: set
/// `parser.body_limit(verifier.limits().max_body)` on the `http::request_parser` that reads deliveries.

#include <webhooks/request.hpp>
#include <webhooks/response.hpp>

#include <webhooks/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <string>

#include <iterator>
#include <string_view>
#include <type_traits>

namespace webhooks::beast {

/// A body type whose value holds its bytes contiguously (`string_body`, `vector_body<char>`, `span_body<char>`…).
template <class Body>
concept ContiguousBody = requires(const typename Body::value_type& v) {
    { std::data(v) };
    { std::size(v) } -> std::convertible_to<std::size_t>;
} && sizeof(*std::data(std::declval<const typename Body::value_type&>())) == 1;

/// Views a `boost::beast::http::request<Body, Fields>` as a `webhooks::Request`. Holds a reference: the request
/// must outlive the view (and any delivery verified from it).
///
/// @par Example
/// @code
/// http::request<http::string_body> req;
/// http::read(stream, buffer, req);
/// auto delivery = verifier.parse(webhooks::beast::request_view{req});
/// @endcode
template <class Body, class Fields>
    requires ContiguousBody<Body>
class request_view {
public:
    using message_type = boost::beast::http::request<Body, Fields>;

    explicit request_view(const message_type& request) noexcept : request_(request) {}

    std::string_view method() const noexcept {
        auto m = request_.method_string();
        return {m.data(), m.size()};
    }
    std::string_view target() const noexcept {
        auto t = request_.target();
        return {t.data(), t.size()};
    }
    std::string_view body() const noexcept {
        const auto& b = request_.body();
        return {reinterpret_cast<const char*>(std::data(b)), static_cast<std::size_t>(std::size(b))};
    }
    /// Case-insensitive (Beast's own field lookup); a header repeated with different values is `conflicting`.
    header_lookup header(std::string_view name) const {
        detail::header_accumulator acc;
        auto [first, last] = request_.base().equal_range({name.data(), name.size()});
        for (auto it = first; it != last; ++it) {
            auto v = it->value();
            acc.add({v.data(), v.size()});
        }
        return acc.result;
    }

private:
    const message_type& request_;
};

template <class Body, class Fields>
request_view(const boost::beast::http::request<Body, Fields>&) -> request_view<Body, Fields>;

/// @return `r` as a Beast response for a request of HTTP `version` (11 for 1.1), keeping the connection alive or
///         not as the request asked.
inline boost::beast::http::response<boost::beast::http::string_body> to_response(webhooks::response&& r,
                                                                                 unsigned version, bool keep_alive) {
    boost::beast::http::response<boost::beast::http::string_body> out{
        static_cast<boost::beast::http::status>(r.status), version};
    for (const auto& [name, value] : r.headers) out.insert(name, value);
    out.body() = std::move(r.body);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    return out;
}

/// @return the same, from a copy of `r`.
inline boost::beast::http::response<boost::beast::http::string_body> to_response(const webhooks::response& r,
                                                                                 unsigned version, bool keep_alive) {
    return to_response(webhooks::response(r), version, keep_alive);
}

/// The answer to a request Beast could not read whole, before any endpoint saw it: 413 for
/// `http::error::body_limit` (the body is over `parser.body_limit`, which should be the endpoint's
/// `limits().max_body`), 431 for `http::error::header_limit`, 400 for any other parse error. Nothing when there is
/// nobody to answer (the peer closed, the read was cancelled or timed out).
///
/// After sending it, close lingeringly: shut the socket down for sending, then read and drop (bounded in bytes and
/// time) what the client still sends. Closing with unread bytes makes the kernel reset the connection, and the
/// client may lose the answer.
///
/// @par Example
/// @code
/// http::read(stream, buffer, parser, ec);
/// if (ec) {
///     if (auto r = webhooks::beast::read_error_response(ec)) http::write(stream, to_response(*r, 11, false), ec);
///     return linger_and_close(stream);
/// }
/// @endcode
inline std::optional<webhooks::response> read_error_response(const boost::system::error_code& ec) {
    namespace http = boost::beast::http;
    if (!ec || ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == boost::asio::error::eof || ec == boost::asio::error::operation_aborted ||
        ec == boost::asio::error::connection_reset || ec == boost::beast::error::timeout)
        return std::nullopt;
    auto plain = [](unsigned status, std::string text) {
        return webhooks::response{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(text) + "\n"};
    };
    if (ec == http::error::body_limit) return plain(413, reject(error::body_too_large).message());
    if (ec == http::error::header_limit) return plain(431, "request header fields too large");
    return plain(400, "malformed request: " + ec.message());
}

/// Handles a Beast request with an endpoint (anything with `handle(const Request&) -> webhooks::response`).
///
/// Thread model: `handle` runs the handlers on the calling thread and is safe to call from many threads, so an
/// async server calls it from whichever I/O thread read the request, or posts it to a worker pool when handlers
/// are slow; a slow handler holds only its own connection.
///
/// @par Example
/// @code
/// http::request_parser<http::string_body> parser;
/// parser.body_limit(endpoint.limits().max_body);    // Beast's default is 1 MB; GitHub sends up to 25 MB
/// co_await http::async_read(stream, buffer, parser);
/// auto res = webhooks::beast::handle(endpoint, parser.get());
/// co_await http::async_write(stream, res);
/// @endcode
template <class Endpoint, class Body, class Fields>
boost::beast::http::response<boost::beast::http::string_body> handle(
    const Endpoint& endpoint, const boost::beast::http::request<Body, Fields>& request) {
    return to_response(endpoint.handle(request_view{request}), request.version(), request.keep_alive());
}

} // namespace webhooks::beast

#endif
