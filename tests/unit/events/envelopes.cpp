// SPDX-License-Identifier: BSL-1.0
#include <webhooks/events/envelopes.hpp>

#include <webhooks/events/event.hpp>
#include <webhooks/events/json_codec.hpp>

#include <boost/describe/class.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace webhooks::events;

namespace envelopes_test {

const json_codec codec;

boost::json::value doc_of(std::string_view body) {
    auto doc = codec.parse(body);
    REQUIRE(doc.has_value());
    return doc->copy();
}

// Stripe: payment_intent.succeeded, trimmed but shaped as sent (API version 2024-06-20).
constexpr const char* stripe_succeeded = R"({
  "id": "evt_3PbN2sLkdIwHu7ix0ZzG5QfM",
  "object": "event",
  "account": "acct_1PbMzELkdIwHu7ix",
  "api_version": "2024-06-20",
  "created": 1720519391,
  "data": {
    "object": {
      "id": "pi_3PbN2sLkdIwHu7ix0hWq3Jv4",
      "object": "payment_intent",
      "amount": 4200,
      "amount_capturable": 0,
      "amount_received": 4200,
      "capture_method": "automatic_async",
      "client_secret": "pi_3PbN2sLkdIwHu7ix0hWq3Jv4_secret_x",
      "created": 1720519390,
      "currency": "eur",
      "customer": null,
      "latest_charge": "ch_3PbN2sLkdIwHu7ix0Fz1Q2aB",
      "livemode": false,
      "metadata": {"order": "A-1001"},
      "payment_method_types": ["card"],
      "status": "succeeded"
    }
  },
  "livemode": false,
  "pending_webhooks": 1,
  "request": {"id": "req_Vb0hYQ4m9m8x1C", "idempotency_key": "e7d1b1a4-3a0e-4a8e-9c6f-2b9a0f1d7c55"},
  "type": "payment_intent.succeeded"
})";

// Stripe: customer.updated from an endpoint pinned to an old API version (request as a bare id).
constexpr const char* stripe_updated_old = R"({
  "id": "evt_1AbCdE2eZvKYlo2C",
  "object": "event",
  "api_version": "2017-02-14",
  "created": 1490000000,
  "data": {
    "object": {"id": "cus_AbC", "object": "customer", "email": "new@example.com"},
    "previous_attributes": {"email": "old@example.com"}
  },
  "livemode": true,
  "pending_webhooks": 1,
  "request": "req_OldStyle123",
  "type": "customer.updated"
})";

// The application's own payload, decoded at /data/object.
struct payment_intent_succeeded {
    static constexpr std::string_view event_name = "payment_intent.succeeded";
    static constexpr std::string_view payload_pointer = "/data/object";
    std::string id;
    std::int64_t amount = 0;
    std::string currency;
    std::optional<std::string> customer;
};
BOOST_DESCRIBE_STRUCT(payment_intent_succeeded, (), (id, amount, currency, customer))

// GitHub: issues.opened (X-GitHub-Event: issues), trimmed but shaped as sent by a GitHub App.
constexpr const char* github_issues_opened = R"({
  "action": "opened",
  "issue": {
    "url": "https://api.github.com/repos/octo-org/hello-world/issues/1347",
    "html_url": "https://github.com/octo-org/hello-world/issues/1347",
    "id": 1234567890,
    "node_id": "I_kwDOABCD5M5J2Xyz",
    "number": 1347,
    "title": "Found a bug",
    "user": {"login": "octocat", "id": 1, "node_id": "MDQ6VXNlcjE=", "type": "User", "site_admin": false},
    "labels": [{"id": 208045946, "name": "bug", "color": "f29513", "default": true}],
    "state": "open",
    "locked": false,
    "assignee": null,
    "comments": 0,
    "created_at": "2024-07-09T10:15:42Z",
    "body": null
  },
  "repository": {
    "id": 1296269,
    "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
    "name": "hello-world",
    "full_name": "octo-org/hello-world",
    "private": true,
    "owner": {"login": "octo-org", "id": 6811672, "type": "Organization"},
    "html_url": "https://github.com/octo-org/hello-world",
    "fork": false,
    "created_at": "2011-01-26T19:01:12Z",
    "default_branch": "main",
    "topics": []
  },
  "organization": {"login": "octo-org", "id": 6811672, "node_id": "MDEyOk9yZ2FuaXphdGlvbjY4MTE2NzI=",
                   "url": "https://api.github.com/orgs/octo-org"},
  "sender": {"login": "octocat", "id": 1, "node_id": "MDQ6VXNlcjE=", "type": "User", "site_admin": false},
  "installation": {"id": 52338311, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNTIzMzgzMTE="}
})";

