// SPDX-License-Identifier: BSL-1.0
#include <webhooks/events/dispatcher.hpp>

#include <webhooks/providers/github.hpp>
#include <webhooks/providers/slack.hpp>
#include <webhooks/providers/stripe.hpp>

#include "../support.hpp"

#include <boost/describe/class.hpp>

#include <atomic>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

using namespace webhooks;
using webhooks::events::outcome;
using webhooks::test::owned_request;
using webhooks::test::signed_request;

namespace {

// --- Event types -------------------------------------------------------------------------------------------------

struct issue_opened {
    static constexpr std::string_view event_name = "issues.opened";
    static constexpr std::string_view payload_pointer = "/issue";
    std::string title;
    std::int64_t number = 0;
};
BOOST_DESCRIBE_STRUCT(issue_opened, (), (title, number))

// No action in the name: sees every "issues.*".
struct any_issue {
    static constexpr std::string_view event_name = "issues";
    std::string action;
};
BOOST_DESCRIBE_STRUCT(any_issue, (), (action))

struct push {
    static constexpr std::string_view event_name = "push";
    std::string ref;
};
BOOST_DESCRIBE_STRUCT(push, (), (ref))

// Sits at a pointer the test bodies never have: decoding it always fails, whatever the codec.
struct misplaced {
    static constexpr std::string_view event_name = "misplaced";
    static constexpr std::string_view payload_pointer = "/nowhere";
    std::string id;
};
BOOST_DESCRIBE_STRUCT(misplaced, (), (id))

// A type whose member is an integer: a string there is a decode error with a path.
struct pull_request_opened {
    static constexpr std::string_view event_name = "pull_request.opened";
    static constexpr std::string_view payload_pointer = "/pull_request";
    std::int64_t number = 0;
};
BOOST_DESCRIBE_STRUCT(pull_request_opened, (), (number))

// A push that counts how often it is decoded (through its own Boost.JSON conversion).
std::atomic<int> counted_decodes{0};
struct counted_push {
    static constexpr std::string_view event_name = "push";
    std::string ref;
};
counted_push tag_invoke(boost::json::value_to_tag<counted_push>, const boost::json::value& v) {
    ++counted_decodes;
    return {std::string(v.at("ref").as_string())};
}

// --- Deliveries ----------------------------------------------------------------------------------------------------

constexpr std::string_view github_secret = "dispatcher-github-secret";

const providers::github& github() {
    static const providers::github scheme{secret{github_secret}};
    return scheme;
}

// One verified GitHub delivery, parsed and typed as an endpoint would: the request, the proof, the document and
// the `events::delivery` handlers see. Views into itself: neither copied nor moved.
class github_sample {
public:
    github_sample(std::string event, std::string body, std::string id = "d-1") {
        request_ = signed_request(github().sign(body, {.id = id}), body);
        request_.add("X-GitHub-Event", std::move(event));
        view_.emplace(request_.view());
        auto verified = github().verify(*view_);
        REQUIRE(verified);
        verified_.emplace(*verified);
        auto parsed = codec_.parse(verified_->body());
        REQUIRE(parsed);
        doc_ = std::move(*parsed);
        type_ = events::event_type_of(github().fields(), *verified_, codec_, doc_);
        delivery_.emplace(*verified_, type_, verified_->id());
    }
    github_sample(const github_sample&) = delete;
    github_sample& operator=(const github_sample&) = delete;

