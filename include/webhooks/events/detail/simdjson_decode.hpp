// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_EVENTS_DETAIL_SIMDJSON_DECODE_HPP
#define WEBHOOKS_EVENTS_DETAIL_SIMDJSON_DECODE_HPP

// The walker behind simdjson_codec: json_decode.hpp's rules, read from a simdjson DOM instead of a
// boost::json::value. Same dispatch order, same messages, same paths: the traits (decodable, takes_null, the
// container concepts) and the failure helpers are json_decode.hpp's own.
//
// Where the two representations differ, the walker reproduces what Boost.JSON makes of the text:
// - a simdjson object keeps every occurrence of a duplicated key; a boost::json::object keeps the last value at
//   the first one's place. Struct members and pointer tokens therefore take the last match, maps fall back to
//   Boost's order when a duplicate is involved, and values handed to Boost.JSON are built with value_stack, the
//   builder Boost.JSON's own parser uses (it removes duplicates the same way);
// - JSON pointers are resolved by a port of Boost 1.81's value::find_pointer, quirks included (an empty array
//   token before '/' reads index 0; escapes are checked in object tokens only), so that "missing" and "invalid
//   JSON pointer" fall on the same inputs.

#include <webhooks/events/detail/json_decode.hpp>

#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>
#include <boost/mp11/algorithm.hpp>

#include <simdjson.h>

#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace webhooks::events::detail::simd {

namespace bj = boost::json;
namespace dom = simdjson::dom;
using dom::element_type;
using json::fail;
using json::failure;
using json::prepend_index;
using json::prepend_key;

// Every type check goes through type() first, so the accessors below cannot fail.
inline std::string_view string_of(dom::element e) noexcept { return e.get_string().value_unsafe(); }
inline dom::object object_of(dom::element e) noexcept { return e.get_object().value_unsafe(); }
inline dom::array array_of(dom::element e) noexcept { return e.get_array().value_unsafe(); }

// --- JSON pointers (a port of boost::json::value::find_pointer, Boost 1.81) ------------------------------------------

enum class lookup { found, missing, invalid };

// Whether the escaped pointer token [b, e) names `key` ("~0" is '~', "~1" is '/').
inline bool token_equals(const char* b, const char* e, std::string_view key) noexcept {
    std::size_t i = 0;
    while (b != e) {
        char c = *b++;
        if (c == '~') c = *b++ == '0' ? '~' : '/';  // validated by the caller
        if (i == key.size() || key[i] != c) return false;
        ++i;
    }
    return i == key.size();
}

// Keys are short: an inline loop beats a call to memcmp.
inline bool same_text(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i]) return false;
    return true;
}

// The value at `pointer`; `out` is set when found.
inline lookup find_pointer(dom::element root, std::string_view pointer, dom::element& out) noexcept {
    dom::element at = root;
    const char* cur = pointer.data();
    const char* const end = cur + pointer.size();
    while (cur != end) {
        if (*cur++ != '/') return lookup::invalid;  // missing_slash
        const element_type t = at.type();
        if (t == element_type::OBJECT) {
            const char* b = cur;
            bool escaped = false;
            for (; b < end && *b != '/'; ++b) {
                if (*b != '~') continue;
                if (++b == end || (*b != '0' && *b != '1')) return lookup::invalid;  // invalid_escape
                escaped = true;
            }
            const std::string_view token(cur, static_cast<std::size_t>(b - cur));
            // Boost keeps the last of duplicated keys.
            bool found = false;
            for (auto field = object_of(at).begin(), last = object_of(at).end(); field != last; ++field)
                if (escaped ? token_equals(cur, b, field.key()) : same_text(field.key(), token)) {
                    out = field.value();
                    found = true;
                }
            if (!found) return lookup::missing;  // not_found
            at = out;
            cur = b;
        } else if (t == element_type::ARRAY) {
            // parse_number_token: "0" alone or digits without a leading zero; "-" is past the end.
            if (cur == end || (*cur == '0' && cur + 1 != end && cur[1] != '/')) return lookup::missing;
            if (*cur == '-' && (cur + 1 == end || cur[1] == '/')) return lookup::missing;
            std::size_t index = 0;
            for (; cur != end && *cur != '/'; ++cur) {
                const unsigned d = static_cast<unsigned char>(*cur) - static_cast<unsigned>('0');
                if (d > 9) return lookup::missing;  // token_not_number
                const std::size_t next = index * 10 + d;
                if (next < index) return lookup::missing;  // token_overflow
                index = next;
            }
            bool found = false;
            for (dom::element item : array_of(at))
                if (index-- == 0) {
                    at = item;
                    found = true;
                    break;
                }
            if (!found) return lookup::missing;
        } else {
            return lookup::missing;  // value_is_scalar
        }
    }
    out = at;
    return lookup::found;
}

