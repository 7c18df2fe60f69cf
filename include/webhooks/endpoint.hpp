// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_ENDPOINT_HPP
#define WEBHOOKS_ENDPOINT_HPP

/// @file
/// The composition: verify (parser), deduplicate (key policy + store + claim guard), dispatch (typed handlers), and
/// answer so the sender does the right thing. `handle(request)` gives the response to send.
///
/// | situation                                         | response                                              |
/// |---------------------------------------------------|-------------------------------------------------------|
/// | handled (or an unknown type, acknowledged)        | 200                                                   |
/// | duplicate of a completed delivery                 | 200, `Idempotent-Replayed: true` (stored response)    |
/// | duplicate while the first is in progress          | 409, `Retry-After`                                    |
/// | same id, different body                           | 409                                                   |
/// | signature missing or wrong, timestamp outside     | 401                                                   |
/// | malformed request or payload, no event id         | 400                                                   |
/// | body too large / wrong method / wrong media type  | 413 / 405 / 415                                       |
/// | handler failed, retryable (or threw)              | 500, claim released                                   |
/// | handler failed permanently (poison event)         | 200, recorded as failed, dead-letter hook called      |
/// | dedup store unavailable                           | 503, `Retry-After` (or handled without dedup: fail open) |
///
/// Never 410: Standard Webhooks senders disable the whole endpoint on 410.

#include <webhooks/error.hpp>
#include <webhooks/events/codec.hpp>
#include <webhooks/events/dispatcher.hpp>
#include <webhooks/events/json_codec.hpp>
#include <webhooks/idempotency/guard.hpp>
#include <webhooks/idempotency/key_policy.hpp>
#include <webhooks/idempotency/store.hpp>
#include <webhooks/parser.hpp>
#include <webhooks/request.hpp>
#include <webhooks/response.hpp>
#include <webhooks/signature/scheme.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace webhooks {

/// What the endpoint tells its observer about one delivery. Views live only during the call. No secrets.
struct observation {
    std::string_view provider{};     ///< The scheme's name.
    std::string_view outcome{};      ///< `handled`, `unknown`, `duplicate`, `in_progress`, `payload_mismatch`,
                                     ///< `rejected`, `handshake`, `retry`, `dead_letter`, `store_unavailable`.
    std::string_view type{};         ///< The event type, when known.
    std::string_view id{};           ///< The event id, when known.
    unsigned status = 0;             ///< The HTTP status answered.
    boost::system::error_code reason{};  ///< Why, for rejections and failures.
    std::string_view header{};       ///< The header at fault, for rejections about a header.
    std::string_view detail{};       ///< A handler's exception message or a decode error, for failures.
    std::chrono::microseconds elapsed{};  ///< Since `handle` started.
};

/// Callbacks for logs and metrics. Each is optional and must be thread-safe; each is called at most once per
/// delivery, `completed` always last. An exception from a callback is ignored. `verified` comes before the event
/// type is read, so its `type` is empty.
struct observer {
    std::function<void(const observation&)> verified;     ///< The signature checked out (before deduplication).
    std::function<void(const observation&)> rejected;     ///< Refused before handling (4xx): `reason` says why.
    std::function<void(const observation&)> duplicate;    ///< A completed event arrived again.
    std::function<void(const observation&)> in_progress;  ///< The event is being handled elsewhere (409).
    std::function<void(const observation&)> handled;      ///< Handlers ran and the claim was committed.
    std::function<void(const observation&)> failed;       ///< A handler failed (500, or dead-lettered) or the store
                                                          ///< was unavailable (503).
    std::function<void(const observation&)> completed;    ///< Every delivery, with its final status.
};