    const events::json_codec::document& doc() const { return doc_; }
    const events::delivery& delivery() const { return *delivery_; }
    const std::string& type() const { return type_; }

private:
    events::json_codec codec_;
    owned_request request_;
    std::optional<basic_request> view_;
    std::optional<verified_delivery> verified_;
    events::json_codec::document doc_;
    std::string type_;
    std::optional<events::delivery> delivery_;
};

constexpr std::string_view issue_body = R"({"action":"opened","issue":{"number":42,"title":"It broke","x":[1]}})";
constexpr std::string_view push_body = R"({"ref":"refs/heads/main","before":"0000","commits":[]})";

// The event type a scheme's fields give for a body signed and verified by that scheme.
template <class Scheme>
std::string type_of(const Scheme& scheme, const owned_request& request) {
    auto verified = scheme.verify(request.view());
    REQUIRE(verified);
    events::json_codec codec;
    auto doc = codec.parse(verified->body());
    REQUIRE(doc);
    return events::event_type_of(scheme.fields(), *verified, codec, *doc);
}

// --- Compile-time checks: what a handler may look like -------------------------------------------------------------

namespace shapes {
using events::delivery;
using events::detail::handler_event_only;
using events::detail::handler_with_delivery;
using events::detail::valid_handler_result;

struct other {};
using event_void = void (*)(const push&);
using event_outcome = outcome (*)(const push&);
using both_void = void (*)(const push&, const delivery&);
using both_outcome = outcome (*)(const push&, const delivery&);
using wrong_type = void (*)(const other&);
using wrong_second = void (*)(const push&, int*);
using returns_int = int (*)(const push&);
using returns_bool = bool (*)(const push&, const delivery&);

// The four accepted shapes.
static_assert(handler_event_only<event_void, push> &&
              valid_handler_result<std::invoke_result_t<event_void, const push&>>);
static_assert(handler_event_only<event_outcome, push> &&
              valid_handler_result<std::invoke_result_t<event_outcome, const push&>>);
static_assert(handler_with_delivery<both_void, push> &&
              valid_handler_result<std::invoke_result_t<both_void, const push&, const delivery&>>);
static_assert(handler_with_delivery<both_outcome, push> &&
              valid_handler_result<std::invoke_result_t<both_outcome, const push&, const delivery&>>);
// A generic lambda takes anything, so it is accepted too.
inline constexpr auto generic = [](const auto&) {};
static_assert(handler_event_only<decltype(generic), push>);

// Taking the wrong event type, or a second argument that is not the delivery: neither shape, `on` refuses it.
static_assert(!handler_event_only<wrong_type, push> && !handler_with_delivery<wrong_type, push>);
static_assert(!handler_event_only<wrong_second, push> && !handler_with_delivery<wrong_second, push>);
// Returning something other than void or outcome: `on` refuses it.
static_assert(handler_event_only<returns_int, push> &&
              !valid_handler_result<std::invoke_result_t<returns_int, const push&>>);
static_assert(!valid_handler_result<std::invoke_result_t<returns_bool, const push&, const delivery&>>);
static_assert(valid_handler_result<void> && valid_handler_result<outcome> && valid_handler_result<const outcome&>);
static_assert(!valid_handler_result<int> && !valid_handler_result<bool> && !valid_handler_result<outcome*>);

// `on<T>` is constrained on Event: a type without an event name cannot even be named there.
struct nameless {
    std::string id;
};
struct not_default_constructible {
    [[maybe_unused]] static constexpr std::string_view event_name = "x";
    explicit not_default_constructible(int) {}
};
template <class T>
concept registrable = requires(events::dispatcher<>& d, void (*f)(const T&)) { d.template on<T>(f); };
static_assert(registrable<push> && registrable<issue_opened>);
static_assert(!registrable<nameless> && !registrable<not_default_constructible>);
static_assert(!events::Event<nameless> && events::Event<push>);

// The default codec models Codec and can decode described structs.
static_assert(events::Codec<events::json_codec>);
static_assert(events::CodecFor<events::json_codec, push> && events::CodecFor<events::json_codec, issue_opened>);
static_assert(events::payload_pointer_of<issue_opened>() == "/issue" && events::payload_pointer_of<push>().empty());
} // namespace shapes

} // namespace