// --- to Boost.JSON ---------------------------------------------------------------------------------------------------

inline void push(bj::value_stack& st, dom::element e) {
    switch (e.type()) {
    case element_type::ARRAY: {
        std::size_t n = 0;
        for (dom::element item : array_of(e)) {
            push(st, item);
            ++n;
        }
        st.push_array(n);
        break;
    }
    case element_type::OBJECT: {
        std::size_t n = 0;
        for (auto field = object_of(e).begin(), last = object_of(e).end(); field != last; ++field) {
            st.push_key(field.key());
            push(st, field.value());
            ++n;
        }
        st.push_object(n);
        break;
    }
    case element_type::STRING: st.push_string(string_of(e)); break;
    case element_type::INT64: st.push_int64(e.get_int64().value_unsafe()); break;
    case element_type::UINT64: st.push_uint64(e.get_uint64().value_unsafe()); break;
    case element_type::DOUBLE: st.push_double(e.get_double().value_unsafe()); break;
    case element_type::BOOL: st.push_bool(e.get_bool().value_unsafe()); break;
    case element_type::NULL_VALUE: st.push_null(); break;
    }
}

// The boost::json::value Boost.JSON's parser would have made of the same text (default storage).
inline bj::value to_boost(dom::element e) {
    bj::value_stack st;
    st.reset();
    push(st, e);
    return st.release();
}

// --- the walker ------------------------------------------------------------------------------------------------------

template <class T>
bool read(dom::element v, T& out, failure& f);

template <json::integer T>
bool read_integer(dom::element v, T& out, failure& f) {
    using twin = std::conditional_t<std::is_signed_v<T>, std::make_signed_t<T>, std::make_unsigned_t<T>>;
    switch (v.type()) {
    case element_type::INT64: {
        const std::int64_t i = v.get_int64().value_unsafe();
        if (!std::in_range<twin>(i)) return fail(f, "out of range");
        out = static_cast<T>(i);
        return true;
    }
    case element_type::UINT64: {
        const std::uint64_t u = v.get_uint64().value_unsafe();
        if (!std::in_range<twin>(u)) return fail(f, "out of range");
        out = static_cast<T>(u);
        return true;
    }
    case element_type::DOUBLE: {
        const double d = v.get_double().value_unsafe();
        if (!(std::trunc(d) == d)) return fail(f, "expected an integer");
        constexpr double low = static_cast<double>(std::numeric_limits<T>::min());
        const double high = std::ldexp(1.0, std::numeric_limits<T>::digits);
        if (!(d >= low && d < high)) return fail(f, "out of range");
        out = static_cast<T>(d);
        return true;
    }
    default: return fail(f, "expected an integer");
    }
}

template <std::floating_point T>
bool read_floating(dom::element v, T& out, failure& f) {
    double d = 0;
    switch (v.type()) {
    case element_type::DOUBLE: d = v.get_double().value_unsafe(); break;
    case element_type::INT64: d = static_cast<double>(v.get_int64().value_unsafe()); break;
    case element_type::UINT64: d = static_cast<double>(v.get_uint64().value_unsafe()); break;
    default: return fail(f, "expected a number");
    }
    if constexpr (sizeof(T) < sizeof(double))
        if (std::abs(d) > static_cast<double>(std::numeric_limits<T>::max())) return fail(f, "out of range");
    out = static_cast<T>(d);
    return true;
}

template <json::described_enum T>
bool read_enum(dom::element v, T& out, failure& f) {
    if (v.type() != element_type::STRING) return fail(f, "expected a string");
    const std::string_view name = string_of(v);
    bool found = false;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>([&](auto e) {
        if (!found && name == std::string_view(e.name)) {
            out = e.value;
            found = true;
        }
    });
    return found || fail(f, "unknown enumerator");
}