/// Options of an endpoint. Every default follows DESIGN's outcome table.
struct endpoint_options {
    webhooks::limits limits{};  ///< Method, body size and media types accepted.
    std::chrono::milliseconds lease = idempotency::default_lease;  ///< How long a claim protects a running handler.
    std::optional<std::chrono::milliseconds> retention{};  ///< How long events are remembered (the preset's default).
    bool fail_open = false;         ///< Store unavailable: handle without deduplication instead of answering 503.
    bool replay_responses = false;  ///< Keep each handled response and send it again to duplicates.
    /// Keep a SHA-256 of each body with its claim, and answer 409 `payload_mismatch` to a delivery whose event id
    /// was seen with another body (a sender bug, or a key policy reading a field that is not unique). Costs one
    /// hash of every body (about as much as its HMAC); turn off only when the ids are trusted to be unique.
    bool check_payload = true;
    std::chrono::seconds store_retry_after{10};  ///< Retry-After of a 503.
    int commit_attempts = 3;        ///< Tries to record a handled event when the store falters (bounded).
    /// Called for an event whose handler failed permanently, after it is recorded as failed.
    std::function<void(const events::delivery&, std::string_view why)> dead_letter{};
};

/// One webhook URL: a provider's scheme, a deduplication store, and the typed handlers.
///
/// `handle` is const and thread-safe: call it from as many threads as the server has. The store is shared by
/// reference (several endpoints may share one); the dispatcher is owned and must be complete before serving.
/// A handler runs on the thread that called `handle`, so a slow handler holds that request only; size the
/// server's thread pool for the slowest handler, or answer fast and queue the work.
///
/// @par Example
/// @code
/// idempotency::sqlite_store store{{.path = "webhooks.sqlite"}};
/// events::dispatcher<> stripe_events;
/// stripe_events.on<payment_intent_succeeded>([&](const payment_intent_succeeded& pi) { shop.mark_paid(pi.id); });
/// endpoint stripe{providers::stripe{secret{std::getenv("STRIPE_WEBHOOK_SECRET")}}, store, std::move(stripe_events)};
/// response r = stripe.handle(basic_request{method, target, headers, body});
/// @endcode
template <class Scheme, class Store, class Codec = events::json_codec,
          class Policy = idempotency::field_key_policy>
class endpoint {
    static_assert(SignatureScheme<Scheme>, "webhooks::endpoint: Scheme must model webhooks::SignatureScheme");
    static_assert(idempotency::detail::check_store<Store>());
    static_assert(events::Codec<Codec>, "webhooks::endpoint: Codec must model webhooks::events::Codec");
    static_assert(idempotency::KeyPolicy<Policy>, "webhooks::endpoint: Policy must model KeyPolicy "
                                                  "(key(const verified_delivery&) -> result<optional<string>>)");

public:
    /// @param scheme the provider's scheme, keys set.
    /// @param store the deduplication store; must outlive the endpoint.
    /// @param dispatcher the handlers.
    /// @param options limits, lease, retention, failure modes.
    endpoint(Scheme scheme, Store& store, events::dispatcher<Codec> dispatcher, endpoint_options options = {})
        requires std::same_as<Policy, idempotency::field_key_policy>
        : endpoint(scheme, store, std::move(dispatcher), std::move(options),
                   idempotency::field_key_policy::for_scheme(scheme)) {}

    /// @param policy how the idempotency key is made.
    endpoint(Scheme scheme, Store& store, events::dispatcher<Codec> dispatcher, endpoint_options options,
             Policy policy)
        : parser_(std::move(scheme), options.limits), store_(&store), dispatcher_(std::move(dispatcher)),
          options_(std::move(options)), policy_(std::move(policy)) {
        limits_ = parser_.limits();
        if (!options_.retention) options_.retention = idempotency::retention_for<Scheme>();
    }

    /// Sets the observer (before serving).
    endpoint& set_observer(webhooks::observer o) {
        observer_ = std::move(o);
        const auto& h = observer_;
        observed_ = h.verified || h.rejected || h.duplicate || h.in_progress || h.handled || h.failed || h.completed;
        return *this;
    }

    /// @return the scheme.
    const Scheme& scheme() const noexcept { return parser_.scheme(); }
    /// @return the limits in force (set Beast's body limit from `limits().max_body`).
    const webhooks::limits& limits() const noexcept { return limits_; }
    /// @return the options.
    const endpoint_options& options() const noexcept { return options_; }

