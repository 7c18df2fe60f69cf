// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_EVENTS_DETAIL_JSON_DECODE_HPP
#define WEBHOOKS_EVENTS_DETAIL_JSON_DECODE_HPP

// The lenient walker behind json_codec::decode. Boost 1.81's described-struct conversion rejects extra keys and
// absent optionals, so described structs (and every container that may hold one) are walked here; Boost.JSON is
// only asked for types it converts through a user tag_invoke or a generic rule we do not shadow.
//
// Reading is in place (`read(value, T& out, failure&)` returns false on failure) so the success path builds no
// strings; the error path is assembled while unwinding, one segment per level.

#include <webhooks/events/codec.hpp>

#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/json/array.hpp>
#include <boost/json/conversion.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

namespace webhooks::events::detail::json {

namespace bj = boost::json;

// A failure being unwound: `path` grows at the front, one RFC 6901 segment per level.
struct failure {
    std::string path;
    std::string message;
};

inline bool fail(failure& f, std::string message) {
    f.message = std::move(message);
    return false;
}

inline void prepend_key(failure& f, std::string_view key) {
    std::string segment;
    segment.reserve(key.size() + 1);
    segment += '/';
    for (char c : key) {
        if (c == '~') segment += "~0";
        else if (c == '/') segment += "~1";
        else segment += c;
    }
    f.path.insert(0, segment);
}

inline void prepend_index(failure& f, std::size_t index) { f.path.insert(0, "/" + std::to_string(index)); }

template <class T>
inline constexpr bool dependent_false = false;

template <class T>
struct is_optional : std::false_type {};
template <class U>
struct is_optional<std::optional<U>> : std::true_type {};

// A codec's `decode<T>` once its pointer lookup is done: an absent value (a `std::nullopt` for an optional `T`) or a
// bad pointer, else `read(T&, failure&)` into a fresh `T`, its failure reported at `pointer` + the failure's path.
template <class T, class Read>
decoded<T> decode_looked_up(std::string_view pointer, bool found, bool invalid_pointer, Read read) {
    if (!found) {
        if constexpr (is_optional<T>::value)
            if (!invalid_pointer) return decoded<T>(boost::system::in_place_value);
        return decoded<T>(boost::system::in_place_error,
                          decode_error{std::string(pointer), invalid_pointer ? "invalid JSON pointer" : "missing"});
    }
    decoded<T> out(boost::system::in_place_value);
    failure failed;
    if (!read(*out, failed))
        return decoded<T>(boost::system::in_place_error,
                          decode_error{std::string(pointer) + failed.path, std::move(failed.message)});
    return out;
}

template <class T>
struct is_variant : std::false_type {};
template <class... Ts>
struct is_variant<std::variant<Ts...>> : std::true_type {};

template <class T>
concept json_type = std::same_as<T, bj::value> || std::same_as<T, bj::object> || std::same_as<T, bj::array>;

// std::string_view members view the document: valid while it lives, which is during the handler calls.
template <class T>
concept string_type = std::same_as<T, std::string> || std::same_as<T, bj::string> || std::same_as<T, std::string_view>;

template <class T>
void assign_text(T& out, const char* data, std::size_t size) {
    if constexpr (std::same_as<T, std::string_view>) out = std::string_view(data, size);
    else out.assign(data, size);
}

template <class T>
concept integer = std::integral<T> && !std::same_as<T, bool>;

template <class T>
concept described_enum = std::is_enum_v<T> && boost::describe::has_describe_enumerators<T>::value;

template <class T>
concept described_class =
    std::is_class_v<T> && !std::is_union_v<T> && boost::describe::has_describe_members<T>::value;

// The user's own conversion, found by ADL the way Boost.JSON finds it. The deleted declaration keeps ordinary
// lookup from finding anything else named tag_invoke.
namespace adl {
void tag_invoke() = delete;
template <class T>
concept user_conversion = requires(const bj::value& v) { tag_invoke(bj::value_to_tag<T>(), v); } ||
                          requires(const bj::value& v) { tag_invoke(bj::try_value_to_tag<T>(), v); };
} // namespace adl
using adl::user_conversion;

template <class T>
concept map_like =
    requires { typename T::mapped_type; } && std::constructible_from<typename T::key_type, std::string_view> &&
    requires(T& t, typename T::key_type k, typename T::mapped_type m) {
        t.emplace(std::move(k), std::move(m));
        t.clear();
    };

template <class T>
concept sequence_like = requires { typename T::value_type; } && requires(T& t, typename T::value_type v) {
    t.insert(t.end(), std::move(v));
    t.clear();
};

template <class T>
concept tuple_like = requires { std::tuple_size<T>::value; } && (std::tuple_size<T>::value > 0);

// Types whose own rules give a JSON null a meaning; for the others a null member is a missing one.
template <class T>
struct takes_null : std::bool_constant<std::same_as<T, bj::value> || std::same_as<T, std::nullptr_t> ||
                                       std::same_as<T, std::monostate> || user_conversion<T>> {};
template <class... Ts>
struct takes_null<std::variant<Ts...>> : std::bool_constant<(takes_null<Ts>::value || ...)> {};

// Whether `read` has a rule for T. Shallow for described structs (their members are checked when read is
// instantiated), so self-referential types terminate.
template <class T>
constexpr bool decodable() {
    if constexpr (!std::default_initializable<T>) return false;
    else if constexpr (json_type<T>) return true;
    else if constexpr (is_optional<T>::value) return decodable<typename T::value_type>();
    else if constexpr (is_variant<T>::value)
        return []<class... Ts>(std::type_identity<std::variant<Ts...>>) {
            return ((std::move_constructible<Ts> && decodable<Ts>()) && ...);
        }(std::type_identity<T>{});
    else if constexpr (user_conversion<T>) return true;
    else if constexpr (std::same_as<T, bool> || integer<T> || std::floating_point<T> || string_type<T> ||
                       described_enum<T> || described_class<T>)
        return true;
    else if constexpr (map_like<T>) return decodable<typename T::mapped_type>();
    else if constexpr (sequence_like<T>) return decodable<typename T::value_type>();
    else if constexpr (tuple_like<T>)
        return []<std::size_t... I>(std::index_sequence<I...>) {
            return ((!std::is_const_v<std::tuple_element_t<I, T>> && decodable<std::tuple_element_t<I, T>>()) && ...);
        }(std::make_index_sequence<std::tuple_size<T>::value>{});
    else return bj::has_value_to<T>::value;
}

template <class T>
bool read(const bj::value& v, T& out, failure& f);

template <integer T>
bool read_integer(const bj::value& v, T& out, failure& f) {
    // std::in_range takes standard integer types only: char types are checked as their signed/unsigned twin.
    using twin = std::conditional_t<std::is_signed_v<T>, std::make_signed_t<T>, std::make_unsigned_t<T>>;
    if (const std::int64_t* i = v.if_int64()) {
        if (!std::in_range<twin>(*i)) return fail(f, "out of range");
        out = static_cast<T>(*i);
        return true;
    }
    if (const std::uint64_t* u = v.if_uint64()) {
        if (!std::in_range<twin>(*u)) return fail(f, "out of range");
        out = static_cast<T>(*u);
        return true;
    }
    if (const double* d = v.if_double()) {
        // 1e3 and 2.0 are integers written another way; 2.5 and NaN are not.
        if (!(std::trunc(*d) == *d)) return fail(f, "expected an integer");
        constexpr double low = static_cast<double>(std::numeric_limits<T>::min());  // 0 or -2^n: exact
        const double high = std::ldexp(1.0, std::numeric_limits<T>::digits);         // max + 1: exact
        if (!(*d >= low && *d < high)) return fail(f, "out of range");
        out = static_cast<T>(*d);
        return true;
    }
    return fail(f, "expected an integer");
}

template <std::floating_point T>
bool read_floating(const bj::value& v, T& out, failure& f) {
    double d = 0;
    if (const double* p = v.if_double()) d = *p;
    else if (const std::int64_t* i = v.if_int64()) d = static_cast<double>(*i);
    else if (const std::uint64_t* u = v.if_uint64()) d = static_cast<double>(*u);
    else return fail(f, "expected a number");
    if constexpr (sizeof(T) < sizeof(double))
        if (std::abs(d) > static_cast<double>(std::numeric_limits<T>::max())) return fail(f, "out of range");
    out = static_cast<T>(d);
    return true;
}

template <described_enum T>
bool read_enum(const bj::value& v, T& out, failure& f) {
    const bj::string* s = v.if_string();
    if (!s) return fail(f, "expected a string");
    const std::string_view name(s->data(), s->size());
    bool found = false;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>([&](auto e) {
        if (!found && name == std::string_view(e.name)) {
            out = e.value;
            found = true;
        }
    });
    return found || fail(f, "unknown enumerator");
}

// The JSON key of a described member: its name, less one trailing '_' (`private_` reads "private").
constexpr std::string_view key_of(const char* member_name) {
    std::string_view name(member_name);
    if (name.size() > 1 && name.back() == '_') name.remove_suffix(1);
    return name;
}

template <class M>
bool read_member(const bj::object& o, std::string_view key, M& out, failure& f) {
    const bj::value* p = o.if_contains(key);
    if (!p || (p->is_null() && !takes_null<M>::value)) {
        if constexpr (is_optional<M>::value) {
            out.reset();
            return true;
        } else {
            fail(f, "missing required field");
            prepend_key(f, key);
            return false;
        }
    }
    if (read(*p, out, f)) return true;
    prepend_key(f, key);
    return false;
}

template <described_class T>
bool read_struct(const bj::value& v, T& out, failure& f) {
    const bj::object* o = v.if_object();
    if (!o) return fail(f, "expected an object");
    namespace bd = boost::describe;
    bool ok = true;
    boost::mp11::mp_for_each<bd::describe_members<T, bd::mod_public | bd::mod_inherited>>([&](auto member) {
        if (ok) ok = read_member(*o, key_of(member.name), out.*member.pointer, f);
    });
    return ok;
}

template <class T>
bool read_map(const bj::value& v, T& out, failure& f) {
    const bj::object* o = v.if_object();
    if (!o) return fail(f, "expected an object");
    out.clear();
    for (const auto& element : *o) {
        const std::string_view key(element.key().data(), element.key().size());
        bool ok;
        if constexpr (requires { out.try_emplace(typename T::key_type(key)); }) {
            ok = read(element.value(), out.try_emplace(typename T::key_type(key)).first->second, f);
        } else {
            typename T::mapped_type mapped{};
            ok = read(element.value(), mapped, f);
            if (ok) out.emplace(typename T::key_type(key), std::move(mapped));
        }
        if (!ok) {
            prepend_key(f, key);
            return false;
        }
    }
    return true;
}

template <class T>
bool read_sequence(const bj::value& v, T& out, failure& f) {
    const bj::array* a = v.if_array();
    if (!a) return fail(f, "expected an array");
    using element_type = typename T::value_type;
    out.clear();
    if constexpr (requires { out.reserve(a->size()); }) out.reserve(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
        bool ok;
        if constexpr (requires {
                          { out.emplace_back() } -> std::same_as<element_type&>;
                      }) {
            ok = read((*a)[i], out.emplace_back(), f);
        } else {
            element_type element{};
            ok = read((*a)[i], element, f);
            if (ok) out.insert(out.end(), std::move(element));
        }
        if (!ok) {
            prepend_index(f, i);
            return false;
        }
    }
    return true;
}

template <class T>
bool read_tuple(const bj::value& v, T& out, failure& f) {
    constexpr std::size_t n = std::tuple_size<T>::value;
    const bj::array* a = v.if_array();
    if (!a || a->size() != n) return fail(f, "expected an array of " + std::to_string(n) + " elements");
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        std::size_t failed = n;
        const bool ok = ((read((*a)[I], std::get<I>(out), f) || (failed = I, false)) && ...);
        if (!ok) prepend_index(f, failed);
        return ok;
    }(std::make_index_sequence<n>{});
}

