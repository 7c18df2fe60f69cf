// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_EVENTS_JSON_CODEC_HPP
#define WEBHOOKS_EVENTS_JSON_CODEC_HPP

/// @file
/// `json_codec`, the default `Codec`: Boost.JSON documents, RFC 6901 pointers, and a lenient decoder for described
/// structs that ignores fields the struct does not have and leaves absent `std::optional` members empty, the way
/// providers expect receivers to behave when they add fields to a payload.

#include <webhooks/events/codec.hpp>
#include <webhooks/events/detail/json_decode.hpp>

#include <boost/json/error.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace webhooks::events {

/// Whether `json_codec::decode<T>` has a rule for `T` (see `json_codec::decode` for the list). Members of a
/// described struct are checked when the struct is decoded, with a `static_assert` naming the problem.
template <class T>
concept JsonDecodable = detail::json::decodable<T>();

/// A body parsed by `json_codec`: a `boost::json::value` and the arena its memory comes from. Movable, not
/// copyable.
///
/// The value lives in the document's arena, and a Boost.JSON copy shares its source's memory resource: a plain
/// copy of `value()` is valid only while the document lives. To keep the JSON longer, take `copy()`.
class json_document {
public:
    /// A null value.
    json_document() = default;

    /// @return the parsed value; valid while this document lives.
    const boost::json::value& value() const noexcept {
        static const boost::json::value null;
        return parsed_ ? parsed_->value : null;
    }

    /// @return a copy of the value in the default memory resource, independent of this document.
    boost::json::value copy() const { return boost::json::value(value(), boost::json::storage_ptr()); }

private:
    friend struct json_codec;

    // The value and the arena its memory comes from, together on the heap so the document moves as a pointer. The
    // arena is reached through a plain pointer, not a shared storage_ptr: Boost.JSON then counts no references per
    // value parsed and skips walking the tree to destroy it. The value is declared last, so it goes first.
    struct parsed {
        boost::json::monotonic_resource arena;
        boost::json::value value;
        parsed(std::string_view body, const boost::json::parse_options& options, boost::system::error_code& ec)
            : arena(2 * body.size() + 256),
              value(boost::json::parse(body, ec, boost::json::storage_ptr(&arena), options)) {}
    };
    std::unique_ptr<parsed> parsed_;
};

/// The default `Codec`: a body is a `boost::json::value`, fields are found by JSON pointer, and event types are
/// decoded by walking their Boost.Describe descriptions.
///
/// Why its own walker: Boost 1.81's built-in conversion of described structs refuses any key the struct does not
/// have and any absent member, even a `std::optional` one. Providers add fields to payloads without notice, so
/// a receiver that refuses unknown fields breaks on the provider's schedule. `decode` reads only the members the
/// struct declares and reports the first one that does not fit, with its JSON pointer.
///
/// The codec is stateless apart from its parse options; one instance can be shared by every thread.
///
/// @par Example
/// @code
/// enum class pi_status { requires_payment_method, processing, succeeded, canceled };
/// BOOST_DESCRIBE_ENUM(pi_status, requires_payment_method, processing, succeeded, canceled)
///
/// struct payment_intent {
///     std::string id;
///     std::int64_t amount = 0;
///     std::string currency;
///     pi_status status{};
///     std::optional<std::string> customer;              // absent or null: std::nullopt
///     std::map<std::string, std::string> metadata;
/// };
/// BOOST_DESCRIBE_STRUCT(payment_intent, (), (id, amount, currency, status, customer, metadata))
///
/// webhooks::events::json_codec codec;
/// auto doc = codec.parse(body);                          // std::nullopt: not JSON (answer 400)
/// auto type = codec.text_at(*doc, "/type");              // "payment_intent.succeeded"
/// auto pi = codec.decode<payment_intent>(*doc, "/data/object");
/// if (!pi) log(pi.error().what());                       // e.g. "expected an integer at /data/object/amount"
/// @endcode
struct json_codec {
    /// A parsed body.
    using document = json_document;

    /// How bodies are parsed. Boost.JSON's defaults: strict JSON (no comments, no trailing commas), nesting up to
    /// 32 levels; raise `max_depth` for providers that nest deeper.
    boost::json::parse_options options{};

    /// Parses a body.
    /// @param body the raw bytes, expected to hold exactly one JSON value.
    /// @return the document; std::nullopt when `body` is empty, not JSON, nested deeper than `options.max_depth`,
    ///         or followed by anything but whitespace. The document's memory comes from its own monotonic arena
    ///         sized for the body, so parsing allocates a few blocks rather than once per string and container,
    ///         and destroying it frees them at once.
    std::optional<document> parse(std::string_view body) const {
        boost::system::error_code ec;
        std::optional<document> doc(std::in_place);
        doc->parsed_ = std::make_unique<json_document::parsed>(body, options, ec);
        if (ec) return std::nullopt;
        return doc;
    }