// GitHub: push (no action), from a personal repository; `created_at` is a number in push payloads.
constexpr const char* github_push = R"({
  "ref": "refs/heads/main",
  "before": "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
  "after": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
  "created": false,
  "deleted": false,
  "forced": false,
  "compare": "https://github.com/octocat/Hello-World/compare/6113728f27ae...0d1a26e67d8f",
  "commits": [
    {"id": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", "message": "Fix the README", "timestamp":
     "2024-07-09T12:00:01+02:00", "author": {"name": "Mona", "email": "mona@example.com", "username": "octocat"},
     "added": [], "removed": [], "modified": ["README.md"]}
  ],
  "head_commit": {"id": "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", "message": "Fix the README"},
  "repository": {
    "id": 1296269,
    "name": "Hello-World",
    "full_name": "octocat/Hello-World",
    "private": false,
    "owner": {"name": "octocat", "email": "octocat@github.com", "login": "octocat", "id": 1, "type": "User"},
    "html_url": "https://github.com/octocat/Hello-World",
    "created_at": 1296068472,
    "pushed_at": 1720519201,
    "default_branch": "main",
    "master_branch": "main"
  },
  "pusher": {"name": "octocat", "email": "octocat@github.com"},
  "sender": {"login": "octocat", "id": 1, "type": "User"}
})";

struct issue_fields {
    std::int64_t number = 0;
    std::string title;
    std::string state;
    std::optional<std::string> body;
    github_user user;
};
BOOST_DESCRIBE_STRUCT(issue_fields, (), (number, title, state, body, user))

// An application's GitHub event type built on the shared fields.
struct issues_opened : github_common {
    static constexpr std::string_view event_name = "issues.opened";
    issue_fields issue;
};
BOOST_DESCRIBE_STRUCT(issues_opened, (github_common), (issue))

struct push_event : github_common {
    static constexpr std::string_view event_name = "push";
    std::string ref;
    std::string after;
    std::vector<boost::json::object> commits;
};
BOOST_DESCRIBE_STRUCT(push_event, (github_common), (ref, after, commits))

} // namespace envelopes_test

using namespace envelopes_test;

static_assert(CodecFor<json_codec, stripe_event>);
static_assert(CodecFor<json_codec, standard_event>);
static_assert(CodecFor<json_codec, github_common>);
static_assert(CodecFor<json_codec, issues_opened>);
static_assert(!Event<stripe_event>);  // an envelope, not an event type
static_assert(Event<issues_opened> && Event<push_event> && Event<payment_intent_succeeded>);

TEST_CASE("A Stripe event envelope decodes at the root and ignores unknown fields", "[events][envelopes]") {
    const auto doc = doc_of(stripe_succeeded);
    const auto event = codec.decode<stripe_event>(doc, "");
    REQUIRE(event.has_value());
    CHECK(event->id == "evt_3PbN2sLkdIwHu7ix0ZzG5QfM");
    CHECK(event->type == "payment_intent.succeeded");
    CHECK(event->created == 1720519391);
    CHECK_FALSE(event->livemode);
    CHECK(event->api_version == "2024-06-20");
    CHECK(event->account == "acct_1PbMzELkdIwHu7ix");
    CHECK(event->data.object.at("id") == "pi_3PbN2sLkdIwHu7ix0hWq3Jv4");
    CHECK(event->data.object.at("amount") == 4200);
    CHECK(event->data.object.size() == 15);  // copied whole, unknown fields included
    CHECK_FALSE(event->data.previous_attributes.has_value());
    REQUIRE(event->request.has_value());
    CHECK(event->request->id == "req_Vb0hYQ4m9m8x1C");
    CHECK(event->request->idempotency_key == "e7d1b1a4-3a0e-4a8e-9c6f-2b9a0f1d7c55");

    // The application's struct, from the same document.
    const auto pi = codec.decode<payment_intent_succeeded>(doc, payment_intent_succeeded::payload_pointer);
    REQUIRE(pi.has_value());
    CHECK(pi->id == "pi_3PbN2sLkdIwHu7ix0hWq3Jv4");
    CHECK(pi->amount == 4200);
    CHECK(pi->currency == "eur");
    CHECK_FALSE(pi->customer.has_value());
}

