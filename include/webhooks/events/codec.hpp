// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_EVENTS_CODEC_HPP
#define WEBHOOKS_EVENTS_CODEC_HPP

/// @file
/// The `Codec` concept: how a verified body becomes a document, how fields are read from it (event id, event type)
/// and how events are decoded from it. The body is parsed once per delivery; everything reads that document.

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <boost/throw_exception.hpp>

#include <concepts>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace webhooks::events {

/// Why a payload did not fit its type: where (a JSON pointer) and what.
struct decode_error {
    std::string path;     ///< e.g. `/data/object/amount`; empty for the root.
    std::string message;  ///< e.g. `expected an integer`, `missing required field`.

    /// @return `"<message> at <path>"`.
    std::string what() const { return message + " at " + (path.empty() ? std::string("/") : path); }
};

/// Lets `result<T, decode_error>::value()` throw.
[[noreturn]] inline void throw_exception_from_error(const decode_error& e, const boost::source_location& loc) {
    boost::throw_exception(std::invalid_argument(e.what()), loc);
}

/// A decoded event, or why the payload did not fit.
template <class T>
using decoded = boost::system::result<T, decode_error>;

/// A **Codec** turns a body into a document and reads from it.
///
/// Requirements, for `const C& c`, `std::string_view body, pointer` and `const typename C::document& doc`:
/// 1. `typename C::document`: a parsed body, movable.
/// 2. `c.parse(body)` returns `std::optional<typename C::document>`: nothing when the body is not in the codec's
///    format at all (the endpoint answers 400).
/// 3. `c.text_at(doc, pointer)` returns `std::optional<std::string>`: the string (or integer, as text) at a JSON
///    pointer, or nothing when absent or of another type. Used for event ids and types.
/// 4. `c.template decode<T>(doc, pointer)` returns `decoded<T>` for every event type `T` registered with a
///    dispatcher: the value at `pointer` ("" = the root) as a `T`, ignoring fields `T` does not have, or the path
///    and reason it does not fit.
///
/// `json_codec` (Boost.JSON) is the default.
template <class C>
concept Codec = std::movable<typename C::document> && requires(const C& c, std::string_view text, const typename C::document& doc) {
    typename C::document;
    { c.parse(text) } -> std::same_as<std::optional<typename C::document>>;
    { c.text_at(doc, text) } -> std::same_as<std::optional<std::string>>;
};

/// A codec that can decode `T` (requirement 4 of `Codec`).
template <class C, class T>
concept CodecFor = Codec<C> && requires(const C& c, const typename C::document& doc, std::string_view pointer) {
    { c.template decode<T>(doc, pointer) } -> std::same_as<decoded<T>>;
};

} // namespace webhooks::events

#endif