TEST_CASE("A handler may take the event or the event and the delivery, and return nothing or an outcome",
          "[events][dispatcher]") {
    github_sample sample{"push", std::string(push_body), "d-shapes"};
    std::vector<std::string> seen;
    events::dispatcher<> d;
    d.on<push>([&](const push& p) { seen.push_back("event/void " + p.ref); });
    d.on<push>([&](const push& p) {
        seen.push_back("event/outcome " + p.ref);
        return outcome::done;
    });
    d.on<push>([&](const push& p, const events::delivery& del) {
        seen.push_back("both/void " + p.ref + " " + std::string(del.id()) + " " + std::string(del.type()));
    });
    d.on<push>([&](const push&, const events::delivery& del) {
        seen.push_back("both/outcome " + std::string(del.provider()));
        CHECK(del.body() == push_body);
        CHECK_FALSE(del.timestamp());
        CHECK_FALSE(del.renew_lease());  // no claim: nothing to renew
        return outcome::done;
    });

    auto result = d.dispatch(sample.doc(), sample.delivery());
    CHECK(result.outcome == outcome::done);
    CHECK_FALSE(result.unknown);
    CHECK(result.error.empty());
    CHECK(seen == std::vector<std::string>{"event/void refs/heads/main", "event/outcome refs/heads/main",
                                           "both/void refs/heads/main d-shapes push", "both/outcome github"});
    CHECK(d.handles("push"));
    CHECK_FALSE(d.handles("pull_request"));
}

TEST_CASE("Several handlers of one type run in the order registered, and the first that is not done stops the rest",
          "[events][dispatcher]") {
    github_sample sample{"push", std::string(push_body)};
    std::vector<int> order;
    outcome second = outcome::done;
    events::dispatcher<> d;
    d.on<push>([&](const push&) { order.push_back(1); });
    d.on<push>([&](const push&) {
        order.push_back(2);
        return second;
    });
    d.on<push>([&](const push&) { order.push_back(3); });

    CHECK(d.dispatch(sample.doc(), sample.delivery()).outcome == outcome::done);
    CHECK(order == std::vector<int>{1, 2, 3});

    order.clear();
    second = outcome::retry_later;
    CHECK(d.dispatch(sample.doc(), sample.delivery()).outcome == outcome::retry_later);
    CHECK(order == std::vector<int>{1, 2});

    order.clear();
    second = outcome::permanent;
    auto result = d.dispatch(sample.doc(), sample.delivery());
    CHECK(result.outcome == outcome::permanent);
    CHECK_FALSE(result.unknown);
    CHECK(order == std::vector<int>{1, 2});
}

TEST_CASE("Handlers of one type registered in a row share one decode; other types keep their place in the order",
          "[events][dispatcher]") {
    github_sample sample{"push", std::string(push_body)};
    std::vector<std::string> order;
    events::dispatcher<> d;
    d.on<counted_push>([&](const counted_push& p) { order.push_back("counted 1 " + p.ref); });
    d.on<counted_push>([&](const counted_push&) { order.push_back("counted 2"); });
    d.on<push>([&](const push&) { order.push_back("push"); });
    d.on<counted_push>([&](const counted_push&) { order.push_back("counted 3"); });

    counted_decodes = 0;
    CHECK(d.dispatch(sample.doc(), sample.delivery()).outcome == outcome::done);
    CHECK(order == std::vector<std::string>{"counted 1 refs/heads/main", "counted 2", "push", "counted 3"});
    CHECK(counted_decodes == 2);  // once for the first two, once for the last

    // A copy has its own handlers: adding to it leaves the original as it was.
    events::dispatcher<> copy = d;
    copy.on<counted_push>([&](const counted_push&) { order.push_back("copy only"); });
    order.clear();
    d.dispatch(sample.doc(), sample.delivery());
    CHECK(order == std::vector<std::string>{"counted 1 refs/heads/main", "counted 2", "push", "counted 3"});
    order.clear();
    copy.dispatch(sample.doc(), sample.delivery());
    CHECK(order.back() == "copy only");
    CHECK(order.size() == 5);
}