TEST_CASE("A Stripe update carries previous attributes and an old-style request id", "[events][envelopes]") {
    const auto event = codec.decode<stripe_event>(doc_of(stripe_updated_old), "");
    REQUIRE(event.has_value());
    CHECK(event->type == "customer.updated");
    CHECK(event->livemode);
    CHECK_FALSE(event->account.has_value());
    REQUIRE(event->data.previous_attributes.has_value());
    CHECK(event->data.previous_attributes->at("email") == "old@example.com");
    CHECK(event->data.object.at("email") == "new@example.com");
    REQUIRE(event->request.has_value());
    CHECK(event->request->id == "req_OldStyle123");
    CHECK_FALSE(event->request->idempotency_key.has_value());
}

TEST_CASE("A Stripe request may be null, absent or hold nulls", "[events][envelopes]") {
    const std::string head = R"({"id":"evt_1","type":"invoice.paid","created":1,"livemode":false,"data":{"object":{}})";
    const auto with = [&](std::string_view request) {
        return codec.decode<stripe_event>(doc_of(head + std::string(request) + "}"), "");
    };
    const auto absent = with("");
    REQUIRE(absent.has_value());
    CHECK_FALSE(absent->request.has_value());
    CHECK_FALSE(absent->api_version.has_value());

    const auto null = with(R"(,"request":null)");
    REQUIRE(null.has_value());
    CHECK_FALSE(null->request.has_value());

    const auto automatic = with(R"(,"request":{"id":null,"idempotency_key":null})");
    REQUIRE(automatic.has_value());
    REQUIRE(automatic->request.has_value());
    CHECK_FALSE(automatic->request->id.has_value());
    CHECK_FALSE(automatic->request->idempotency_key.has_value());

    const auto bad = with(R"(,"request":42)");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().path == "/request");
    const auto bad_key = with(R"(,"request":{"id":"req_1","idempotency_key":7})");
    REQUIRE_FALSE(bad_key.has_value());
    CHECK(bad_key.error().path == "/request");

    // The same conversion serves Boost.JSON's own value_to.
    CHECK(boost::json::value_to<stripe_request>(boost::json::value("req_9")).id == "req_9");
}

TEST_CASE("A Stripe envelope without its required fields is refused with the field's path", "[events][envelopes]") {
    const auto no_object = codec.decode<stripe_event>(
        doc_of(R"({"id":"evt_1","type":"x","created":1,"livemode":false,"data":{"previous_attributes":{}}})"), "");
    REQUIRE_FALSE(no_object.has_value());
    CHECK(no_object.error().path == "/data/object");
    CHECK(no_object.error().message == "missing required field");

    const auto string_created = codec.decode<stripe_event>(
        doc_of(R"({"id":"evt_1","type":"x","created":"1","livemode":false,"data":{"object":{}}})"), "");
    REQUIRE_FALSE(string_created.has_value());
    CHECK(string_created.error().path == "/created");
    CHECK(string_created.error().message == "expected an integer");
}

