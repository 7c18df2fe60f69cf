// SPDX-License-Identifier: BSL-1.0
#ifndef RECEIVER_SHOP_HPP
#define RECEIVER_SHOP_HPP

// What the receiver does with events: a small shop. Event types are described structs (the codec fills the
// members named here and ignores the rest of the payload); the shop's state is in memory, behind a mutex; every
// effect is one log line.
//
//   stripe   payment_intent.succeeded  the order is marked paid, a confirmation email queued, shipping started
//   shopify  orders/create             the order is recorded
//   github   push, issues.opened       logged (a CI trigger, a triage bot would go here)
//   slack    app_mention               logged; url_verification is answered by the endpoint itself
//   standard, svix: any type           logged by an on_any handler
//
// Every provider: a type nobody handles is logged and acknowledged (200), so the sender does not retry it.

#include "log.hpp"

#include <webhooks/events/dispatcher.hpp>
#include <webhooks/events/envelopes.hpp>
#include <webhooks/events/json_codec.hpp>
#ifdef RECEIVER_HAS_SIMDJSON
#include <webhooks/events/simdjson_codec.hpp>
#endif

#include <boost/describe/class.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace receiver {

namespace events = webhooks::events;

// Bodies are parsed with simdjson when the library was built with it (the same decoding, faster), else Boost.JSON.
#ifdef RECEIVER_HAS_SIMDJSON
using codec = events::simdjson_codec;
#else
using codec = events::json_codec;
#endif
using dispatcher = events::dispatcher<codec>;

// ---- event types ------------------------------------------------------------------------------------------------

/// Stripe: a PaymentIntent succeeded. The struct is the PaymentIntent, at `/data/object` in the event.
struct payment_intent_succeeded {
    static constexpr std::string_view event_name = "payment_intent.succeeded";
    static constexpr std::string_view payload_pointer = "/data/object";

    std::string id;                                              ///< `pi_…`
    std::int64_t amount = 0;                                     ///< In the currency's smallest unit.
    std::string currency;                                        ///< `usd`
    std::optional<std::string> customer;                         ///< `cus_…`, absent or null for guests.
    std::optional<std::map<std::string, std::string>> metadata;  ///< The shop puts its `order_id` here.
};
BOOST_DESCRIBE_STRUCT(payment_intent_succeeded, (), (id, amount, currency, customer, metadata))

/// GitHub: a commit of a push.
struct github_commit {
    std::string id;
    std::string message;
};
BOOST_DESCRIBE_STRUCT(github_commit, (), (id, message))

/// GitHub: commits were pushed (`X-GitHub-Event: push`). `repository` comes from `github_common`.
struct github_push : events::github_common {
    static constexpr std::string_view event_name = "push";

    std::string ref;    ///< `refs/heads/main`
    std::string after;  ///< The head commit after the push.
    std::vector<github_commit> commits;
};
BOOST_DESCRIBE_STRUCT(github_push, (events::github_common), (ref, after, commits))

/// GitHub: the issue of an `issues` event.
struct github_issue {
    std::int64_t number = 0;
    std::string title;
};
BOOST_DESCRIBE_STRUCT(github_issue, (), (number, title))

/// GitHub: an issue was opened (`X-GitHub-Event: issues`, `"action": "opened"`).
struct github_issue_opened : events::github_common {
    static constexpr std::string_view event_name = "issues.opened";

    github_issue issue;
};
BOOST_DESCRIBE_STRUCT(github_issue_opened, (events::github_common), (issue))

/// Shopify: an order was created (`X-Shopify-Topic: orders/create`). The body is the order.
struct shopify_order_created {
    static constexpr std::string_view event_name = "orders/create";

    std::int64_t id = 0;
    std::string name;         ///< `#1001`
    std::string total_price;  ///< Decimal text: `42.00`
    std::string currency;     ///< `USD`
};
BOOST_DESCRIBE_STRUCT(shopify_order_created, (), (id, name, total_price, currency))

/// Slack: the app was mentioned (an `event_callback` whose `event.type` is `app_mention`).
struct slack_app_mention {
    static constexpr std::string_view event_name = "app_mention";
    static constexpr std::string_view payload_pointer = "/event";

    std::string user;
    std::string channel;
};
BOOST_DESCRIBE_STRUCT(slack_app_mention, (), (user, channel))

// ---- the shop ---------------------------------------------------------------------------------------------------

/// Orders, the email outbox and the shipping queue, in memory.
///
/// Each step remembers that it happened, so calling it again for the same order does nothing. That is a second line
/// of defence: the endpoint already runs a handler once per event id. (It matters for a handler that failed half-way
/// and is retried, and for two events about one order.)
class shop {
public:
    explicit shop(logger& log) : log_(log) {}