TEST_CASE("A handler for issues sees issues.opened, before the handler for issues.opened itself",
          "[events][dispatcher]") {
    github_sample sample{"issues", std::string(issue_body)};
    REQUIRE(sample.type() == "issues.opened");
    std::vector<std::string> seen;
    events::dispatcher<> d;
    d.on<issue_opened>(
        [&](const issue_opened& i) { seen.push_back("opened " + i.title + " #" + std::to_string(i.number)); });
    d.on<any_issue>([&](const any_issue& i) { seen.push_back("issues " + i.action); });

    CHECK(d.handles("issues.opened"));
    CHECK(d.handles("issues.closed"));  // the prefix handler
    CHECK_FALSE(d.handles("issue"));
    CHECK_FALSE(d.handles("issuesX.opened"));
    auto result = d.dispatch(sample.doc(), sample.delivery());
    CHECK(result.outcome == outcome::done);
    CHECK_FALSE(result.unknown);
    CHECK(seen == std::vector<std::string>{"issues opened", "opened It broke #42"});

    // issues.closed: only the prefix handler.
    github_sample closed{"issues", R"({"action":"closed","issue":{"number":42,"title":"It broke"}})"};
    seen.clear();
    CHECK(d.dispatch(closed.doc(), closed.delivery()).outcome == outcome::done);
    CHECK(seen == std::vector<std::string>{"issues closed"});
}

TEST_CASE("on_any sees every delivery first, known or not, and can stop it with an outcome", "[events][dispatcher]") {
    github_sample known{"push", std::string(push_body)};
    github_sample unknown{"star", R"({"action":"created"})"};
    std::vector<std::string> seen;
    outcome verdict = outcome::done;
    events::dispatcher<> d;
    d.on<push>([&](const push&) { seen.push_back("push"); });
    d.on_any([&](const events::delivery& del) { seen.push_back("any " + std::string(del.type())); });
    d.on_any([&](const events::delivery&) {
        seen.push_back("gate");
        return verdict;
    });
    d.on_unknown([&](const events::delivery& del) { seen.push_back("unknown " + std::string(del.type())); });

    CHECK(d.dispatch(known.doc(), known.delivery()).outcome == outcome::done);
    CHECK(seen == std::vector<std::string>{"any push", "gate", "push"});

    seen.clear();
    auto result = d.dispatch(unknown.doc(), unknown.delivery());
    CHECK(result.outcome == outcome::done);
    CHECK_FALSE(result.unknown);  // on_any handled it; on_unknown still hears that no typed handler did
    CHECK(seen == std::vector<std::string>{"any star.created", "gate", "unknown star.created"});

    for (outcome stop : {outcome::permanent, outcome::retry_later}) {
        seen.clear();
        verdict = stop;
        result = d.dispatch(known.doc(), known.delivery());
        CHECK(result.outcome == stop);
        CHECK_FALSE(result.unknown);
        CHECK(seen == std::vector<std::string>{"any push", "gate"});  // the typed handler never ran
    }
}

TEST_CASE("on_unknown sees only the types no handler was registered for", "[events][dispatcher]") {
    github_sample ping{"ping", R"({"zen":"Keep it logically awesome.","hook_id":1})"};
    github_sample known{"push", std::string(push_body)};
    std::vector<std::string> unknown;
    events::dispatcher<> d;
    d.on<push>([](const push&) {});
    d.on_unknown([&](const events::delivery& del) { unknown.emplace_back(del.type()); });

    auto result = d.dispatch(ping.doc(), ping.delivery());
    CHECK(result.outcome == outcome::done);  // acknowledged
    CHECK(result.unknown);
    CHECK(result.error.empty());
    CHECK_FALSE(d.dispatch(known.doc(), known.delivery()).unknown);
    CHECK(unknown == std::vector<std::string>{"ping"});

    // Without an on_unknown hook, an unknown type is still acknowledged.
    events::dispatcher<> bare;
    result = bare.dispatch(ping.doc(), ping.delivery());
    CHECK(result.outcome == outcome::done);
    CHECK(result.unknown);
}

