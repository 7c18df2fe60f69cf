// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_EVENTS_DISPATCHER_HPP
#define WEBHOOKS_EVENTS_DISPATCHER_HPP

/// @file
/// The typed event dispatcher: event type → C++ type → decode → callbacks. Handlers are registered before serving;
/// dispatching takes no lock and can run on many threads at once.

#include <webhooks/events/codec.hpp>
#include <webhooks/events/event.hpp>
#include <webhooks/events/json_codec.hpp>
#include <webhooks/signature/scheme.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace webhooks::events {

/// What a handler sees of a delivery besides its typed event.
class delivery {
public:
    /// @param verified the verified request.
    /// @param type the resolved event type (`"issues.opened"`).
    /// @param id the event id deduplication used (may be empty).
    /// @param renew extends the claim's lease; empty when there is no claim.
    delivery(const verified_delivery& verified, std::string_view type, std::string_view id,
             std::function<bool()> renew = {})
        : verified_(verified), type_(type), id_(id), renew_(std::move(renew)) {}

    /// @return the event type, e.g. `"payment_intent.succeeded"`, `"issues.opened"`.
    std::string_view type() const noexcept { return type_; }
    /// @return the provider's event id (`evt_…`, the `webhook-id`, the `X-GitHub-Delivery`), if known.
    std::string_view id() const noexcept { return id_; }
    /// @return the provider's name.
    std::string_view provider() const noexcept { return verified_.provider(); }
    /// @return the raw verified body.
    std::string_view body() const noexcept { return verified_.body(); }
    /// @return the signed timestamp, if any.
    std::optional<std::int64_t> timestamp() const noexcept { return verified_.timestamp(); }
    /// @return the whole verified delivery.
    const verified_delivery& verified() const noexcept { return verified_; }

    /// Extends the claim on this event by a lease from now: call it from a handler that runs longer than the lease
    /// (60 s by default), or another instance may take the event over.
    /// @return false when there is no claim or the lease was already lost.
    bool renew_lease() const { return renew_ && renew_(); }

private:
    const verified_delivery& verified_;
    std::string_view type_;
    std::string_view id_;
    std::function<bool()> renew_;
};

/// How a dispatch ended.
struct dispatch_result {
    events::outcome outcome = events::outcome::done;
    bool unknown = false;     ///< No handler at all saw it: none for its type and no `on_any` (acknowledged).
    std::string error{};      ///< Why, when not done: a decode error or a handler's exception message.
};

namespace detail {

template <class F, class T>
concept handler_with_delivery = std::invocable<F&, const T&, const delivery&>;
template <class F, class T>
concept handler_event_only = std::invocable<F&, const T&>;

template <class R>
constexpr bool valid_handler_result = std::is_void_v<R> || std::is_same_v<std::remove_cvref_t<R>, outcome>;

// Calls f with the arguments it takes; void means done.
template <class T, class F>
outcome call_handler(F& f, const T& event, const delivery& d) {
    if constexpr (handler_with_delivery<F, T>) {
        if constexpr (std::is_void_v<std::invoke_result_t<F&, const T&, const delivery&>>) {
            std::invoke(f, event, d);
            return outcome::done;
        } else {
            return std::invoke(f, event, d);
        }
    } else {
        if constexpr (std::is_void_v<std::invoke_result_t<F&, const T&>>) {
            std::invoke(f, event);
            return outcome::done;
        } else {
            return std::invoke(f, event);
        }
    }
}

struct transparent_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

} // namespace detail

/// Routes verified deliveries to typed handlers.
///
/// - `on<T>(f)`: `f` takes `(const T&)` or `(const T&, const delivery&)` and returns nothing (done) or an
///   `outcome`. Several handlers per type run in the order registered (handlers of one type registered one
///   after another share one decode); a handler for `"issues"` also sees every `"issues.*"`. An exception is a
///   retryable failure. The first handler that does not answer done stops the rest,
///   and a retry runs them all again: give each effect its own idempotent handler, or one handler per event.
/// - `on_any(f)`: `f(const delivery&)` sees every delivery first, known or not; may return an outcome.
/// - `on_unknown(f)`: `f(const delivery&)` sees types no typed handler was registered for (they are
///   acknowledged; with an `on_any` handler they count as handled, without one as unknown).
/// - `on_error(f)`: `f(const delivery&, const decode_error&)` sees payloads that are JSON but do not fit their
///   type. Such a delivery is a retryable failure by default (a fixed deploy gets it on the retry); make it
///   permanent with `decode_failures(outcome::permanent)`.
///
/// @par Example
/// @code
/// webhooks::events::dispatcher<> events;
/// events.on<payment_intent_succeeded>([&](const payment_intent_succeeded& pi, const events::delivery& d) {
///     orders.mark_paid(pi.id, pi.amount);   // throws? the claim is released and Stripe retries
/// });
/// events.on_unknown([](const events::delivery& d) { log("ignored {}", d.type()); });
/// @endcode
template <class C = json_codec>
class dispatcher {
    static_assert(Codec<C>, "webhooks::events::dispatcher<C>: C must model webhooks::events::Codec (document, "
                            "parse(body) -> optional<document>, text_at(doc, pointer) -> optional<string>)");

public:
    using codec_type = C;
    using document = typename C::document;

