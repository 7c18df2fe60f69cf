// SPDX-License-Identifier: BSL-1.0
#include <webhooks/request.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <map>
#include <string>
#include <string_view>

using webhooks::basic_request;
using webhooks::header_field;
using webhooks::header_presence;

namespace {

// A stack that keeps headers in a map (one value per name) can model Request with a few lines.
struct map_request {
    std::map<std::string, std::string> headers;
    std::string body_bytes;
    std::string_view method() const { return "POST"; }
    std::string_view target() const { return "/"; }
    std::string_view body() const { return body_bytes; }
    webhooks::header_lookup header(std::string_view name) const {
        for (const auto& [k, v] : headers)
            if (webhooks::detail::iequals(k, name))
                return {header_presence::present, v};
        return {};
    }
};

struct no_body {
    std::string_view method() const;
    std::string_view target() const;
    webhooks::header_lookup header(std::string_view) const;
};

struct header_returns_string {
    std::string_view method() const;
    std::string_view target() const;
    std::string header(std::string_view) const; // must be a header_lookup, to report repeats
    std::string_view body() const;
};

} // namespace

TEST_CASE("The Request concept accepts basic_request and user types, and rejects incomplete ones", "[request]") {
    STATIC_REQUIRE(webhooks::Request<basic_request>);
    STATIC_REQUIRE(webhooks::Request<map_request>);
    STATIC_REQUIRE_FALSE(webhooks::Request<no_body>);
    STATIC_REQUIRE_FALSE(webhooks::Request<header_returns_string>);
    STATIC_REQUIRE_FALSE(webhooks::Request<int>);
}

TEST_CASE("basic_request views the method, target, headers and body without copying", "[request]") {
    std::string body = R"({"id":1})";
    std::array<header_field, 2> headers{{{"Content-Type", "application/json"}, {"X-Id", "7"}}};
    basic_request r{"POST", "/hooks/github?x=1", headers, body};

    CHECK(r.method() == "POST");
    CHECK(r.target() == "/hooks/github?x=1");
    CHECK(r.body() == body);
    CHECK(r.body().data() == body.data());
    CHECK(r.headers().size() == 2);
    CHECK(r.headers().data() == headers.data());
}

TEST_CASE("Header lookup ignores the case of the name", "[request]") {
    std::array<header_field, 1> headers{{{"X-Hub-Signature-256", "sha256=ab"}}};
    basic_request r{"POST", "/", headers, ""};
    for (std::string_view name :
         {"X-Hub-Signature-256", "x-hub-signature-256", "X-HUB-SIGNATURE-256", "x-Hub-sIgnature-256"}) {
        INFO(name);
        auto h = r.header(name);
        CHECK(h.presence == header_presence::present);
        CHECK(h.value == "sha256=ab");
        CHECK(static_cast<bool>(h));
    }
    // Same letters, different length or characters: not the same header.
    CHECK(r.header("X-Hub-Signature").presence == header_presence::absent);
    CHECK(r.header("X-Hub-Signature-2567").presence == header_presence::absent);
    CHECK(r.header("X_Hub_Signature_256").presence == header_presence::absent);
}

TEST_CASE("Header values are trimmed of surrounding spaces and tabs only", "[request]") {
    std::array<header_field, 3> headers{{{"A", " \t value with inner  spaces \t "}, {"B", "\tx"}, {"C", "\r\nx"}}};
    basic_request r{"POST", "/", headers, ""};
    CHECK(r.header("A").value == "value with inner  spaces");
    CHECK(r.header("B").value == "x");
    CHECK(r.header("C").value == "\r\nx"); // not a space or tab: left for the scheme to refuse
}

TEST_CASE("An absent header is reported as absent, with no value", "[request]") {
    std::array<header_field, 1> headers{{{"Content-Type", "application/json"}}};
    basic_request r{"POST", "/", headers, ""};
    auto h = r.header("Stripe-Signature");
    CHECK(h.presence == header_presence::absent);
    CHECK(h.value.empty());
    CHECK_FALSE(static_cast<bool>(h));

    basic_request none{"POST", "/", {}, ""};
    CHECK(none.header("Content-Type").presence == header_presence::absent);
}

TEST_CASE("A header present with an empty value is present and empty", "[request]") {
    std::array<header_field, 1> headers{{{"X-Signature", "   "}}};
    basic_request r{"POST", "/", headers, ""};
    auto h = r.header("x-signature");
    CHECK(h.presence == header_presence::present);
    CHECK(h.value.empty());
}

TEST_CASE("A header repeated with identical values is present", "[request]") {
    std::array<header_field, 3> headers{{{"X-Sig", "abc"}, {"Other", "1"}, {"x-sig", " abc\t"}}};
    basic_request r{"POST", "/", headers, ""};
    auto h = r.header("X-Sig");
    CHECK(h.presence == header_presence::present);
    CHECK(h.value == "abc");
}

TEST_CASE("A header repeated with different values is conflicting and has no value", "[request]") {
    std::array<header_field, 2> two{{{"X-Sig", "abc"}, {"X-SIG", "abd"}}};
    auto h = basic_request{"POST", "/", two, ""}.header("x-sig");
    CHECK(h.presence == header_presence::conflicting);
    CHECK(h.value.empty());
    CHECK_FALSE(static_cast<bool>(h));

    // A third value equal to the first does not make it unambiguous again.
    std::array<header_field, 3> three{{{"X-Sig", "abc"}, {"X-Sig", "abd"}, {"X-Sig", "abc"}}};
    CHECK(basic_request{"POST", "/", three, ""}.header("X-Sig").presence == header_presence::conflicting);
}

TEST_CASE("basic_request works in constant expressions", "[request]") {
    static constexpr std::array<header_field, 2> headers{{{"Content-Type", " text/plain "}, {"A", "1"}}};
    constexpr basic_request r{"POST", "/", headers, "body"};
    STATIC_REQUIRE(r.header("content-type").value == "text/plain");
    STATIC_REQUIRE(r.header("B").presence == header_presence::absent);
    STATIC_REQUIRE(r.body().size() == 4);
}
