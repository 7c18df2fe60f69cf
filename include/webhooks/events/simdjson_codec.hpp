// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_EVENTS_SIMDJSON_CODEC_HPP
#define WEBHOOKS_EVENTS_SIMDJSON_CODEC_HPP

/// @file
/// `simdjson_codec`, a `Codec` that parses bodies with simdjson (SIMD, a few GB/s) and decodes events with the same
/// lenient rules, paths and messages as the default `json_codec`. Link `webhooks::simdjson` (it needs simdjson,
/// Debian's `libsimdjson-dev`); the rest of the library never includes this header.

#include <webhooks/events/codec.hpp>
#include <webhooks/events/detail/simdjson_decode.hpp>
#include <webhooks/events/json_codec.hpp>

#include <boost/json/value.hpp>

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace webhooks::events {

namespace detail::simd {

// A parser per thread (its stage-1 buffers and the padded copy of the input are only needed while parsing), and the
// buffers of a few finished documents, so that a thread parsing one delivery after another allocates nothing.
// A document may end on another thread: its buffers then join that thread's cache. Constructing it allocates
// nothing, so a document can give its buffers back from a noexcept destructor.
struct thread_cache {
    static constexpr std::size_t max_spare = 2;
    dom::parser parser;
    std::array<dom::document, max_spare> spare;
    std::size_t spares = 0;
    ~thread_cache();
};

// Trivially destructible, so still readable while the thread's other objects are destroyed: a document that
// outlives its thread's cache frees its buffers instead.
inline thread_local bool thread_cache_gone = false;

inline thread_cache::~thread_cache() { thread_cache_gone = true; }

inline thread_cache* this_thread_cache() {
    if (thread_cache_gone) return nullptr;
    static thread_local thread_cache cache;
    return &cache;
}

} // namespace detail::simd

/// A body parsed by `simdjson_codec`: a simdjson DOM (its tape and strings), or, for the rare body simdjson refuses
/// and Boost.JSON accepts, the Boost.JSON document. Only `simdjson_codec::parse` makes one. Movable, not copyable;
/// reading it from several threads at once is safe, and it may be destroyed on any thread. Its buffers go back to a
/// small per-thread cache when it is destroyed.
class simdjson_document {
    struct key {
        explicit key() = default;
    };

public:
    /// For `simdjson_codec::parse` (the key is private).
    explicit simdjson_document(key) noexcept {}
    simdjson_document(simdjson_document&& other) noexcept
        : dom_(std::move(other.dom_)), fallback_(std::move(other.fallback_)), reuse_(std::exchange(other.reuse_, false)) {}
    simdjson_document& operator=(simdjson_document&& other) noexcept {
        if (this != &other) {
            recycle();
            dom_ = std::move(other.dom_);
            fallback_ = std::move(other.fallback_);
            reuse_ = std::exchange(other.reuse_, false);
        }
        return *this;
    }
    simdjson_document(const simdjson_document&) = delete;
    simdjson_document& operator=(const simdjson_document&) = delete;
    ~simdjson_document() { recycle(); }

    /// @return the root of the simdjson DOM; valid while this document lives and is not moved. Undefined when
    ///         `fallback()` is not null.
    simdjson::dom::element root() const noexcept { return dom_.root(); }

    /// @return the Boost.JSON document when simdjson refused the body and Boost.JSON accepted it, else null.
    const boost::json::value* fallback() const noexcept { return fallback_ ? &fallback_->value() : nullptr; }

private:
    friend struct simdjson_codec;

    void recycle() noexcept {
        // A moved-from simdjson document keeps its capacity but not its buffers.
        if (!std::exchange(reuse_, false) || !dom_.tape || !dom_.string_buf) return;
        auto* cache = detail::simd::this_thread_cache();
        if (!cache || cache->spares == cache->spare.size()) return;
        cache->spare[cache->spares++] = std::move(dom_);
    }

    simdjson::dom::document dom_;
    std::unique_ptr<json_document> fallback_;
    bool reuse_ = false;
};

/// A `Codec` backed by simdjson: parsing is several times faster than Boost.JSON's and allocates nothing once a
/// thread has parsed a body of the size, and `decode` walks the simdjson DOM with exactly `json_codec::decode`'s
/// rules (described structs read leniently, the same types, the same error paths and messages).
///
/// When to choose it: large bodies (GitHub pushes, Stripe events with embedded lists), where parsing dominates a
/// delivery's cost. `json_codec` stays the default: it needs no other library, and its documents are
/// `boost::json::value`s a handler can keep. Both codecs accept the same bodies and decode them the same way, so
/// switching is a change of one template argument.
///
/// What differs, and why:
/// - Floating-point numbers are rounded correctly by simdjson; Boost 1.81's parser can be one unit in the last
///   place off on rare inputs (`2.2250738585072011e-308`), so such a `double` can differ in its last bit.
/// - A body simdjson refuses is handed to Boost.JSON, which decides: a number beyond 64-bit integers or beyond
///   `double` (`1e400`, which simdjson refuses and Boost.JSON reads as infinity) gives a Boost.JSON document, read
///   by `json_codec`'s own rules. Such bodies are parsed twice; malformed ones too (they are rare after a valid
///   signature).
/// - Duplicated keys mean what Boost.JSON makes of them (the last value, at the first key's place).
/// - `boost::json::value` members, and the types a user conversion (`tag_invoke`) reads, are converted from the
///   simdjson DOM first (with Boost.JSON's own builder): those are slower to decode than with `json_codec`.
/// - Boost.JSON's extensions (comments, trailing commas, invalid UTF-8) are not available: only `max_depth` is.
///
/// Memory: simdjson sizes its buffers for the worst case, about 10 bytes per body byte for a document and 5 for the
/// parser. Each thread keeps one parser and the buffers of up to two finished documents, for bodies up to
/// `reuse_limit` bytes (64 KiB: at most about 1.6 MB per thread); bodies beyond it get buffers of their own, freed
/// with the document, which costs a few percent of their parse.
///
/// @par Example
/// @code
/// using stripe_endpoint =
///     webhooks::endpoint<webhooks::providers::stripe, webhooks::idempotency::memory_store,
///                        webhooks::events::simdjson_codec>;
/// webhooks::events::dispatcher<webhooks::events::simdjson_codec> events;
/// events.on<payment_intent>([](const payment_intent& pi) { shop.mark_paid(pi.id, pi.amount); });
/// stripe_endpoint stripe{webhooks::providers::stripe{secret}, store, std::move(events)};
///
/// // Or on its own:
/// webhooks::events::simdjson_codec codec;
/// auto doc = codec.parse(body);                          // std::nullopt: not JSON (answer 400)
/// auto type = codec.text_at(*doc, "/type");              // "payment_intent.succeeded"
/// auto pi = codec.decode<payment_intent>(*doc, "/data/object");
/// if (!pi) log(pi.error().what());                       // e.g. "expected an integer at /data/object/amount"
/// @endcode
struct simdjson_codec {
    /// A parsed body.
    using document = simdjson_document;

    /// Maximum nesting of arrays and objects, as `json_codec::options.max_depth` (Boost.JSON's default, 32).
    std::size_t max_depth = 32;

    /// Bodies up to this many bytes are parsed with the thread's parser into recycled buffers (no allocation);
    /// larger ones get buffers of their own, freed with their document, so a rare huge body does not stay in every
    /// thread's memory. 0: every body gets its own (a small body then costs about 40 % more to parse).
    std::size_t reuse_limit = 64 * 1024;

    /// Parses a body.
    /// @param body the raw bytes, expected to hold exactly one JSON value (copied: the document does not refer to
    ///        `body`).
    /// @return the document; std::nullopt when `body` is empty, not JSON, nested deeper than `max_depth`, or
    ///         followed by anything but whitespace (exactly the bodies `json_codec` refuses).
    /// @throws std::bad_alloc when memory runs out.
    std::optional<document> parse(std::string_view body) const {
        std::optional<document> doc(std::in_place, document::key{});
        detail::simd::thread_cache* cache = body.size() <= reuse_limit ? detail::simd::this_thread_cache() : nullptr;
        simdjson::error_code error;
        if (cache) {
            if (cache->spares > 0) doc->dom_ = std::move(cache->spare[--cache->spares]);
            doc->reuse_ = true;
            error = prepare(cache->parser, body.size());
            if (!error) error = cache->parser.parse_into_document(doc->dom_, body.data(), body.size(), true).error();
        } else {
            simdjson::dom::parser parser;
            error = prepare(parser, body.size());
            if (!error) error = parser.parse_into_document(doc->dom_, body.data(), body.size(), true).error();
        }
        if (error == simdjson::MEMALLOC) throw std::bad_alloc();
        if (!error) return doc;

        // simdjson refused the body: whether it is JSON is Boost.JSON's call, as with json_codec.
        json_codec boost_codec;
        boost_codec.options.max_depth = max_depth;
        auto parsed = boost_codec.parse(body);
        if (!parsed) return std::nullopt;
        doc->fallback_ = std::make_unique<json_document>(std::move(*parsed));
        return doc;
    }

    /// Reads an identifier-like field: an event id or an event type.
    /// @param doc a parsed body.
    /// @param pointer an RFC 6901 JSON pointer; "" is the whole document.
    /// @return the string at `pointer`, or an integer there as decimal text; std::nullopt when nothing is there,
    ///         the value has another type (object, array, boolean, null, non-integer number) or `pointer` is not
    ///         a valid JSON pointer.
    std::optional<std::string> text_at(const document& doc, std::string_view pointer) const {
        if (const boost::json::value* v = doc.fallback()) return json_codec{}.text_at(*v, pointer);
        simdjson::dom::element at;
        if (detail::simd::find_pointer(doc.root(), pointer, at) != detail::simd::lookup::found) return std::nullopt;
        switch (at.type()) {
        case simdjson::dom::element_type::STRING: return std::string(detail::simd::string_of(at));
        case simdjson::dom::element_type::INT64: return std::to_string(at.get_int64().value_unsafe());
        case simdjson::dom::element_type::UINT64: return std::to_string(at.get_uint64().value_unsafe());
        default: return std::nullopt;
        }
    }

    /// Decodes the value at a JSON pointer as a `T`, by the rules of `json_codec::decode` (which see): every type
    /// `json_codec` decodes, read the same way, failing at the same path with the same message.
    /// @param doc a parsed body.
    /// @param pointer an RFC 6901 JSON pointer to the value; "" is the whole document.
    /// @return the value, or the first problem: its path from the document's root and what is wrong.
    template <class T>
        requires JsonDecodable<T>
    decoded<T> decode(const document& doc, std::string_view pointer) const {
        if (const boost::json::value* v = doc.fallback()) return json_codec{}.template decode<T>(*v, pointer);
        simdjson::dom::element at;
        const detail::simd::lookup found = detail::simd::find_pointer(doc.root(), pointer, at);
        return detail::json::decode_looked_up<T>(pointer, found == detail::simd::lookup::found,
                                                 found == detail::simd::lookup::invalid,
                                                 [&](T& out, detail::json::failure& f) {
                                                     return detail::simd::read(at, out, f);
                                                 });
    }

private:
    // Sizes a parser for `size` bytes at our depth (simdjson's own default depth is 1024).
    simdjson::error_code prepare(simdjson::dom::parser& parser, std::size_t size) const noexcept {
        const std::size_t capacity = size < 32 ? 32 : size;  // simdjson's minimal document capacity
        if (parser.max_depth() == max_depth && parser.capacity() >= capacity) return simdjson::SUCCESS;
        return parser.allocate(capacity > parser.capacity() ? capacity : parser.capacity(), max_depth);
    }
};

static_assert(Codec<simdjson_codec>);

} // namespace webhooks::events

#endif