    /// Handles one request from end to end.
    /// @return the response to send.
    template <Request R>
    response handle(const R& request) const {
        run r{*this, observed_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point()};
        r.obs.provider = scheme().name();

        auto verified = parser_.parse(request);
        if (!verified) return r.reject(verified.error(), "rejected");
        r.notify(observer_.verified);

        auto doc = dispatcher_.codec().parse(verified->body());
        if (!doc) return r.reject(webhooks::reject(error::malformed_payload), "rejected");
        const std::string type = events::event_type_of(scheme().fields(), *verified, dispatcher_.codec(), *doc);
        r.obs.type = type;

        if constexpr (requires { Scheme::handshake_type; Scheme::handshake_challenge; }) {
            if (type == Scheme::handshake_type) {
                auto challenge = dispatcher_.codec().text_at(*doc, Scheme::handshake_challenge);
                if (!challenge) return r.reject(webhooks::reject(error::malformed_payload), "rejected");
                auto body = boost::json::serialize(boost::json::object{{"challenge", *challenge}});
                return r.finish(json(200, std::move(body)), "handshake", nullptr);
            }
        }

        auto key = key_of(*verified, *doc);
        if (!key) return r.reject(key.error(), "rejected");
        std::string_view id;
        if (*key) id = std::string_view(**key).substr((*key)->find(':') + 1);
        r.obs.id = id;

        if (!*key) return r.dispatch_unclaimed(*doc, *verified, type, id);
        idempotency::body_hash_buffer hash_text;
        const std::string_view body_hash =
            options_.check_payload ? idempotency::body_hash(verified->body(), hash_text) : std::string_view();
        auto attempt = idempotency::try_claim(*store_, **key, body_hash, options_.lease);
        if (!attempt) {
            r.obs.reason = attempt.error();
            if (options_.fail_open) return r.dispatch_unclaimed(*doc, *verified, type, id);
            response out = text(503, "idempotency store unavailable; retry later");
            out.headers.emplace_back("Retry-After", std::to_string(options_.store_retry_after.count()));
            return r.finish(std::move(out), "store_unavailable", &observer::failed);
        }
        switch (attempt->status()) {
        case idempotency::claim_status::in_progress: {
            auto seconds = (attempt->claim.lease_left.count() + 999) / 1000;
            response out = text(409, "this event is being handled; retry later");
            out.headers.emplace_back("Retry-After", std::to_string(seconds < 1 ? 1 : seconds));
            r.obs.reason = make_error_code(error::delivery_in_progress);
            return r.finish(std::move(out), "in_progress", &observer::in_progress);
        }
        case idempotency::claim_status::payload_mismatch:
            r.obs.reason = make_error_code(error::payload_mismatch);
            return r.finish(text(409, "this event id was delivered before with a different body"), "payload_mismatch",
                            &observer::rejected);
        case idempotency::claim_status::completed: {
            const auto& outcome = attempt->claim.outcome;
            response out = outcome.response ? stored(*outcome.response) : json(200, R"({"status":"duplicate"})");
            out.headers.emplace_back("Idempotent-Replayed", "true");
            return r.finish(std::move(out), "duplicate", &observer::duplicate);
        }
        case idempotency::claim_status::acquired: break;
        }

        auto& guard = *attempt->guard;
        std::function<bool()> renew = [&guard, lease = options_.lease] { return guard.renew(lease).has_value(); };
        events::delivery d{*verified, type, id, std::move(renew)};
        events::dispatch_result result = dispatcher_.dispatch(*doc, d);
        r.obs.detail = result.error;
        if (result.outcome == events::outcome::retry_later) {
            (void)guard.release();
            return r.finish(text(500, "handler failed; retry later"), "retry", &observer::failed);
        }
        const bool permanent = result.outcome == events::outcome::permanent;
        response out = permanent ? json(200, R"({"status":"failed"})")
                                 : json(200, result.unknown ? R"({"status":"ignored"})" : R"({"status":"handled"})");
        idempotency::completion done{permanent, std::nullopt};
        if (options_.replay_responses) done.response = idempotency::stored_response{out.status, "application/json", out.body};
        for (int i = 0; i < options_.commit_attempts; ++i) {
            auto committed = guard.commit(done, *options_.retention);
            if (committed || committed.error() != error::store_unavailable) {
                if (!committed) r.obs.reason = committed.error();
                break;
            }
            r.obs.reason = committed.error();
            if (i + 1 < options_.commit_attempts) std::this_thread::sleep_for(std::chrono::milliseconds(20 << i));
        }
        guard.dismiss();  // never release a claim whose effect happened: its lease holds copies off
        // The effect happened: answer 200 whatever the commit said, so the sender does not make it happen again.
        if (permanent) {
            call_dead_letter(d, result.error);
            return r.finish(std::move(out), "dead_letter", &observer::failed);
        }
        return r.finish(std::move(out), result.unknown ? "unknown" : "handled", &observer::handled);
    }

private:
    // The state of one `handle` call: the observation being filled, and how a response is finished.
    struct run {
        const endpoint& self;
        std::chrono::steady_clock::time_point start;
        observation obs{};

