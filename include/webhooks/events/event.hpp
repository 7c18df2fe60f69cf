// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_EVENTS_EVENT_HPP
#define WEBHOOKS_EVENTS_EVENT_HPP

/// @file
/// What makes a C++ struct an event type: a name the provider uses for it, and optionally where its payload sits
/// in the envelope. Its members are described with Boost.Describe so the codec can fill them.

#include <concepts>
#include <string_view>

namespace webhooks::events {

/// What a handler tells the endpoint.
enum class outcome {
    done,         ///< The effect happened: commit the claim, answer 200.
    retry_later,  ///< A passing failure: release the claim, answer 500 so the sender retries.
    permanent,    ///< A poison event: record it as failed (dead-letter hook), answer 200 so the sender stops.
};

/// An **Event** is a struct the dispatcher decodes deliveries into.
///
/// Requirements, for a type `T`:
/// 1. `T::event_name` converts to `std::string_view`: the provider's event type (`"payment_intent.succeeded"`,
///    `"issues.opened"`). A handler also receives every type that extends its name by a dot: `"issues"` sees
///    `"issues.opened"`, `"customer.subscription"` sees `"customer.subscription.created"`.
/// 2. Optionally `T::payload_pointer`, a JSON pointer to where `T` sits inside the envelope (`"/data/object"` for
///    Stripe objects); absent, `T` is the whole body.
/// 3. `T` is default-constructible and described with `BOOST_DESCRIBE_STRUCT` (or converts from JSON through
///    Boost.JSON's `tag_invoke`), so the codec can fill it. String members may be `std::string_view`: they then
///    view the parsed body instead of copying it, and are valid only during the handler call.
///
/// @par Example
/// @code
/// struct payment_intent_succeeded {
///     static constexpr std::string_view event_name = "payment_intent.succeeded";
///     static constexpr std::string_view payload_pointer = "/data/object";
///     std::string id;
///     std::int64_t amount = 0;
///     std::string currency;
///     std::optional<std::string> customer;
/// };
/// BOOST_DESCRIBE_STRUCT(payment_intent_succeeded, (), (id, amount, currency, customer))
/// @endcode
template <class T>
concept Event = std::default_initializable<T> && requires {
    { T::event_name } -> std::convertible_to<std::string_view>;
};

/// @return `T::payload_pointer`, or the whole body ("").
template <Event T>
constexpr std::string_view payload_pointer_of() noexcept {
    if constexpr (requires { { T::payload_pointer } -> std::convertible_to<std::string_view>; })
        return T::payload_pointer;
    else
        return {};
}

} // namespace webhooks::events

#endif