    /// A payment succeeded: mark the order paid, queue its confirmation email, start shipping it.
    void payment_succeeded(const payment_intent_succeeded& pi) {
        std::string order_id = pi.id;
        if (pi.metadata)
            if (auto it = pi.metadata->find("order_id"); it != pi.metadata->end() && !it->second.empty())
                order_id = it->second;

        std::lock_guard lock(mutex_);
        order& o = orders_[order_id];
        if (o.paid) {
            log_.line("shop: order " + field(order_id) + " already paid: nothing to do (payment " + field(pi.id) + ')');
            return;
        }
        o.paid = true;
        log_.line("shop: order " + field(order_id) + " paid (" + std::to_string(pi.amount) + ' ' + field(pi.currency) +
                  ", payment " + field(pi.id) + ')');
        if (!o.email_queued) {
            o.email_queued = true;
            outbox_.push_back(order_id);
            log_.line("shop: order " + field(order_id) + " confirmation email queued (customer " +
                      field(pi.customer.value_or("")) + ')');
        }
        if (!o.shipping) {
            o.shipping = true;
            shipments_.push_back(order_id);
            log_.line("shop: order " + field(order_id) + " shipping started");
        }
    }

    /// A storefront order was placed.
    void order_created(const shopify_order_created& order) {
        std::lock_guard lock(mutex_);
        const std::string key = "shopify-" + std::to_string(order.id);
        if (!orders_.try_emplace(key).second) return;
        log_.line("shop: order " + field(order.name) + " created (" + field(order.total_price) + ' ' +
                  field(order.currency) + ", shopify order " + std::to_string(order.id) + ')');
    }

private:
    struct order {
        bool paid = false;
        bool email_queued = false;
        bool shipping = false;
    };

    logger& log_;
    std::mutex mutex_;
    std::unordered_map<std::string, order> orders_;
    std::vector<std::string> outbox_;     // would be sent by a mailer
    std::vector<std::string> shipments_;  // would be picked up by the warehouse
};

// ---- the handlers of each provider ------------------------------------------------------------------------------

/// Handlers every provider shares: types without a handler, and payloads that do not fit their type.
inline dispatcher base_dispatcher(logger& log) {
    dispatcher d;
    d.on_unknown([&log](const events::delivery& e) {
        log.line(std::string(e.provider()) + ": no handler for " + field(e.type()) + " (" + field(e.id()) +
                 "): acknowledged");
    });
    // The struct does not fit the payload: a bug of ours more likely than the provider's. The endpoint answers 500
    // and the provider retries, so the event is handled once a fixed version runs.
    d.on_error([&log](const events::delivery& e, const events::decode_error& why) {
        log.line(std::string(e.provider()) + ": " + field(e.type()) + " (" + field(e.id()) +
                 ") does not fit its type: " + field(why.what()));
    });
    return d;
}

inline dispatcher stripe_handlers(shop& s, logger& log) {
    dispatcher d = base_dispatcher(log);
    d.on<payment_intent_succeeded>([&s](const payment_intent_succeeded& pi) { s.payment_succeeded(pi); });
    return d;
}

inline dispatcher github_handlers(logger& log) {
    dispatcher d = base_dispatcher(log);
    d.on<github_push>([&log](const github_push& push) {
        std::string line = "github: push to ";
        line.reserve(120);
        append_field(line, push.repository ? std::string_view(push.repository->full_name) : std::string_view());
        line += ' ';
        append_field(line, push.ref);
        line += " -> ";
        append_field(line, std::string_view(push.after).substr(0, 12));
        line += " (";
        line += std::to_string(push.commits.size());
        line += " commits)";
        log.line(line);
    });
    d.on<github_issue_opened>([&log](const github_issue_opened& opened) {
        const std::string repo = opened.repository ? opened.repository->full_name : "";
        log.line("github: issue " + field(repo) + '#' + std::to_string(opened.issue.number) + " opened: " +
                 field(opened.issue.title, 60));
    });
    return d;
}

inline dispatcher shopify_handlers(shop& s, logger& log) {
    dispatcher d = base_dispatcher(log);
    d.on<shopify_order_created>([&s](const shopify_order_created& order) { s.order_created(order); });
    return d;
}

inline dispatcher slack_handlers(logger& log) {
    dispatcher d = base_dispatcher(log);
    d.on<slack_app_mention>([&log](const slack_app_mention& m) {
        log.line("slack: app mentioned by " + field(m.user) + " in " + field(m.channel));
    });
    return d;
}

/// Standard Webhooks and Svix: the application's types are its own; here every one is logged as it arrives.
inline dispatcher any_type_handlers(logger& log) {
    dispatcher d;
    d.on_any([&log](const events::delivery& e) {
        log.line(std::string(e.provider()) + ": received " + field(e.type()) + " (" + field(e.id()) + ')');
    });
    return d;
}

} // namespace receiver

#endif
