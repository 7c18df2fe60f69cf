// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_EVENTS_ENVELOPES_HPP
#define WEBHOOKS_EVENTS_ENVELOPES_HPP

/// @file
/// Described structs for the envelopes providers wrap their payloads in: Stripe's event object, the Standard
/// Webhooks payload, and the fields every GitHub event may carry. They decode with `json_codec` (pointer "") or
/// serve as bases of the application's own event types; the payloads inside stay the application's to describe.
/// Every struct reads leniently: fields added by the provider later are ignored.

#include <boost/describe/class.hpp>
#include <boost/json/conversion.hpp>
#include <boost/json/error.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace webhooks::events {

// ---------------------------------------------------------------------------------------------------------------
// Stripe

/// The `data` member of a Stripe event.
struct stripe_event_data {
    /// The API object the event is about (a PaymentIntent, a Customer…), as sent: decode it into the
    /// application's own struct with pointer `/data/object`.
    boost::json::object object;
    /// For `*.updated` events: the changed attributes' previous values.
    std::optional<boost::json::object> previous_attributes;
};
BOOST_DESCRIBE_STRUCT(stripe_event_data, (), (object, previous_attributes))

/// The API request that caused a Stripe event, when there was one.
///
/// Reads the object form (`{"id": "req_…", "idempotency_key": "…"}`, both may be null) and, for endpoints pinned to
/// API versions before 2017-05-25, the bare request id string.
struct stripe_request {
    std::optional<std::string> id;               ///< `req_…`; null for events not caused by an API request.
    std::optional<std::string> idempotency_key;  ///< The `Idempotency-Key` the request was sent with.
};
BOOST_DESCRIBE_STRUCT(stripe_request, (), (id, idempotency_key))

/// Reads a `stripe_request` from either form Stripe has sent (found by ADL; also serves `boost::json::value_to`).
inline boost::system::result<stripe_request> tag_invoke(boost::json::try_value_to_tag<stripe_request>,
                                                        const boost::json::value& v) {
    stripe_request r;
    if (const boost::json::string* s = v.if_string()) {
        r.id.emplace(s->data(), s->size());
        return r;
    }
    const boost::json::object* o = v.if_object();
    if (!o) return boost::system::error_code(boost::json::error::not_object);
    const auto read = [o](const char* key, std::optional<std::string>& out) {
        const boost::json::value* field = o->if_contains(key);
        if (!field || field->is_null()) return true;
        const boost::json::string* s = field->if_string();
        if (s) out.emplace(s->data(), s->size());
        return s != nullptr;
    };
    if (!read("id", r.id) || !read("idempotency_key", r.idempotency_key))
        return boost::system::error_code(boost::json::error::not_string);
    return r;
}

/// A Stripe event envelope (`"object": "event"`), the body of every Stripe webhook.
///
/// Decode it with pointer "" to see the event's metadata; decode the object itself into the application's struct
/// with pointer `/data/object` (what an Event's `payload_pointer` says).
///
/// @par Example
/// @code
/// webhooks::events::json_codec codec;
/// auto doc = codec.parse(body);
/// auto event = codec.decode<webhooks::events::stripe_event>(*doc, "");
/// if (event && event->type == "payment_intent.succeeded" && !event->livemode) { /* a test-mode payment */ }
/// @endcode
struct stripe_event {
    std::string id;                          ///< `evt_…`: the idempotency key.
    std::string type;                        ///< e.g. `payment_intent.succeeded`.
    std::int64_t created = 0;                ///< Unix seconds.
    bool livemode = false;                   ///< false for test-mode events.
    std::optional<std::string> api_version;  ///< The API version `data.object` is rendered in (e.g. `2024-06-20`).
    stripe_event_data data;                  ///< The object the event is about.
    std::optional<stripe_request> request;   ///< The API request that caused it, if any.
    std::optional<std::string> account;      ///< Connect: the connected account (`acct_…`) the event came from.
};
BOOST_DESCRIBE_STRUCT(stripe_event, (), (id, type, created, livemode, api_version, data, request, account))

// ---------------------------------------------------------------------------------------------------------------
// Standard Webhooks

/// The payload shape recommended by the Standard Webhooks specification (Svix and others):
/// `{"type": "invoice.paid", "timestamp": "2022-11-03T20:26:10.344522Z", "data": {…}}`.
struct standard_event {
    std::string type;           ///< Dot-separated event type.
    std::string timestamp;      ///< ISO 8601, as sent (the signed timestamp is the `webhook-timestamp` header).
    boost::json::object data;   ///< The event's own payload: decode it with pointer `/data`.
};
BOOST_DESCRIBE_STRUCT(standard_event, (), (type, timestamp, data))

// ---------------------------------------------------------------------------------------------------------------
// GitHub

/// A GitHub account as it appears in `sender`, `owner`…
struct github_user {
    std::string login;
    std::int64_t id = 0;
    std::string type;  ///< `User`, `Bot` or `Organization`.
};
BOOST_DESCRIBE_STRUCT(github_user, (), (login, id, type))

/// The repository an event happened in (the fields every repository payload has).
struct github_repository {
    std::int64_t id = 0;
    std::string name;       ///< `Hello-World`.
    std::string full_name;  ///< `octocat/Hello-World`.
    bool private_ = false;  ///< JSON `private` (a C++ keyword: the trailing `_` is dropped when reading).
    std::string html_url;
    std::optional<std::string> default_branch;
};
BOOST_DESCRIBE_STRUCT(github_repository, (), (id, name, full_name, private_, html_url, default_branch))

/// The GitHub App installation a delivery is for (App webhooks only).
struct github_installation {
    std::int64_t id = 0;
};
BOOST_DESCRIBE_STRUCT(github_installation, (), (id))

/// The organization an event happened in, for events in organizations.
struct github_organization {
    std::string login;
    std::int64_t id = 0;
};
BOOST_DESCRIBE_STRUCT(github_organization, (), (login, id))

/// The fields any GitHub webhook payload may have. The event type is the `X-GitHub-Event` header (plus `action`),
/// not a body field, so GitHub event structs usually derive from this one and add their own payload.
///
/// @par Example
/// @code
/// struct issue_fields { std::int64_t number = 0; std::string title; std::optional<std::string> body; };
/// BOOST_DESCRIBE_STRUCT(issue_fields, (), (number, title, body))
///
/// struct issues_opened : webhooks::events::github_common {
///     static constexpr std::string_view event_name = "issues.opened";
///     issue_fields issue;
/// };
/// BOOST_DESCRIBE_STRUCT(issues_opened, (webhooks::events::github_common), (issue))
/// @endcode
struct github_common {
    std::optional<std::string> action;  ///< `opened`, `closed`…; absent for events without actions (`push`).
    std::optional<github_user> sender;
    std::optional<github_repository> repository;
    std::optional<github_installation> installation;
    std::optional<github_organization> organization;
};
BOOST_DESCRIBE_STRUCT(github_common, (), (action, sender, repository, installation, organization))

} // namespace webhooks::events

#endif