// One pass over the object fills a slot per member (the last occurrence of a key wins, as in a
// boost::json::object); the members are then read in declaration order, so the first one reported is the same.
template <json::described_class T>
bool read_struct(dom::element v, T& out, failure& f) {
    if (v.type() != element_type::OBJECT) return fail(f, "expected an object");
    namespace bd = boost::describe;
    using members = bd::describe_members<T, bd::mod_public | bd::mod_inherited>;
    constexpr std::size_t n = boost::mp11::mp_size<members>::value;
    if constexpr (n == 0) {
        return true;
    } else {
        std::array<dom::element, n> slot{};
        std::array<bool, n> seen{};
        for (auto field = object_of(v).begin(), last = object_of(v).end(); field != last; ++field) {
            const std::string_view key = field.key();
            std::size_t i = 0;
            boost::mp11::mp_for_each<members>([&](auto member) {
                constexpr std::string_view name = json::key_of(decltype(member)::name);
                if (key.size() == name.size() && std::memcmp(key.data(), name.data(), name.size()) == 0) {
                    slot[i] = field.value();
                    seen[i] = true;
                }
                ++i;
            });
        }
        bool ok = true;
        std::size_t i = 0;
        boost::mp11::mp_for_each<members>([&](auto member) {
            const std::size_t at = i++;
            if (!ok) return;
            auto& m = out.*member.pointer;
            using M = std::remove_reference_t<decltype(m)>;
            constexpr std::string_view key = json::key_of(decltype(member)::name);
            if (!seen[at] || (slot[at].type() == element_type::NULL_VALUE && !json::takes_null<M>::value)) {
                if constexpr (json::is_optional<M>::value) {
                    m.reset();
                } else {
                    fail(f, "missing required field");
                    prepend_key(f, key);
                    ok = false;
                }
                return;
            }
            if (!read(slot[at], m, f)) {
                prepend_key(f, key);
                ok = false;
            }
        });
        return ok;
    }
}

inline bool has_duplicate_key(dom::object o) {
    std::set<std::string_view> keys;
    for (auto field = o.begin(), last = o.end(); field != last; ++field)
        if (!keys.insert(field.key()).second) return true;
    return false;
}

template <class T>
bool read_map_element(std::string_view key, dom::element value, T& out, failure& f) {
    bool ok;
    if constexpr (requires { out.try_emplace(typename T::key_type(key)); }) {
        ok = read(value, out.try_emplace(typename T::key_type(key)).first->second, f);
    } else {
        typename T::mapped_type mapped{};
        ok = read(value, mapped, f);
        if (ok) out.emplace(typename T::key_type(key), std::move(mapped));
    }
    if (!ok) prepend_key(f, key);
    return ok;
}

template <class T>
bool read_map(dom::element v, T& out, failure& f) {
    if (v.type() != element_type::OBJECT) return fail(f, "expected an object");
    const dom::object o = object_of(v);
    out.clear();
    std::size_t fields = 0;
    bool ok = true;
    for (auto field = o.begin(), last = o.end(); ok && field != last; ++field, ++fields)
        ok = read_map_element(field.key(), field.value(), out, f);
    if (ok ? out.size() == fields : !has_duplicate_key(o)) return ok;

    // A duplicated key: Boost.JSON would have seen each key once, at its first place, with its last value.
    std::vector<std::pair<std::string_view, dom::element>> unique;
    for (auto field = o.begin(), last = o.end(); field != last; ++field) {
        bool replaced = false;
        for (auto& kv : unique)
            if (kv.first == field.key()) {
                kv.second = field.value();
                replaced = true;
                break;
            }
        if (!replaced) unique.emplace_back(field.key(), field.value());
    }
    out.clear();
    f = {};
    for (const auto& [key, value] : unique)
        if (!read_map_element(key, value, out, f)) return false;
    return true;
}

template <class T>
bool read_sequence(dom::element v, T& out, failure& f) {
    if (v.type() != element_type::ARRAY) return fail(f, "expected an array");
    const dom::array a = array_of(v);
    using item_type = typename T::value_type;
    out.clear();
    if constexpr (requires { out.reserve(a.size()); }) out.reserve(a.size());
    std::size_t i = 0;
    for (dom::element item : a) {
        bool ok;
        if constexpr (requires {
                          { out.emplace_back() } -> std::same_as<item_type&>;
                      }) {
            ok = read(item, out.emplace_back(), f);
        } else {
            item_type value{};
            ok = read(item, value, f);
            if (ok) out.insert(out.end(), std::move(value));
        }
        if (!ok) {
            prepend_index(f, i);
            return false;
        }
        ++i;
    }
    return true;
}