TEST_CASE("A Standard Webhooks payload decodes with its data kept as an object", "[events][envelopes]") {
    const auto doc = doc_of(R"({
        "type": "invoice.paid",
        "timestamp": "2022-11-03T20:26:10.344522Z",
        "data": {"id": "inv_1", "amount": 1999, "customer": {"id": "cus_7"}},
        "version": 2
    })");
    const auto event = codec.decode<standard_event>(doc, "");
    REQUIRE(event.has_value());
    CHECK(event->type == "invoice.paid");
    CHECK(event->timestamp == "2022-11-03T20:26:10.344522Z");
    CHECK(event->data.at("amount") == 1999);
    CHECK(boost::json::serialize(event->data.at("customer")) == R"({"id":"cus_7"})");

    const auto missing = codec.decode<standard_event>(doc_of(R"({"type":"x","data":{}})"), "");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().path == "/timestamp");
    CHECK(missing.error().message == "missing required field");

    const auto not_object = codec.decode<standard_event>(doc_of(R"({"type":"x","timestamp":"t","data":[1]})"), "");
    REQUIRE_FALSE(not_object.has_value());
    CHECK(not_object.error().path == "/data");
    CHECK(not_object.error().message == "expected an object");
}

TEST_CASE("GitHub's common fields decode from an issues.opened payload", "[events][envelopes]") {
    const auto doc = doc_of(github_issues_opened);
    const auto common = codec.decode<github_common>(doc, "");
    REQUIRE(common.has_value());
    CHECK(common->action == "opened");
    REQUIRE(common->sender.has_value());
    CHECK(common->sender->login == "octocat");
    CHECK(common->sender->id == 1);
    CHECK(common->sender->type == "User");
    REQUIRE(common->repository.has_value());
    CHECK(common->repository->id == 1296269);
    CHECK(common->repository->name == "hello-world");
    CHECK(common->repository->full_name == "octo-org/hello-world");
    CHECK(common->repository->private_);
    CHECK(common->repository->html_url == "https://github.com/octo-org/hello-world");
    CHECK(common->repository->default_branch == "main");
    REQUIRE(common->installation.has_value());
    CHECK(common->installation->id == 52338311);
    REQUIRE(common->organization.has_value());
    CHECK(common->organization->login == "octo-org");
    CHECK(common->organization->id == 6811672);

    // An application's event type derives from the common fields.
    const auto opened = codec.decode<issues_opened>(doc, "");
    REQUIRE(opened.has_value());
    CHECK(opened->action == "opened");
    CHECK(opened->repository->full_name == "octo-org/hello-world");
    CHECK(opened->issue.number == 1347);
    CHECK(opened->issue.title == "Found a bug");
    CHECK(opened->issue.state == "open");
    CHECK_FALSE(opened->issue.body.has_value());
    CHECK(opened->issue.user.login == "octocat");
}

TEST_CASE("GitHub's common fields decode from a push payload without an action", "[events][envelopes]") {
    const auto doc = doc_of(github_push);
    const auto push = codec.decode<push_event>(doc, "");
    REQUIRE(push.has_value());
    CHECK_FALSE(push->action.has_value());
    CHECK_FALSE(push->installation.has_value());
    CHECK_FALSE(push->organization.has_value());
    CHECK(push->ref == "refs/heads/main");
    CHECK(push->after == "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
    REQUIRE(push->commits.size() == 1);
    CHECK(push->commits[0].at("message") == "Fix the README");
    REQUIRE(push->repository.has_value());
    CHECK_FALSE(push->repository->private_);
    CHECK(push->repository->full_name == "octocat/Hello-World");
    REQUIRE(push->sender.has_value());
    CHECK(push->sender->login == "octocat");
}

TEST_CASE("GitHub's common fields report a malformed member at its path", "[events][envelopes]") {
    const auto bad_private = codec.decode<github_common>(
        doc_of(R"({"repository":{"id":1,"name":"r","full_name":"o/r","private":"no","html_url":"u"}})"), "");
    REQUIRE_FALSE(bad_private.has_value());
    CHECK(bad_private.error().path == "/repository/private");
    CHECK(bad_private.error().message == "expected a boolean");

    const auto no_login = codec.decode<github_common>(doc_of(R"({"action":"created","sender":{"id":1,"type":"Bot"}})"),
                                                      "");
    REQUIRE_FALSE(no_login.has_value());
    CHECK(no_login.error().path == "/sender/login");
    CHECK(no_login.error().message == "missing required field");

    const auto empty = codec.decode<github_common>(doc_of("{}"), "");
    REQUIRE(empty.has_value());
    CHECK_FALSE(empty->sender.has_value());
    CHECK_FALSE(empty->repository.has_value());
}