// The first alternative that fits, in declaration order.
template <class... Ts>
bool read_variant(const bj::value& v, std::variant<Ts...>& out, failure& f) {
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

template <class T>
bool read_by_boost(const bj::value& v, T& out, failure& f) {
    auto converted = bj::try_value_to<T>(v);
    if (!converted) return fail(f, converted.error().message());
    out = std::move(*converted);
    return true;
}

template <class T>
bool read(const bj::value& v, T& out, failure& f) {
    if constexpr (std::same_as<T, bj::value>) {
        out = v;
        return true;
    } else if constexpr (std::same_as<T, bj::object>) {
        const bj::object* o = v.if_object();
        if (!o) return fail(f, "expected an object");
        out = *o;
        return true;
    } else if constexpr (std::same_as<T, bj::array>) {
        const bj::array* a = v.if_array();
        if (!a) return fail(f, "expected an array");
        out = *a;
        return true;
    } else if constexpr (is_optional<T>::value) {
        if (v.is_null()) {
            out.reset();
            return true;
        }
        return read(v, out.emplace(), f);
    } else if constexpr (is_variant<T>::value) {
        return read_variant(v, out, f);
    } else if constexpr (user_conversion<T>) {
        return read_by_boost(v, out, f);
    } else if constexpr (std::same_as<T, bool>) {
        const bool* b = v.if_bool();
        if (!b) return fail(f, "expected a boolean");
        out = *b;
        return true;
    } else if constexpr (integer<T>) {
        return read_integer(v, out, f);
    } else if constexpr (std::floating_point<T>) {
        return read_floating(v, out, f);
    } else if constexpr (string_type<T>) {
        const bj::string* s = v.if_string();
        if (!s) return fail(f, "expected a string");
        assign_text(out, s->data(), s->size());
        return true;
    } else if constexpr (described_enum<T>) {
        return read_enum(v, out, f);
    } else if constexpr (described_class<T>) {
        return read_struct(v, out, f);
    } else if constexpr (map_like<T>) {
        return read_map(v, out, f);
    } else if constexpr (sequence_like<T>) {
        return read_sequence(v, out, f);
    } else if constexpr (tuple_like<T>) {
        return read_tuple(v, out, f);
    } else if constexpr (bj::has_value_to<T>::value) {
        return read_by_boost(v, out, f);
    } else {
        static_assert(dependent_false<T>,
                      "webhooks::events::json_codec cannot decode this member type: describe it with "
                      "BOOST_DESCRIBE_STRUCT / BOOST_DESCRIBE_ENUM, or give it a Boost.JSON conversion "
                      "(tag_invoke(boost::json::value_to_tag<T>, const boost::json::value&))");
        return false;
    }
}

} // namespace webhooks::events::detail::json

#endif