    /// Reads an identifier-like field: an event id or an event type.
    /// @param doc a parsed body.
    /// @param pointer an RFC 6901 JSON pointer; "" is the whole document.
    /// @return the string at `pointer`, or an integer there as decimal text; std::nullopt when nothing is there,
    ///         the value has another type (object, array, boolean, null, non-integer number) or `pointer` is not
    ///         a valid JSON pointer.
    std::optional<std::string> text_at(const document& doc, std::string_view pointer) const {
        return text_at(doc.value(), pointer);
    }
    /// @copydoc text_at(const document&, std::string_view) const
    std::optional<std::string> text_at(const boost::json::value& doc, std::string_view pointer) const {
        boost::system::error_code ec;
        const boost::json::value* v = doc.find_pointer(pointer, ec);
        if (!v || ec) return std::nullopt;
        if (const boost::json::string* s = v->if_string()) return std::string(s->data(), s->size());
        if (const std::int64_t* i = v->if_int64()) return std::to_string(*i);
        if (const std::uint64_t* u = v->if_uint64()) return std::to_string(*u);
        return std::nullopt;
    }

    /// Decodes the value at a JSON pointer as a `T`.
    ///
    /// How each `T` is read:
    /// - a struct described with `BOOST_DESCRIBE_STRUCT` (members of described bases included): from an object,
    ///   member by member, by name. A member named with a trailing `_` reads the key without it (`private_` reads
    ///   `"private"`), for keys that are C++ keywords. Keys the struct does not declare are ignored. A member
    ///   that is absent or null is `std::nullopt` if it is a `std::optional`, otherwise "missing required field"
    ///   (a null is kept where the type gives it a meaning: `boost::json::value`, `std::monostate`, a user
    ///   conversion);
    /// - `std::optional<U>`: null (or, at the pointer itself, absent) is `std::nullopt`, anything else a `U`;
    /// - `std::vector<U>`, `std::deque`, `std::list`, `std::set`… (anything with `insert(end, v)`): from an array;
    /// - `std::map<std::string, U>`, `std::unordered_map`…: from an object, every key;
    /// - `std::pair`, `std::tuple`, `std::array`: from an array of exactly that many elements;
    /// - `std::variant<Ts...>`: the first alternative, in order, that fits;
    /// - `std::string`, `boost::json::string`: from a string; `bool`: from a boolean;
    /// - `std::string_view`: from a string, without copying it: the view points into `doc` and is valid only
    ///   while `doc` lives. The dispatcher keeps the document until its handlers return, so a handler may read
    ///   such members but must copy what it keeps. Decoding many strings this way skips an allocation per string;
    /// - every integer type: from an integer (or a float with an integral value) that fits, else "out of range";
    /// - `float`, `double`, `long double`: from any number;
    /// - an enum described with `BOOST_DESCRIBE_ENUM`: from a string naming an enumerator;
    /// - `boost::json::value`, `object`, `array`: copied as they are;
    /// - a type with a `tag_invoke(boost::json::value_to_tag<T>, …)` or `try_value_to_tag<T>` overload (this
    ///   takes precedence, as in Boost.JSON), and any other type `boost::json::try_value_to` converts.
    ///
    /// Every `T` read in place must be default-constructible.
    ///
    /// @param doc a parsed body.
    /// @param pointer an RFC 6901 JSON pointer to the value; "" is the whole document.
    /// @return the value, or the first problem: its path from the document's root (`/data/object/items/2/price`)
    ///         and one of "missing" (nothing at `pointer`), "invalid JSON pointer", "missing required field",
    ///         "expected an object" (an array, a string, an integer, a number, a boolean), "out of range",
    ///         "unknown enumerator", "fits no alternative of the variant", or a user conversion's error message.
    template <class T>
        requires JsonDecodable<T>
    decoded<T> decode(const document& doc, std::string_view pointer) const {
        return decode<T>(doc.value(), pointer);
    }
    /// The same, from a `boost::json::value`.
    template <class T>
        requires JsonDecodable<T>
    decoded<T> decode(const boost::json::value& doc, std::string_view pointer) const {
        boost::system::error_code ec;
        const boost::json::value* at = doc.find_pointer(pointer, ec);
        const bool invalid = ec == boost::json::error::missing_slash || ec == boost::json::error::invalid_escape;
        return detail::json::decode_looked_up<T>(pointer, at && !ec, invalid, [&](T& out, detail::json::failure& f) {
            return detail::json::read(*at, out, f);
        });
    }
};

static_assert(Codec<json_codec>);

} // namespace webhooks::events

#endif
