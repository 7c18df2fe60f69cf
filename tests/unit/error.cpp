// SPDX-License-Identifier: BSL-1.0
#include <webhooks/error.hpp>

#include "support.hpp"

#include <set>
#include <string>
#include <system_error>
#include <vector>

using webhooks::condition;
using webhooks::error;

namespace {

constexpr const char* unknown_message = "unknown webhooks error";

// Every value of `webhooks::error`, found by walking the values until the category no longer knows one, so values
// added later are covered without editing this list.
std::vector<error> all_errors() {
    std::vector<error> out;
    for (int v = 1; webhooks::error_category().message(v) != unknown_message; ++v)
        out.push_back(static_cast<error>(v));
    return out;
}

// The reasons a request is refused because it could not be proven authentic and fresh.
const std::vector<error> authentication_errors{
    error::missing_header,        error::empty_header,        error::malformed_signature_header,
    error::unsupported_signature, error::malformed_signature, error::signature_length_mismatch,
    error::no_matching_signature, error::timestamp_too_old,   error::timestamp_too_new};

} // namespace

TEST_CASE("The error category is named webhooks", "[error]") {
    CHECK(std::string(webhooks::error_category().name()) == "webhooks");
    CHECK(std::string(webhooks::condition_category().name()) == "webhooks.condition");
    boost::system::error_code ec = error::timestamp_too_old;
    CHECK(std::string(ec.category().name()) == "webhooks");
    CHECK(ec.category() == webhooks::error_category());
}

TEST_CASE("Every error value has a non-empty message of its own", "[error]") {
    auto errors = all_errors();
    REQUIRE(errors.size() >= 19); // method_not_allowed … invalid_key, at least
    CHECK(errors.front() == error::method_not_allowed);
    std::set<std::string> seen;
    for (error e : errors) {
        std::string message = webhooks::make_error_code(e).message();
        INFO("error value " << static_cast<int>(e));
        CHECK_FALSE(message.empty());
        CHECK(seen.insert(message).second);
    }
    // Values the enum does not have say so instead of reading out of bounds.
    CHECK(webhooks::error_category().message(0) == unknown_message);
    CHECK(webhooks::error_category().message(10'000) == unknown_message);
}

TEST_CASE("A std::error_code made from a webhooks error keeps its category, message and identity", "[error]") {
    std::error_code ec = error::no_matching_signature;
    boost::system::error_code boost_ec = error::no_matching_signature;

    CHECK(ec.value() == static_cast<int>(error::no_matching_signature));
    CHECK(std::string(ec.category().name()) == "webhooks");
    CHECK(ec.message() == boost_ec.message());
    CHECK(ec == static_cast<std::error_code>(boost_ec));
    CHECK(boost_ec == ec);
    CHECK(ec != std::error_code(error::timestamp_too_old));
    CHECK(ec != std::make_error_code(std::errc::permission_denied));
}

TEST_CASE("Signature and timestamp errors are authentication failures", "[error]") {
    for (error e : authentication_errors) {
        INFO(webhooks::make_error_code(e).message());
        boost::system::error_code boost_ec = e;
        std::error_code std_ec = e;
        CHECK(boost_ec == condition::authentication_failed);
        CHECK_FALSE(boost_ec == condition::bad_request);
        CHECK(std_ec == condition::authentication_failed);
        CHECK_FALSE(std_ec == condition::bad_request);
        CHECK(webhooks::http_status(e) == 401);
    }
}

TEST_CASE("Errors answered with a 4xx other than 401 and 409 are bad requests", "[error]") {
    for (error e : {error::method_not_allowed, error::body_too_large, error::unsupported_media_type,
                    error::malformed_payload, error::conflicting_header, error::malformed_timestamp}) {
        INFO(webhooks::make_error_code(e).message());
        boost::system::error_code boost_ec = e;
        std::error_code std_ec = e;
        CHECK(boost_ec == condition::bad_request);
        CHECK(std_ec == condition::bad_request);
        CHECK_FALSE(boost_ec == condition::authentication_failed);
    }
    CHECK(webhooks::http_status(error::malformed_payload) == 400);
    CHECK(webhooks::http_status(error::conflicting_header) == 400);
    CHECK(webhooks::http_status(error::malformed_timestamp) == 400);
}

TEST_CASE("Each error's HTTP status agrees with its condition, and none is 410", "[error]") {
    for (error e : all_errors()) {
        INFO(webhooks::make_error_code(e).message());
        unsigned status = webhooks::http_status(e);
        boost::system::error_code ec = e;
        // 410 Gone makes a Standard Webhooks sender disable the whole endpoint.
        CHECK(status != 410);
        CHECK(status >= 400);
        CHECK(status < 600);
        if (status == 401)
            CHECK(ec == condition::authentication_failed);
        else if (status == 500)
            CHECK(ec == condition::configuration);
        else if (status == 409 || status == 503)
            CHECK_FALSE(ec == condition::bad_request); // not the request's fault: the sender retries
        else
            CHECK(ec == condition::bad_request);
    }
}

TEST_CASE("The request's shape maps to 405, 413 and 415, and configuration errors to 500", "[error]") {
    STATIC_REQUIRE(webhooks::http_status(error::method_not_allowed) == 405);
    STATIC_REQUIRE(webhooks::http_status(error::body_too_large) == 413);
    STATIC_REQUIRE(webhooks::http_status(error::unsupported_media_type) == 415);
    for (error e : {error::invalid_secret, error::unknown_key_id, error::duplicate_key_id, error::invalid_key}) {
        boost::system::error_code ec = e;
        CHECK(webhooks::http_status(e) == 500);
        CHECK(ec == condition::configuration);
    }
}

TEST_CASE("A rejection's message names the header at fault", "[error]") {
    auto with_header = webhooks::reject(error::no_matching_signature, "Stripe-Signature");
    CHECK(with_header.message() == "no signature matches (Stripe-Signature)");
    CHECK(with_header.status() == 401);
    CHECK(with_header == error::no_matching_signature);
    CHECK_FALSE(with_header == error::missing_header);

    auto without = webhooks::reject(error::body_too_large);
    CHECK(without.message() == "body too large");
    CHECK(without.status() == 413);
    CHECK(without.header().empty());
}

TEST_CASE("A rejection carrying a foreign error code answers 500", "[error]") {
    webhooks::rejection foreign{std::make_error_code(std::errc::permission_denied), {}};
    CHECK(foreign.status() == 500);
    CHECK_FALSE(foreign == error::method_not_allowed);
}

TEST_CASE("result::value() on a rejection throws a system_error with the code and the header", "[error]") {
    webhooks::result<int> r = webhooks::reject(error::missing_header, "X-Hub-Signature-256");
    try {
        (void)r.value();
        FAIL("value() did not throw");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == error::missing_header);
        CHECK_THAT(e.what(), Catch::Matchers::Contains("X-Hub-Signature-256"));
    }
}

TEST_CASE("throw_error throws a system_error whose code is the error", "[error]") {
    try {
        webhooks::throw_error(error::invalid_secret, "the secret is empty");
        FAIL("throw_error returned");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == error::invalid_secret);
        CHECK(e.code() == condition::configuration);
        CHECK_THAT(e.what(), Catch::Matchers::Contains("the secret is empty"));
    }
}
