// SPDX-License-Identifier: BSL-1.0
// The Boost.Beast adapter. The only test file that includes Beast (it is slow to compile).
#include <webhooks/beast.hpp>

#include <webhooks/parser.hpp>
#include <webhooks/providers/github.hpp>
#include <webhooks/providers/stripe.hpp>

#include "support.hpp"

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/dynamic_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/vector_body.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace http = boost::beast::http;
using namespace webhooks;

namespace {

constexpr std::string_view payload = "Hello, World!";
constexpr std::string_view github_signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

template <class Body>
http::request<Body> github_request(typename Body::value_type body) {
    http::request<Body> req{http::verb::post, "/hooks/github?x=1", 11};
    req.set(http::field::content_type, "application/json; charset=utf-8");
    req.set("X-GitHub-Delivery", "d-1");
    req.set("X-GitHub-Event", "push");
    req.set("X-Hub-Signature-256", github_signature);
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
}

} // namespace

TEST_CASE("Beast bodies with contiguous bytes can be viewed, others cannot", "[beast]") {
    STATIC_REQUIRE(beast::ContiguousBody<http::string_body>);
    STATIC_REQUIRE(beast::ContiguousBody<http::vector_body<char>>);
    STATIC_REQUIRE(beast::ContiguousBody<http::vector_body<unsigned char>>);
    STATIC_REQUIRE(beast::ContiguousBody<http::span_body<char>>);
    STATIC_REQUIRE_FALSE(beast::ContiguousBody<http::empty_body>);
    STATIC_REQUIRE_FALSE(beast::ContiguousBody<http::dynamic_body>);
    STATIC_REQUIRE(Request<beast::request_view<http::string_body, http::fields>>);
    STATIC_REQUIRE(Request<beast::request_view<http::vector_body<char>, http::fields>>);
}

TEST_CASE("A Beast string_body request is viewed without copying", "[beast]") {
    auto req = github_request<http::string_body>(std::string(payload));
    beast::request_view view{req};
    CHECK(view.method() == "POST");
    CHECK(view.target() == "/hooks/github?x=1");
    CHECK(view.body() == payload);
    CHECK(view.body().data() == req.body().data());
    CHECK(view.header("x-hub-signature-256").value == github_signature);
    CHECK(view.header("CONTENT-TYPE").value == "application/json; charset=utf-8");
    CHECK(view.header("X-Missing").presence == header_presence::absent);
}

TEST_CASE("A Beast vector_body<char> request is viewed the same way", "[beast]") {
    auto req = github_request<http::vector_body<char>>(std::vector<char>(payload.begin(), payload.end()));
    beast::request_view view{req};
    CHECK(view.method() == "POST");
    CHECK(view.target() == "/hooks/github?x=1");
    CHECK(view.body() == payload);
    CHECK(view.body().data() == req.body().data());
    CHECK(view.header("X-GitHub-Delivery").value == "d-1");
}

TEST_CASE("Beast headers are trimmed, and repeats are present or conflicting as with basic_request", "[beast]") {
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.insert("X-Same", "abc");
    req.insert("x-same", "  abc\t");
    req.insert("X-Differ", "abc");
    req.insert("X-DIFFER", "abd");
    req.insert("X-Spaced", " \t v \t ");
    beast::request_view view{req};
    CHECK(view.header("X-Same").presence == header_presence::present);
    CHECK(view.header("X-Same").value == "abc");
    CHECK(view.header("x-differ").presence == header_presence::conflicting);
    CHECK(view.header("X-Spaced").value == "v");
}

TEST_CASE("A method Beast does not know is reported as received", "[beast]") {
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.method_string("PURGE");
    CHECK(beast::request_view{req}.method() == "PURGE");
}

TEST_CASE("The parser verifies a Beast request", "[beast][parser]") {
    parser<providers::github> github{providers::github{secret{"It's a Secret to Everybody"}}};

    auto string_req = github_request<http::string_body>(std::string(payload));
    auto delivery = github.parse(beast::request_view{string_req});
    REQUIRE(delivery);
    CHECK(delivery->id() == "d-1");
    CHECK(delivery->event_type() == "push");
    CHECK(delivery->body().data() == string_req.body().data());

    auto vector_req = github_request<http::vector_body<char>>(std::vector<char>(payload.begin(), payload.end()));
    CHECK(github.parse(beast::request_view{vector_req}));

    // Forged, unsigned, wrong method, wrong media type: the same answers as for any request.
    string_req.body() = "Hello, World?";
    WEBHOOKS_CHECK_REJECTED(github.parse(beast::request_view{string_req}), error::no_matching_signature, 401,
                            "X-Hub-Signature-256");
    string_req.erase("X-Hub-Signature-256");
    WEBHOOKS_CHECK_REJECTED(github.parse(beast::request_view{string_req}), error::missing_header, 401,
                            "X-Hub-Signature-256");
    vector_req.method(http::verb::get);
    WEBHOOKS_CHECK_REJECTED(github.parse(beast::request_view{vector_req}), error::method_not_allowed, 405, "");
    vector_req.method(http::verb::post);
    vector_req.set(http::field::content_type, "text/plain");
    WEBHOOKS_CHECK_REJECTED(github.parse(beast::request_view{vector_req}), error::unsupported_media_type, 415,
                            "Content-Type");
}

TEST_CASE("A Stripe delivery signed by the scheme verifies through Beast", "[beast][parser]") {
    parser<providers::stripe> stripe{providers::stripe{secret{"whsec_test_secret"}}};
    stripe.scheme().set_clock(webhooks::clock::fixed(1700000000));
    http::request<http::string_body> req{http::verb::post, "/hooks/stripe", 11};
    req.set(http::field::content_type, "application/json");
    req.set("Stripe-Signature", "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990");
    req.body() = R"({"id":"evt_test_webhook","object":"event"})";
    auto delivery = stripe.parse(beast::request_view{req});
    REQUIRE(delivery);
    CHECK(delivery->timestamp() == std::optional<std::int64_t>(1700000000));
}

TEST_CASE("A request Beast could not read gets 413, 431 or 400, and a peer that left gets nothing", "[beast]") {
    namespace http = boost::beast::http;
    auto too_large = webhooks::beast::read_error_response(http::error::body_limit);
    REQUIRE(too_large);
    CHECK(too_large->status == 413);
    CHECK(too_large->body == "body too large\n");
    CHECK(too_large->header("Content-Type") == "text/plain; charset=utf-8");
    auto headers = webhooks::beast::read_error_response(http::error::header_limit);
    REQUIRE(headers);
    CHECK(headers->status == 431);
    auto garbage = webhooks::beast::read_error_response(http::error::bad_method);
    REQUIRE(garbage);
    CHECK(garbage->status == 400);
    CHECK(garbage->body.starts_with("malformed request: "));
    CHECK_FALSE(webhooks::beast::read_error_response(http::error::end_of_stream));
    CHECK_FALSE(webhooks::beast::read_error_response(boost::asio::error::eof));
    CHECK_FALSE(webhooks::beast::read_error_response(boost::beast::error::timeout));
    CHECK_FALSE(webhooks::beast::read_error_response({}));
    // Through a real parser: a body over the limit is reported as body_limit.
    http::request_parser<http::string_body> parser;
    parser.body_limit(4);
    boost::system::error_code ec;
    std::string_view wire = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789";
    parser.put(boost::asio::buffer(wire.data(), wire.size()), ec);
    CHECK(ec == http::error::body_limit);
    CHECK(webhooks::beast::read_error_response(ec)->status == 413);
}