    explicit dispatcher(C codec = {}) : codec_(std::move(codec)) {}

    /// Registers a handler for event type `T` (and every `T::event_name.*`).
    template <Event T, class F>
    dispatcher& on(F f) {
        static_assert(CodecFor<C, T>, "dispatcher::on<T>: the codec cannot decode T (describe T's members with "
                                      "BOOST_DESCRIBE_STRUCT, or give Boost.JSON a conversion for it)");
        static_assert(detail::handler_with_delivery<F, T> || detail::handler_event_only<F, T>,
                      "dispatcher::on<T>(f): f must be callable as f(const T&) or f(const T&, const "
                      "webhooks::events::delivery&)");
        if constexpr (detail::handler_with_delivery<F, T>)
            static_assert(detail::valid_handler_result<std::invoke_result_t<F&, const T&, const delivery&>>,
                          "dispatcher::on<T>(f): f must return void or webhooks::events::outcome");
        else if constexpr (detail::handler_event_only<F, T>)
            static_assert(detail::valid_handler_result<std::invoke_result_t<F&, const T&>>,
                          "dispatcher::on<T>(f): f must return void or webhooks::events::outcome");
        // Handlers of one type registered one after another share a group, which decodes the payload once.
        std::vector<group_ptr>& groups = routes_[std::string(T::event_name)];
        if (groups.empty() || !groups.back()->template holds<T>()) groups.push_back(group_ptr(new typed_group<T>));
        static_cast<typed_group<T>&>(*groups.back()).handlers.push_back(
            [f = std::move(f)](const T& event, const delivery& d) mutable {
                return detail::call_handler<T>(f, event, d);
            });
        return *this;
    }

    /// Registers a handler that sees every delivery before the typed ones.
    template <class F>
    dispatcher& on_any(F f) {
        static_assert(std::invocable<F&, const delivery&>, "dispatcher::on_any(f): f must take (const delivery&)");
        static_assert(detail::valid_handler_result<std::invoke_result_t<F&, const delivery&>>,
                      "dispatcher::on_any(f): f must return void or webhooks::events::outcome");
        any_.push_back([f = std::move(f)](const delivery& d) mutable -> outcome {
            if constexpr (std::is_void_v<std::invoke_result_t<F&, const delivery&>>) {
                f(d);
                return outcome::done;
            } else {
                return f(d);
            }
        });
        return *this;
    }

    /// Registers the handler for types nobody registered.
    dispatcher& on_unknown(std::function<void(const delivery&)> f) {
        unknown_ = std::move(f);
        return *this;
    }

    /// Registers the handler for payloads that do not fit their type.
    dispatcher& on_error(std::function<void(const delivery&, const decode_error&)> f) {
        error_ = std::move(f);
        return *this;
    }

    /// Sets what a payload that does not fit its type means: `retry_later` (default) or `permanent`.
    dispatcher& decode_failures(outcome o) {
        decode_failure_ = o;
        return *this;
    }

    /// @return the codec.
    const C& codec() const noexcept { return codec_; }

    /// @return true when some handler would see type `type`.
    bool handles(std::string_view type) const {
        bool found = false;
        for_each_route(type, [&](const auto&) { found = true; });
        return found;
    }