template <class T>
bool read_tuple(dom::element v, T& out, failure& f) {
    constexpr std::size_t n = std::tuple_size<T>::value;
    std::array<dom::element, n> items{};
    std::size_t count = 0;
    if (v.type() == element_type::ARRAY)
        for (dom::element item : array_of(v)) {
            if (count == n) {
                ++count;
                break;
            }
            items[count++] = item;
        }
    if (count != n) return fail(f, "expected an array of " + std::to_string(n) + " elements");
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        std::size_t failed = n;
        const bool ok = ((read(items[I], std::get<I>(out), f) || (failed = I, false)) && ...);
        if (!ok) prepend_index(f, failed);
        return ok;
    }(std::make_index_sequence<n>{});
}

template <class... Ts>
bool read_variant(dom::element v, std::variant<Ts...>& out, failure& f) {
    bool found = false;
    (
        [&] {
            if (found) return;
            Ts candidate{};
            failure ignored;
            if (read(v, candidate, ignored)) {
                out.template emplace<Ts>(std::move(candidate));
                found = true;
            }
        }(),
        ...);
    return found || fail(f, "fits no alternative of the variant");
}

// User conversions see the boost::json::value Boost.JSON would have parsed.
template <class T>
bool read_by_boost(dom::element v, T& out, failure& f) {
    return json::read_by_boost(to_boost(v), out, f);
}

template <class T>
bool read(dom::element v, T& out, failure& f) {
    if constexpr (std::same_as<T, bj::value>) {
        out = to_boost(v);
        return true;
    } else if constexpr (std::same_as<T, bj::object>) {
        if (v.type() != element_type::OBJECT) return fail(f, "expected an object");
        out = std::move(to_boost(v).get_object());
        return true;
    } else if constexpr (std::same_as<T, bj::array>) {
        if (v.type() != element_type::ARRAY) return fail(f, "expected an array");
        out = std::move(to_boost(v).get_array());
        return true;
    } else if constexpr (json::is_optional<T>::value) {
        if (v.type() == element_type::NULL_VALUE) {
            out.reset();
            return true;
        }
        return read(v, out.emplace(), f);
    } else if constexpr (json::is_variant<T>::value) {
        return read_variant(v, out, f);
    } else if constexpr (json::user_conversion<T>) {
        return read_by_boost(v, out, f);
    } else if constexpr (std::same_as<T, bool>) {
        if (v.type() != element_type::BOOL) return fail(f, "expected a boolean");
        out = v.get_bool().value_unsafe();
        return true;
    } else if constexpr (json::integer<T>) {
        return read_integer(v, out, f);
    } else if constexpr (std::floating_point<T>) {
        return read_floating(v, out, f);
    } else if constexpr (json::string_type<T>) {
        if (v.type() != element_type::STRING) return fail(f, "expected a string");
        const std::string_view s = string_of(v);
        json::assign_text(out, s.data(), s.size());
        return true;
    } else if constexpr (json::described_enum<T>) {
        return read_enum(v, out, f);
    } else if constexpr (json::described_class<T>) {
        return read_struct(v, out, f);
    } else if constexpr (json::map_like<T>) {
        return read_map(v, out, f);
    } else if constexpr (json::sequence_like<T>) {
        return read_sequence(v, out, f);
    } else if constexpr (json::tuple_like<T>) {
        return read_tuple(v, out, f);
    } else if constexpr (bj::has_value_to<T>::value) {
        return read_by_boost(v, out, f);
    } else {
        static_assert(json::dependent_false<T>,
                      "webhooks::events::simdjson_codec cannot decode this member type: describe it with "
                      "BOOST_DESCRIBE_STRUCT / BOOST_DESCRIBE_ENUM, or give it a Boost.JSON conversion "
                      "(tag_invoke(boost::json::value_to_tag<T>, const boost::json::value&))");
        return false;
    }
}

} // namespace webhooks::events::detail::simd

#endif