TEST_CASE("A handler that throws is a retryable failure carrying the exception's message", "[events][dispatcher]") {
    github_sample sample{"push", std::string(push_body)};
    int after = 0;
    events::dispatcher<> d;
    d.on<push>([](const push&) { throw std::runtime_error("database is down"); });
    d.on<push>([&](const push&) { ++after; });

    auto result = d.dispatch(sample.doc(), sample.delivery());
    CHECK(result.outcome == outcome::retry_later);
    CHECK(result.error == "database is down");
    CHECK_FALSE(result.unknown);
    CHECK(after == 0);

    events::dispatcher<> odd;
    odd.on<push>([](const push&) { throw 42; });
    result = odd.dispatch(sample.doc(), sample.delivery());
    CHECK(result.outcome == outcome::retry_later);
    CHECK(result.error == "unknown exception");

    // on_any and on_unknown may throw too.
    events::dispatcher<> any;
    any.on_any([](const events::delivery&) { throw std::logic_error("audit log full"); });
    result = any.dispatch(sample.doc(), sample.delivery());
    CHECK(result.outcome == outcome::retry_later);
    CHECK(result.error == "audit log full");
}

TEST_CASE("A payload that does not fit its type calls on_error and is retried, or is permanent when configured",
          "[events][dispatcher]") {
    github_sample sample{"misplaced", R"({"id":"x"})"};
    std::vector<std::string> errors;
    int handled = 0;
    events::dispatcher<> d;
    d.on<misplaced>([&](const misplaced&) { ++handled; });
    d.on_error([&](const events::delivery& del, const events::decode_error& e) {
        errors.push_back(std::string(del.type()) + ": " + e.path);
    });

    auto result = d.dispatch(sample.doc(), sample.delivery());
    CHECK(result.outcome == outcome::retry_later);
    CHECK_FALSE(result.unknown);
    CHECK_THAT(result.error, Catch::Matchers::Contains("/nowhere"));
    CHECK(handled == 0);
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::Matchers::StartsWith("misplaced: /nowhere"));

    d.decode_failures(outcome::permanent);
    result = d.dispatch(sample.doc(), sample.delivery());
    CHECK(result.outcome == outcome::permanent);
    CHECK(errors.size() == 2);
    CHECK(handled == 0);

    // Without an on_error hook the outcome is the same.
    events::dispatcher<> bare;
    bare.on<misplaced>([&](const misplaced&) { ++handled; });
    CHECK(bare.dispatch(sample.doc(), sample.delivery()).outcome == outcome::retry_later);
    CHECK(handled == 0);
}

TEST_CASE("A decode error names the JSON path of the member that does not fit", "[events][dispatcher]") {
    github_sample sample{"pull_request", R"({"action":"opened","pull_request":{"number":"seven"}})"};
    REQUIRE(sample.type() == "pull_request.opened");
    std::optional<events::decode_error> seen;
    events::dispatcher<> d;
    d.on<pull_request_opened>([](const pull_request_opened&) {});
    d.on_error([&](const events::delivery&, const events::decode_error& e) { seen = e; });

    auto result = d.dispatch(sample.doc(), sample.delivery());
    CHECK(result.outcome == outcome::retry_later);
    REQUIRE(seen);
    CHECK(seen->path == "/pull_request/number");
    CHECK_FALSE(seen->message.empty());
    CHECK(result.error == seen->what());

    // The same type decodes a payload that fits, ignoring fields it does not have.
    github_sample fits{"pull_request", R"({"action":"opened","pull_request":{"number":7,"title":"t"},"x":1})"};
    std::int64_t number = 0;
    events::dispatcher<> ok;
    ok.on<pull_request_opened>([&](const pull_request_opened& pr) { number = pr.number; });
    CHECK(ok.dispatch(fits.doc(), fits.delivery()).outcome == outcome::done);
    CHECK(number == 7);
}

TEST_CASE("event_type_of reads a header plus the body's action (GitHub)", "[events][dispatcher]") {
    auto with_event = [](std::string event, std::string body) {
        auto r = signed_request(github().sign(body, {.id = "d-type"}), body);
        r.add("X-GitHub-Event", std::move(event));
        return r;
    };
    CHECK(type_of(github(), with_event("issues", R"({"action":"opened"})")) == "issues.opened");
    CHECK(type_of(github(), with_event("push", R"({"ref":"refs/heads/main"})")) == "push");
    CHECK(type_of(github(), with_event("issues", R"({"action":""})")) == "issues");  // an empty action adds nothing
    CHECK(type_of(github(), with_event("issues", R"({"action":7})")) == "issues.7");  // integers read as text
    CHECK(type_of(github(), with_event("issues", R"({"action":{"x":1}})")) == "issues");
    // No X-GitHub-Event: no type, whatever the action says.
    auto body = std::string(R"({"action":"opened"})");
    CHECK(type_of(github(), signed_request(github().sign(body, {.id = "d"}), body)).empty());
}

