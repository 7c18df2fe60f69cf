// SPDX-License-Identifier: BSL-1.0
// github_bot: a bot that receives GitHub webhooks: pushes and newly opened issues, typed; everything else (the
// `ping` GitHub sends when the hook is created, say) acknowledged and logged.
//
//   github_bot                     (GITHUB_WEBHOOK_SECRET overrides the demo secret)
//
// A real bot calls `bot.handle(request)` from its HTTP server (see examples/receiver). So that this program runs on
// its own, main() plays GitHub: it signs a few deliveries with the same secret, feeds them in, and prints each
// answer. It exits 0 only when every answer is the expected one.

#include <webhooks/endpoint.hpp>
#include <webhooks/events/envelopes.hpp>
#include <webhooks/idempotency/memory_store.hpp>
#include <webhooks/providers/github.hpp>

#include <boost/describe/class.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// 1. The events. GitHub names the event in the X-GitHub-Event header and the action in the body, so
//    "issues.opened" is the `issues` event with `"action": "opened"`; a struct named plain "issues" would see
//    every action. `github_common` carries the fields every payload may have (sender, repository…).
struct commit {
    std::string id;
    std::string message;
};
BOOST_DESCRIBE_STRUCT(commit, (), (id, message))

struct push : webhooks::events::github_common {
    static constexpr std::string_view event_name = "push";
    std::string ref;  // refs/heads/main
    std::vector<commit> commits;
};
BOOST_DESCRIBE_STRUCT(push, (webhooks::events::github_common), (ref, commits))

struct issue_fields {
    std::int64_t number = 0;
    std::string title;
    std::optional<std::string> body;  // null when the issue has no description
};
BOOST_DESCRIBE_STRUCT(issue_fields, (), (number, title, body))

struct issues_opened : webhooks::events::github_common {
    static constexpr std::string_view event_name = "issues.opened";
    issue_fields issue;
};
BOOST_DESCRIBE_STRUCT(issues_opened, (webhooks::events::github_common), (issue))

namespace {

int greeted = 0, commits_seen = 0;

// GitHub's side of the demo: a signed delivery, as it arrives at the server.
struct delivery {
    std::string event;  // X-GitHub-Event
    std::string body;
    webhooks::signed_headers headers;  // X-GitHub-Delivery and X-Hub-Signature-256
};

// What an HTTP server does with a delivery: view it as a basic_request (no copy) and let the endpoint answer.
template <class Endpoint>
webhooks::response receive(const Endpoint& endpoint, const delivery& d) {
    std::vector<webhooks::header_field> headers{{"Content-Type", "application/json"}, {"X-GitHub-Event", d.event}};
    for (const auto& h : d.headers) headers.push_back({h.name, h.value});
    return endpoint.handle(webhooks::basic_request{"POST", "/webhooks/github", headers, d.body});
}

} // namespace

int main() {
    const char* env = std::getenv("GITHUB_WEBHOOK_SECRET");
    const webhooks::secret hook_secret{env ? env : "github-bot-demo-secret"};

    // 2. Handlers: return normally for "done" (200); throw to have the delivery retried (500). GitHub does not
    //    retry by itself, but a failed delivery can be redelivered from the hook's settings, with the same
    //    X-GitHub-Delivery: the store recognises it if it was handled after all.
    webhooks::events::dispatcher<> events;
    events.on<push>([](const push& p) {
        commits_seen += static_cast<int>(p.commits.size());
        std::printf("  -> %zu commit(s) pushed to %s of %s\n", p.commits.size(), p.ref.c_str(),
                    p.repository ? p.repository->full_name.c_str() : "?");
    });
    events.on<issues_opened>([](const issues_opened& e, const webhooks::events::delivery& d) {
        ++greeted;  // a real bot would post "Thanks for the report!" through the GitHub API here
        std::printf("  -> greeting the author of #%lld \"%s\" (delivery %.*s)\n",
                    static_cast<long long>(e.issue.number), e.issue.title.c_str(), static_cast<int>(d.id().size()),
                    d.id().data());
    });
    events.on_unknown([](const webhooks::events::delivery& d) {
        std::printf("  -> acknowledged %.*s\n", static_cast<int>(d.type().size()), d.type().data());
    });

    // 3. The endpoint. A memory store suits one process; use idempotency::sqlite_store or redis_store when several
    //    instances receive the same hook.
    webhooks::idempotency::memory_store store;
    webhooks::endpoint bot{webhooks::providers::github{hook_secret}, store, std::move(events)};

    // 4. Play GitHub: `sign` makes X-Hub-Signature-256 (and X-GitHub-Delivery, the id deduplication uses).
    const webhooks::providers::github github{hook_secret};
    auto deliver = [&](std::string event, std::string body, std::string guid) {
        auto headers = github.sign(body, {.id = std::move(guid)});
        return delivery{std::move(event), std::move(body), std::move(headers)};
    };
    const std::string repository = R"("repository":{"id":1,"name":"bot","full_name":"octo/bot","private":false,)"
                                   R"("html_url":"https://github.com/octo/bot"})";
    const std::string opened = R"({"action":"opened","issue":{"number":1347,"title":"Found a bug","body":null},)" +
                               repository + R"(,"sender":{"login":"octocat","id":1,"type":"User"}})";
    const std::string pushed = R"({"ref":"refs/heads/main","before":"6113728","after":"59b20b8","commits":[)"
                               R"({"id":"59b20b8","message":"Fix the bug","author":{"name":"Mona"}}],)" +
                               repository + "}";
    struct step {
        const char* what;
        delivery d;
        unsigned expected;
    };
    const step steps[] = {
        {"ping (sent when the hook is created)", deliver("ping", R"({"zen":"Keep it simple."})", "g-1"), 200},
        {"issue opened", deliver("issues", opened, "g-2"), 200},
        {"the same delivery, redelivered by hand", deliver("issues", opened, "g-2"), 200},
        {"push", deliver("push", pushed, "g-3"), 200},
        {"issue closed (no handler)", deliver("issues", R"({"action":"closed","issue":{}})", "g-4"), 200},
    };

    bool ok = true;
    for (const step& s : steps) {
        std::printf("%s\n", s.what);
        webhooks::response r = receive(bot, s.d);
        std::string replayed(r.header("Idempotent-Replayed"));
        std::printf("  <- %u %s%s\n", r.status, replayed.empty() ? "" : "(replayed) ", r.body.c_str());
        ok = ok && r.status == s.expected;
    }

    // A delivery signed with another secret never reaches a handler.
    std::printf("a forged push\n");
    delivery forged = deliver("push", pushed, "g-5");
    const webhooks::providers::github forger{webhooks::secret{"not-our-secret"}};
    forged.headers.back().value = forger.sign(pushed).back().value;  // X-Hub-Signature-256
    webhooks::response r = receive(bot, forged);
    std::printf("  <- %u %s", r.status, r.body.c_str());
    ok = ok && r.status == 401;

    ok = ok && greeted == 1 && commits_seen == 1;  // the redelivery was recognised: one greeting
    std::printf("%s\n", ok ? "all answers as expected" : "UNEXPECTED ANSWER");
    return ok ? 0 : 1;
}