    /// Runs the handlers for `d` over the parsed body `doc`. Thread-safe; takes no lock.
    dispatch_result dispatch(const document& doc, const delivery& d) const {
        dispatch_result result;
        try {
            for (const auto& f : any_) {
                result.outcome = f(d);
                if (result.outcome != outcome::done) return result;
            }
            bool found = false;
            std::optional<decode_error> failed;
            bool stop = false;
            for_each_route(d.type(), [&](const auto& groups) {
                for (const auto& g : groups) {
                    if (stop) return;
                    found = true;
                    result.outcome = g->run(codec_, doc, d, failed);
                    if (failed) {
                        if (error_) error_(d, *failed);
                        result.outcome = decode_failure_;
                        result.error = failed->what();
                        stop = true;
                    } else if (result.outcome != outcome::done) {
                        stop = true;
                    }
                }
            });
            if (!found) {
                result.unknown = any_.empty();  // an on_any handler counts as handling it
                if (unknown_) unknown_(d);
            }
        } catch (const std::exception& e) {
            result.outcome = outcome::retry_later;
            result.error = e.what();
        } catch (...) {
            result.outcome = outcome::retry_later;
            result.error = "unknown exception";
        }
        return result;
    }

private:
    // The handlers of one event type, in registration order: the payload is decoded once, then each runs until one
    // does not return done. Copying a dispatcher copies its groups.
    struct group {
        virtual ~group() = default;
        virtual std::unique_ptr<group> clone() const = 0;
        virtual outcome run(const C& codec, const document& doc, const delivery& d,
                            std::optional<decode_error>& failed) const = 0;
        virtual const void* tag() const noexcept = 0;
        template <class T>
        bool holds() const noexcept {
            return tag() == &type_tag<T>;
        }
    };
    template <class T>
    static constexpr char type_tag = 0;  // its address names T, without RTTI
    template <class T>
    struct typed_group final : group {
        std::vector<std::function<outcome(const T&, const delivery&)>> handlers;
        const void* tag() const noexcept override { return &type_tag<T>; }
        std::unique_ptr<group> clone() const override { return std::make_unique<typed_group>(*this); }
        outcome run(const C& codec, const document& doc, const delivery& d,
                    std::optional<decode_error>& failed) const override {
            decoded<T> event = codec.template decode<T>(doc, payload_pointer_of<T>());
            if (!event) {
                failed = std::move(event.error());
                return outcome::retry_later;
            }
            for (const auto& h : handlers)
                if (outcome o = h(*event, d); o != outcome::done) return o;
            return outcome::done;
        }
    };
    // A group owned by value.
    class group_ptr {
    public:
        explicit group_ptr(group* g) : g_(g) {}
        group_ptr(const group_ptr& o) : g_(o.g_->clone()) {}
        group_ptr(group_ptr&&) noexcept = default;
        group_ptr& operator=(const group_ptr& o) { return *this = group_ptr(o); }
        group_ptr& operator=(group_ptr&&) noexcept = default;
        group* operator->() const noexcept { return g_.get(); }
        group& operator*() const noexcept { return *g_; }

    private:
        std::unique_ptr<group> g_;
    };

    // Visits the handler lists registered for `type` and for each of its dot-prefixes, shortest first.
    template <class Visit>
    void for_each_route(std::string_view type, Visit&& visit) const {
        for (std::size_t dot = type.find('.'); dot != std::string_view::npos; dot = type.find('.', dot + 1))
            if (auto it = routes_.find(type.substr(0, dot)); it != routes_.end()) visit(it->second);
        if (auto it = routes_.find(type); it != routes_.end()) visit(it->second);
    }

    C codec_;
    std::unordered_map<std::string, std::vector<group_ptr>, detail::transparent_hash, std::equal_to<>> routes_;
    std::vector<std::function<outcome(const delivery&)>> any_;
    std::function<void(const delivery&)> unknown_;
    std::function<void(const delivery&, const decode_error&)> error_;
    outcome decode_failure_ = outcome::retry_later;
};

/// @return the event type of a delivery, as the scheme's `fields()` say: from a header or the body, with GitHub's
///         body `action` appended (`"issues"` + `"opened"` → `"issues.opened"`). Empty when there is none.
template <class C>
std::string event_type_of(const event_fields& fields, const verified_delivery& d, const C& codec,
                          const typename C::document& doc) {
    std::string type;
    if (fields.type.where == field_source::kind::header) {
        type = std::string(d.event_type());
    } else if (fields.type.where == field_source::kind::body) {
        type = codec.text_at(doc, fields.type.name).value_or(std::string{});
        if (type.empty() && !fields.type.fallback.empty())
            type = codec.text_at(doc, fields.type.fallback).value_or(std::string{});
    }
    if (!type.empty() && fields.type_action.where == field_source::kind::body)
        if (auto action = codec.text_at(doc, fields.type_action.name); action && !action->empty())
            type += '.' + *action;
    return type;
}

} // namespace webhooks::events

#endif