TEST_CASE("event_type_of reads the body's type (Stripe)", "[events][dispatcher]") {
    providers::stripe stripe{secret{"whsec_dispatcher"}};
    auto stripe_type = [&](std::string body) { return type_of(stripe, signed_request(stripe.sign(body), body)); };
    CHECK(stripe_type(R"({"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{}}})") ==
          "payment_intent.succeeded");
    CHECK(stripe_type(R"({"id":"evt_1","data":{"object":{"type":"card"}}})").empty());
    CHECK(stripe_type(R"({"id":"evt_1","type":null})").empty());
}

TEST_CASE("event_type_of falls back to a second pointer when the first is absent (Slack)", "[events][dispatcher]") {
    providers::slack slack{secret{"slack-dispatcher-secret"}};
    auto slack_type = [&](std::string body) { return type_of(slack, signed_request(slack.sign(body), body)); };
    CHECK(slack_type(R"({"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","text":"hi"}})") ==
          "app_mention");
    CHECK(slack_type(R"({"type":"url_verification","challenge":"c-1","token":"t"})") == "url_verification");
    CHECK(slack_type(R"({"type":"event_callback","event":{"text":"no type"}})") == "event_callback");
    CHECK(slack_type(R"({"token":"t"})").empty());
}

TEST_CASE("dispatch runs on many threads at once without a lock", "[events][dispatcher][threads]") {
    constexpr int threads = 8;
    constexpr int rounds = 500;
    github_sample push_sample{"push", std::string(push_body)};
    github_sample issue_sample{"issues", std::string(issue_body)};
    github_sample ping_sample{"ping", R"({"zen":"z"})"};
    github_sample bad_sample{"misplaced", R"({"id":"x"})"};

    std::atomic<int> pushes{0}, issues{0}, unknown{0}, errors{0}, any{0}, wrong{0};
    events::dispatcher<> d;
    d.on_any([&](const events::delivery&) { any.fetch_add(1, std::memory_order_relaxed); });
    d.on<push>([&](const push& p) {
        if (p.ref != "refs/heads/main") wrong.fetch_add(1);
        pushes.fetch_add(1, std::memory_order_relaxed);
    });
    d.on<issue_opened>([&](const issue_opened& i) {
        if (i.number != 42) wrong.fetch_add(1);
        issues.fetch_add(1, std::memory_order_relaxed);
    });
    d.on<misplaced>([&](const misplaced&) { wrong.fetch_add(1); });
    d.on_unknown([&](const events::delivery&) { unknown.fetch_add(1, std::memory_order_relaxed); });
    d.on_error([&](const events::delivery&, const events::decode_error&) { errors.fetch_add(1); });

    // Catch assertions are not thread-safe: the workers only count, the checks come after the join.
    std::atomic<int> unexpected{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            const github_sample* samples[] = {&push_sample, &issue_sample, &ping_sample, &bad_sample};
            for (int i = 0; i < rounds; ++i) {
                const github_sample& s = *samples[(i + t) % 4];
                auto r = d.dispatch(s.doc(), s.delivery());
                const bool bad = &s == &bad_sample;
                if ((r.outcome == outcome::retry_later) != bad || r.unknown)  // on_any sees them all
                    unexpected.fetch_add(1);
            }
        });
    for (auto& w : workers) w.join();

    const int each = threads * rounds / 4;
    CHECK(unexpected == 0);
    CHECK(wrong == 0);
    CHECK(any == threads * rounds);
    CHECK(pushes == each);
    CHECK(issues == each);
    CHECK(unknown == each);
    CHECK(errors == each);
}