        void notify(const std::function<void(const observation&)>& hook) noexcept {
            if (!hook) return;
            obs.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
            try {
                hook(obs);
            } catch (...) {  // an observer's failure must not change the answer
            }
        }
        response finish(response out, std::string_view outcome,
                        std::function<void(const observation&)> observer::*hook) {
            obs.outcome = outcome;
            obs.status = out.status;
            if (hook) notify(self.observer_.*hook);
            notify(self.observer_.completed);
            return out;
        }
        response reject(const rejection& why, std::string_view outcome) {
            obs.reason = why.code;
            obs.header = why.header();
            response out = text(why.status(), why.message());
            if (why == error::method_not_allowed) {
                std::string allow;
                for (const auto& m : self.limits_.methods) allow += (allow.empty() ? "" : ", ") + m;
                out.headers.emplace_back("Allow", allow);
            }
            return finish(std::move(out), outcome, &observer::rejected);
        }
        // Handling without a claim: the policy bypasses deduplication, or the store is down and we fail open.
        response dispatch_unclaimed(const typename Codec::document& doc, const verified_delivery& v,
                                    std::string_view type, std::string_view id) {
            events::delivery d{v, type, id};
            auto result = self.dispatcher_.dispatch(doc, d);
            obs.detail = result.error;
            if (result.outcome == events::outcome::retry_later)
                return finish(text(500, "handler failed; retry later"), "retry", &observer::failed);
            if (result.outcome == events::outcome::permanent) {
                self.call_dead_letter(d, result.error);
                return finish(json(200, R"({"status":"failed"})"), "dead_letter", &observer::failed);
            }
            return finish(json(200, result.unknown ? R"({"status":"ignored"})" : R"({"status":"handled"})"),
                          result.unknown ? "unknown" : "handled", &observer::handled);
        }
    };

    void call_dead_letter(const events::delivery& d, std::string_view why) const noexcept {
        if (!options_.dead_letter) return;
        try {
            options_.dead_letter(d, why);
        } catch (...) {  // the event is recorded as failed whatever the hook does
        }
    }

    result<std::optional<std::string>> key_of(const verified_delivery& v, const typename Codec::document& doc) const {
        if constexpr (requires { policy_.key(v, [](std::string_view) { return std::optional<std::string>(); }); })
            return policy_.key(v, [&](std::string_view pointer) { return dispatcher_.codec().text_at(doc, pointer); });
        else
            return policy_.key(v);
    }

    static response text(unsigned status, std::string body) {
        body += '\n';
        return with_type(status, "text/plain; charset=utf-8", std::move(body));
    }
    static response json(unsigned status, std::string body) {
        return with_type(status, "application/json", std::move(body));
    }
    static response with_type(unsigned status, std::string_view type, std::string body) {
        response out{status, {}, std::move(body)};
        out.headers.reserve(2);  // room for Retry-After or Idempotent-Replayed
        out.headers.emplace_back("Content-Type", type);
        return out;
    }
    static response stored(const idempotency::stored_response& s) {
        response out{s.status, {}, s.body};
        if (!s.content_type.empty()) out.headers.emplace_back("Content-Type", s.content_type);
        return out;
    }

    parser<Scheme> parser_;
    Store* store_;
    events::dispatcher<Codec> dispatcher_;
    endpoint_options options_;
    Policy policy_;
    webhooks::limits limits_;
    webhooks::observer observer_;
    bool observed_ = false;  // some hook is set: only then is the time read
};

} // namespace webhooks

#endif
