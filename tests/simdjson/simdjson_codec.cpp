// SPDX-License-Identifier: BSL-1.0
// simdjson_codec against json_codec: json_codec's own cases, with every decode run through both codecs and required
// to give the same value or the same error (path and message); parse acceptance and text_at compared on tables of
// bodies and pointers (duplicate keys, numbers simdjson refuses, Boost's pointer quirks); a seeded differential run
// over mutated Stripe events; the per-thread buffer cache; and an endpoint that uses the codec end to end.
#include <webhooks/events/simdjson_codec.hpp>

#include <webhooks/endpoint.hpp>
#include <webhooks/events/event.hpp>
#include <webhooks/events/json_codec.hpp>
#include <webhooks/idempotency/memory_store.hpp>
#include <webhooks/providers/stripe.hpp>

#include "../support/codec_types.hpp"

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <list>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

using webhooks::events::Codec;
using webhooks::events::CodecFor;
using webhooks::events::decode_error;
using webhooks::events::decoded;
using webhooks::events::json_codec;
using webhooks::events::simdjson_codec;

namespace simdjson_codec_test {

using namespace webhooks::test::codec_types;

// --- Both codecs, compared --------------------------------------------------------------------------------------------

const json_codec boost_codec;
const simdjson_codec codec;

namespace dj = webhooks::events::detail::json;

// Equality for everything the tests decode: described structs member by member, containers element by element.
template <class T>
bool equal(const T& a, const T& b) {
    if constexpr (dj::json_type<T> || dj::string_type<T>) {
        return a == b;
    } else if constexpr (dj::is_optional<T>::value) {
        return a.has_value() == b.has_value() && (!a || equal(*a, *b));
    } else if constexpr (dj::is_variant<T>::value) {
        return a.index() == b.index() &&
               std::visit([&](const auto& x) { return equal(x, std::get<std::decay_t<decltype(x)>>(b)); }, a);
    } else if constexpr (dj::described_class<T>) {
        bool same = true;
        boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public |
                                                                          boost::describe::mod_inherited>>(
            [&](auto m) { same = same && equal(a.*m.pointer, b.*m.pointer); });
        return same;
    } else if constexpr (dj::map_like<T>) {
        if (a.size() != b.size()) return false;
        for (const auto& [k, v] : a) {
            auto it = b.find(k);
            if (it == b.end() || !equal(v, it->second)) return false;
        }
        return true;
    } else if constexpr (dj::sequence_like<T>) {
        if (a.size() != b.size()) return false;
        for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j)
            if (!equal<typename T::value_type>(*i, *j)) return false;
        return true;
    } else if constexpr (dj::tuple_like<T>) {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return (equal<std::remove_cvref_t<std::tuple_element_t<I, T>>>(std::get<I>(a), std::get<I>(b)) && ...);
        }(std::make_index_sequence<std::tuple_size<T>::value>{});
    } else if constexpr (std::floating_point<T>) {
        return a == b || (std::isnan(a) && std::isnan(b));
    } else {
        return a == b;
    }
}

// Requires both codecs to agree: the same value, or the same path and message.
template <class T>
void check_same(const decoded<T>& simd, const decoded<T>& boost) {
    REQUIRE(simd.has_value() == boost.has_value());
    if (simd.has_value()) {
        CHECK(equal(*simd, *boost));
    } else {
        CHECK(simd.error().path == boost.error().path);
        CHECK(simd.error().message == boost.error().message);
    }
}

simdjson_codec::document doc_of(std::string_view body) {
    auto doc = codec.parse(body);
    REQUIRE(doc.has_value());
    return std::move(*doc);
}

// Decodes with simdjson_codec, checks that json_codec decodes the same, and returns simdjson_codec's answer.
template <class T>
decoded<T> decode(std::string_view body, std::string_view pointer = "") {
    INFO("body: " << body << "\npointer: " << pointer);
    auto simd_doc = codec.parse(body);
    auto boost_doc = boost_codec.parse(body);
    REQUIRE(simd_doc.has_value());
    REQUIRE(boost_doc.has_value());
    decoded<T> simd = codec.decode<T>(*simd_doc, pointer);
    check_same(simd, boost_codec.decode<T>(*boost_doc, pointer));
    return simd;
}

template <class T>
decoded<T> decode_at(const simdjson_codec::document& doc, std::string_view body, std::string_view pointer) {
    INFO("pointer: " << pointer);
    decoded<T> simd = codec.decode<T>(doc, pointer);
    check_same(simd, boost_codec.decode<T>(boost_codec.parse(body).value(), pointer));
    return simd;
}

template <class T>
void check_error(const decoded<T>& r, std::string_view path, std::string_view message) {
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().path == path);
    CHECK(r.error().message == message);
}

// Parses with both codecs: both accept or both refuse. @return whether they accept.
bool parses(std::string_view body) {
    INFO("body: " << body);
    const bool simd = codec.parse(body).has_value();
    CHECK(simd == boost_codec.parse(body).has_value());
    return simd;
}

// text_at through both codecs, compared.
std::optional<std::string> text_at(std::string_view body, std::string_view pointer) {
    INFO("body: " << body << "\npointer: " << pointer);
    auto simd = codec.text_at(doc_of(body), pointer);
    CHECK(simd == boost_codec.text_at(boost_codec.parse(body).value(), pointer));
    return simd;
}

} // namespace simdjson_codec_test

using namespace simdjson_codec_test;

static_assert(Codec<simdjson_codec>);
static_assert(std::movable<simdjson_codec::document>);
static_assert(!std::copy_constructible<simdjson_codec::document>);
static_assert(!std::default_initializable<simdjson_codec::document>);  // only parse makes one
static_assert(CodecFor<simdjson_codec, payment_intent>);
static_assert(CodecFor<simdjson_codec, comment>);
static_assert(CodecFor<simdjson_codec, order>);
static_assert(CodecFor<simdjson_codec, std::vector<std::map<std::string, std::optional<double>>>>);
static_assert(CodecFor<simdjson_codec, boost::json::value>);
static_assert(CodecFor<simdjson_codec, std::variant<std::monostate, int, std::string>>);
static_assert(!CodecFor<simdjson_codec, not_decodable>);
static_assert(!CodecFor<simdjson_codec, std::vector<not_decodable>>);
static_assert(!CodecFor<simdjson_codec, std::optional<not_decodable>>);
static_assert(!CodecFor<simdjson_codec, std::map<std::string, not_decodable>>);
static_assert(!CodecFor<simdjson_codec, not_default_constructible>);
static_assert(!CodecFor<simdjson_codec, std::map<int, std::string>>);
static_assert(!CodecFor<simdjson_codec, std::string_view*>);

// --- Parsing ----------------------------------------------------------------------------------------------------------

TEST_CASE("parse accepts one JSON value and refuses anything else, as json_codec does", "[events][simdjson_codec]") {
    CHECK(parses(R"({"a":1})"));
    CHECK(parses("  [1, 2]\n"));
    CHECK(parses("42"));
    CHECK(parses(R"("text")"));
    CHECK(parses("{\"a\":1}  \r\n\t"));
    CHECK(parses(R"(["a\u0000b", "\ud83d\ude00", "caf\u00e9"])"));
    CHECK(parses("[-0, -0.0, 1E+5, 1.5e-3, 9223372036854775808, -9223372036854775808, 18446744073709551615]"));

    CHECK_FALSE(parses(""));
    CHECK_FALSE(parses("   \n"));
    CHECK_FALSE(parses("not json"));
    CHECK_FALSE(parses(R"({"a":1} trailing)"));
    CHECK_FALSE(parses(R"({"a":1}{"b":2})"));
    CHECK_FALSE(parses(R"({"a":1)"));
    CHECK_FALSE(parses(R"({"a":1,})"));
    CHECK_FALSE(parses("[1,]"));
    CHECK_FALSE(parses("{\"a\":1} // comment"));
    CHECK_FALSE(parses(std::string_view("{}\0", 3)));
    CHECK_FALSE(parses("\xEF\xBB\xBF{}"));  // a byte order mark
    CHECK_FALSE(parses("{}\x0c"));
    CHECK_FALSE(parses("[\"a\xff\"]"));          // invalid UTF-8
    CHECK_FALSE(parses("[\"\xed\xa0\x80\"]"));  // an encoded surrogate
    CHECK_FALSE(parses(R"(["\ud800"])"));      // a lone surrogate escape
    CHECK_FALSE(parses(R"(["\udc00"])"));
    CHECK_FALSE(parses("[\"\x01\"]"));
    CHECK_FALSE(parses("[01]"));
    CHECK_FALSE(parses("[1.]"));
    CHECK_FALSE(parses("[.5]"));
    CHECK_FALSE(parses("[+1]"));
    CHECK_FALSE(parses("[-]"));
    CHECK_FALSE(parses("[1e]"));
    CHECK_FALSE(parses("[tru]"));
    CHECK_FALSE(parses("[nul]"));
    CHECK_FALSE(parses("[]]"));
    CHECK_FALSE(parses(R"({"a" 1})"));
    CHECK_FALSE(parses(R"({a:1})"));
    CHECK_FALSE(parses("'a'"));
}

TEST_CASE("Numbers simdjson refuses are read by Boost.JSON, as json_codec reads them", "[events][simdjson_codec]") {
    for (const char* body : {"[1e400]", "[-1e400]", "[18446744073709551616]", "[-9223372036854775809]",
                             "[123456789012345678901234567890]", "[1.7976931348623159e308]"}) {
        INFO(body);
        REQUIRE(parses(body));
        CHECK(doc_of(body).fallback() != nullptr);
        decode<std::vector<double>>(body);
        decode<std::vector<std::int64_t>>(body);
        decode<boost::json::value>(body);
    }
    CHECK(doc_of("[1e300]").fallback() == nullptr);
    CHECK(std::isinf(decode<std::vector<double>>("[1e400]").value().at(0)));
    check_error(decode<std::vector<std::uint64_t>>("[1, 18446744073709551616]"), "/1", "out of range");

    // The whole event goes through json_codec then: a huge amount does not make the body unreadable.
    std::string body = stripe_body;
    body.replace(body.find("2000"), 4, "123456789012345678901234567890");
    REQUIRE(parses(body));
    check_error(decode<payment_intent>(body, "/data/object"), "/data/object/amount", "out of range");
    CHECK(text_at(body, "/type") == "payment_intent.succeeded");
    CHECK(text_at(body, "/data/object/amount") == std::nullopt);
    CHECK(text_at(body, "/created") == "1710000000");
    CHECK_FALSE(decode<std::optional<line_item>>(body, "/data/object/items/5").value().has_value());
    check_error(decode<std::string>(body, "data"), "data", "invalid JSON pointer");
}

TEST_CASE("parse refuses nesting beyond the configured depth", "[events][simdjson_codec]") {
    const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    CHECK(parses(nested(32)));
    CHECK_FALSE(parses(nested(33)));
    CHECK_FALSE(parses(nested(40)));
    std::string objects;
    for (int i = 0; i < 31; ++i) objects += R"({"a":)";
    objects += "[]" + std::string(31, '}');
    CHECK(parses(objects));
    CHECK_FALSE(parses(R"({"a":)" + objects + "}"));

    simdjson_codec deeper;
    deeper.max_depth = 64;
    CHECK(deeper.parse(nested(40)).has_value());
    CHECK_FALSE(deeper.parse(nested(65)).has_value());
    // The thread's parser follows each codec's depth.
    CHECK_FALSE(codec.parse(nested(40)).has_value());
    CHECK(deeper.parse(nested(64)).has_value());
}

TEST_CASE("The parsed document owns its memory and outlives the body", "[events][simdjson_codec]") {
    std::optional<simdjson_codec::document> doc;
    {
        std::string body = R"({"type":"invoice.paid","data":{"id":"in_1"}})";
        doc = codec.parse(body);
        body.assign(body.size(), 'x');
    }
    REQUIRE(doc.has_value());
    CHECK(codec.text_at(*doc, "/data/id") == "in_1");
}

// --- text_at ----------------------------------------------------------------------------------------------------------

TEST_CASE("text_at reads strings and integers and nothing else", "[events][simdjson_codec]") {
    const std::string body = R"({
        "id": "evt_123", "count": 42, "neg": -7, "big": 18446744073709551615, "ratio": 1.5, "flag": true,
        "none": null, "obj": {"type": "x"}, "list": ["first", 2], "a/b": "slash", "m~n": "tilde", "": "empty key",
        "minus_zero": -0, "objs": [{"a": 1}], "dup": "first", "dup": "last", "esc\"q": "quoted"
    })";
    CHECK(text_at(body, "/id") == "evt_123");
    CHECK(text_at(body, "/count") == "42");
    CHECK(text_at(body, "/neg") == "-7");
    CHECK(text_at(body, "/big") == "18446744073709551615");
    CHECK(text_at(body, "/obj/type") == "x");
    CHECK(text_at(body, "/list/0") == "first");
    CHECK(text_at(body, "/list/1") == "2");
    CHECK(text_at(body, "/a~1b") == "slash");
    CHECK(text_at(body, "/m~0n") == "tilde");
    CHECK(text_at(body, "/") == "empty key");
    CHECK(text_at(body, "/minus_zero") == "0");
    CHECK(text_at(body, "/dup") == "last");  // Boost.JSON keeps the last of duplicated keys
    CHECK(text_at(body, "/esc\"q") == "quoted");
    CHECK(text_at(body, "/objs//a") == "1");  // Boost 1.81: an empty array token before '/' is index 0

    for (const char* absent : {"/ratio", "/flag", "/none", "/obj", "/list", "", "/absent", "/list/2", "/list/-",
                               "/list/01", "/list/1x", "/list/", "/list/99999999999999999999999", "/id/deeper",
                               "id", "/m~2n", "/m~", "/absent~9", "/absent/~9", "/list/~9", "/obj/type/", "//"}) {
        CHECK_FALSE(text_at(body, absent).has_value());
    }
    CHECK(text_at(R"("root")", "") == "root");
    CHECK(text_at("7", "") == "7");
    CHECK_FALSE(text_at("7", "/x").has_value());
}

// --- Decoding: json_codec's cases, through both codecs ------------------------------------------------------------------

TEST_CASE("A described struct decodes from a pointer into the envelope and ignores unknown fields",
          "[events][simdjson_codec]") {
    const auto doc = doc_of(stripe_body);
    const auto pi = decode_at<payment_intent>(doc, stripe_body, payment_intent::payload_pointer);
    REQUIRE(pi.has_value());
    CHECK(pi->id == "pi_3OqXk2LkdIwHu7ix1rVx0a2B");
    CHECK(pi->amount == 2000);
    CHECK(pi->currency == "usd");
    CHECK(pi->status == pi_status::succeeded);
    CHECK_FALSE(pi->livemode);
    CHECK(pi->customer == "cus_PfK3o0wQ1bXyZ9");
    CHECK_FALSE(pi->description.has_value());
    CHECK(pi->metadata == std::map<std::string, std::string>{{"channel", "web"}, {"order_id", "6735"}});
    REQUIRE(pi->shipping.has_value());
    CHECK(pi->shipping->name == "Jenny Rosen");
    CHECK(pi->shipping->address.city == "San Francisco");
    CHECK_FALSE(pi->shipping->address.line2.has_value());
    REQUIRE(pi->items.size() == 2);
    CHECK(pi->items[0].sku == "sku_a");
    CHECK(pi->items[0].price == 1500);
    CHECK(pi->items[1].price == 500);

    const auto inner = decode<payment_intent>(
        boost::json::serialize(boost_codec.parse(stripe_body)->value().at_pointer("/data/object")));
    REQUIRE(inner.has_value());
    CHECK(inner->id == pi->id);
}

TEST_CASE("Absent and null optional members are empty, present ones are read", "[events][simdjson_codec]") {
    CHECK_FALSE(decode<postal_address>(R"({"city":"Paris"})").value().line2.has_value());
    CHECK_FALSE(decode<postal_address>(R"({"city":"Paris","line2":null})").value().line2.has_value());
    CHECK(decode<postal_address>(R"({"city":"Paris","line2":"Apt 4"})").value().line2 == "Apt 4");
    check_error(decode<postal_address>(R"({"city":"Paris","line2":5})"), "/line2", "expected a string");
    CHECK_FALSE(decode<std::optional<postal_address>>("null").value().has_value());
}

TEST_CASE("A missing or null required member is reported at its path", "[events][simdjson_codec]") {
    auto body = std::string(stripe_body);
    const auto erase = [&](std::string_view text) {
        const auto at = body.find(text);
        REQUIRE(at != std::string::npos);
        body.erase(at, text.size());
    };
    erase(R"("currency": "usd",)");
    check_error(decode<payment_intent>(body, "/data/object"), "/data/object/currency", "missing required field");

    body = stripe_body;
    erase(R"("city": "San Francisco",)");
    check_error(decode<payment_intent>(body, "/data/object"), "/data/object/shipping/address/city",
                "missing required field");

    check_error(decode<postal_address>(R"({"city":null})"), "/city", "missing required field");
    check_error(decode<line_item>(R"({"sku":"a","price":null})"), "/price", "missing required field");
    check_error(decode<std::vector<line_item>>(R"([{"sku":"a","price":1},{"price":2}])"), "/1/sku",
                "missing required field");
}

TEST_CASE("A value of the wrong type is reported with its exact path and expectation", "[events][simdjson_codec]") {
    const auto at = [](const std::map<std::string, std::string>& replaced) {
        std::map<std::string, std::string> fields{{"id", R"("pi_1")"},       {"amount", "1"},
                                                  {"currency", R"("usd")"},   {"status", R"("processing")"},
                                                  {"livemode", "false"},      {"metadata", "{}"},
                                                  {"items", "[]"}};
        for (const auto& [key, json] : replaced) fields[key] = json;
        std::string body = R"({"data":{"object":{)";
        for (const auto& [key, json] : fields) body += "\"" + key + "\":" + json + ",";
        body.back() = '}';
        return decode<payment_intent>(body + "}}", "/data/object");
    };
    REQUIRE(at({}).has_value());

    check_error(at({{"items", R"([{"sku":"a","price":1},{"sku":"b","price":2},{"sku":"c","price":"3"}])"}}),
                "/data/object/items/2/price", "expected an integer");
    check_error(at({{"items", R"([{"sku":"a","price":1},7])"}}), "/data/object/items/1", "expected an object");
    check_error(at({{"items", R"({"sku":"a"})"}}), "/data/object/items", "expected an array");
    check_error(at({{"id", "7"}}), "/data/object/id", "expected a string");
    check_error(at({{"livemode", R"("false")"}}), "/data/object/livemode", "expected a boolean");
    check_error(at({{"shipping", R"({"name":"J","address":[]})"}}), "/data/object/shipping/address",
                "expected an object");
    check_error(at({{"metadata", R"({"ok":"1","a/b~c":1})"}}), "/data/object/metadata/a~1b~0c",
                "expected a string");
    check_error(at({{"status", "null"}}), "/data/object/status", "missing required field");
    check_error(decode<payment_intent>(R"({"data":{"object":[]}})", "/data/object"), "/data/object",
                "expected an object");
    check_error(decode<double>(R"("1.5")"), "", "expected a number");
    check_error(decode<std::vector<std::vector<int>>>("[[1],[2,\"x\"]]"), "/1/1", "expected an integer");
}

TEST_CASE("The error reads as a sentence and value() throws it", "[events][simdjson_codec]") {
    const auto r = decode<line_item>(R"({"sku":"a","price":"x"})");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().what() == "expected an integer at /price");
    CHECK(decode<int>(R"("x")").error().what() == "expected an integer at /");
    CHECK_THROWS_AS(r.value(), std::invalid_argument);
    CHECK_THROWS_WITH(r.value(), "expected an integer at /price");
}

TEST_CASE("Integers are range-checked for every integer type", "[events][simdjson_codec]") {
    const auto ok = decode<integers>(R"({"u8":255,"i8":-128,"u16":65535,"i16":-32768,"u32":4294967295,
        "i32":-2147483648,"u64":18446744073709551615,"i64":-9223372036854775808})");
    REQUIRE(ok.has_value());
    CHECK(ok->u8 == 255);
    CHECK(ok->i8 == -128);
    CHECK(ok->u64 == std::numeric_limits<std::uint64_t>::max());
    CHECK(ok->i64 == std::numeric_limits<std::int64_t>::min());

    const std::string rest = R"("u16":0,"i16":0,"u32":0,"i32":0,"u64":0,"i64":0)";
    check_error(decode<integers>(R"({"u8":300,"i8":0,)" + rest + "}"), "/u8", "out of range");
    check_error(decode<integers>(R"({"u8":-1,"i8":0,)" + rest + "}"), "/u8", "out of range");
    check_error(decode<integers>(R"({"u8":0,"i8":128,)" + rest + "}"), "/i8", "out of range");
    check_error(decode<integers>(R"({"u8":0,"i8":-129,)" + rest + "}"), "/i8", "out of range");
    check_error(decode<std::uint64_t>("-1"), "", "out of range");
    check_error(decode<std::uint32_t>("4294967296"), "", "out of range");
    check_error(decode<std::int64_t>("9223372036854775808"), "", "out of range");
    check_error(decode<std::int32_t>("-2147483649"), "", "out of range");
    check_error(decode<std::uint16_t>("65536"), "", "out of range");
    check_error(decode<unsigned>("-5"), "", "out of range");

    CHECK(decode<int>("2.0").value() == 2);
    CHECK(decode<std::int64_t>("1e3").value() == 1000);
    CHECK(decode<std::int8_t>("-128.0").value() == -128);
    CHECK(decode<int>("-0").value() == 0);
    CHECK(decode<int>("-0.0").value() == 0);
    check_error(decode<int>("2.5"), "", "expected an integer");
    check_error(decode<std::int64_t>("1e30"), "", "out of range");
    check_error(decode<std::uint8_t>("256.0"), "", "out of range");
    check_error(decode<std::uint8_t>("-1.0"), "", "out of range");

    check_error(decode<int>("true"), "", "expected an integer");
    check_error(decode<int>("null"), "", "expected an integer");
    check_error(decode<int>(R"("5")"), "", "expected an integer");
    CHECK(decode<char>("65").value() == 'A');
    check_error(decode<signed char>("200"), "", "out of range");
}

TEST_CASE("Floating point members accept every JSON number", "[events][simdjson_codec]") {
    CHECK(decode<double>("1.25").value() == 1.25);
    CHECK(decode<double>("-3").value() == -3.0);
    CHECK(decode<double>("18446744073709551615").value() == 18446744073709551615.0);
    CHECK(decode<float>("0.5").value() == 0.5f);
    CHECK(decode<long double>("2").value() == 2.0L);
    CHECK(decode<double>("0.1").value() == 0.1);
    CHECK(decode<double>("1e-400").value() == 0.0);
    check_error(decode<float>("1e300"), "", "out of range");
    check_error(decode<double>("true"), "", "expected a number");
    check_error(decode<std::vector<double>>(R"([1, 2.5, null])"), "/2", "expected a number");
}

TEST_CASE("Strings and booleans decode from their JSON kinds only", "[events][simdjson_codec]") {
    CHECK(decode<std::string>(R"("caf\u00e9 \"q\"")").value() == "caf\xc3\xa9 \"q\"");
    CHECK(decode<std::string>(R"("")").value().empty());
    CHECK(decode<std::string>(R"("a\u0000b")").value() == std::string("a\0b", 3));
    CHECK(decode<std::string>(R"("\ud83d\ude00 \/ \b\f\n\r\t")").value() == "\xF0\x9F\x98\x80 / \b\f\n\r\t");
    CHECK(decode<boost::json::string>(R"("js")").value() == "js");
    check_error(decode<std::string>("12"), "", "expected a string");
    CHECK(decode<bool>("true").value());
    CHECK_FALSE(decode<bool>("false").value());
    check_error(decode<bool>("1"), "", "expected a boolean");
    check_error(decode<bool>(R"("true")"), "", "expected a boolean");
}

TEST_CASE("A described enum decodes from its enumerator's name", "[events][simdjson_codec]") {
    CHECK(decode<pi_status>(R"("requires_payment_method")").value() == pi_status::requires_payment_method);
    CHECK(decode<pi_status>(R"("canceled")").value() == pi_status::canceled);
    check_error(decode<pi_status>(R"("cancelled")"), "", "unknown enumerator");
    check_error(decode<pi_status>(R"("succeeded\u0000x")"), "", "unknown enumerator");
    check_error(decode<pi_status>("2"), "", "expected a string");
    check_error(decode<std::vector<pi_status>>(R"(["processing","refunded"])"), "/1", "unknown enumerator");
}

TEST_CASE("Sequences, sets, maps and tuples decode element by element", "[events][simdjson_codec]") {
    CHECK(decode<std::vector<int>>("[1,2,3]").value() == std::vector<int>{1, 2, 3});
    CHECK(decode<std::vector<int>>("[]").value().empty());
    CHECK(decode<std::deque<std::string>>(R"(["a","b"])").value() == std::deque<std::string>{"a", "b"});
    CHECK(decode<std::list<bool>>("[true,false]").value() == std::list<bool>{true, false});
    CHECK(decode<std::vector<bool>>("[false,true]").value() == std::vector<bool>{false, true});
    CHECK(decode<std::set<std::string>>(R"(["b","a","b"])").value() == std::set<std::string>{"a", "b"});
    CHECK(decode<std::vector<std::optional<int>>>("[1,null,3]").value() ==
          std::vector<std::optional<int>>{1, std::nullopt, 3});

    CHECK(decode<std::map<std::string, int>>(R"({"b":2,"a":1})").value() ==
          std::map<std::string, int>{{"a", 1}, {"b", 2}});
    const auto um = decode<std::unordered_map<std::string, std::vector<int>>>(R"({"x":[1],"y":[]})");
    REQUIRE(um.has_value());
    CHECK(um->at("x") == std::vector<int>{1});
    check_error(decode<std::unordered_map<std::string, std::vector<int>>>(R"({"x":[1,"2"]})"), "/x/1",
                "expected an integer");
    check_error(decode<std::map<std::string, int>>("[1]"), "", "expected an object");

    CHECK(decode<std::pair<std::string, int>>(R"(["a",1])").value() == std::pair<std::string, int>{"a", 1});
    CHECK(decode<std::tuple<int, bool, std::string>>(R"([1,true,"s"])").value() ==
          std::tuple<int, bool, std::string>{1, true, "s"});
    CHECK(decode<std::array<int, 3>>("[7,8,9]").value() == std::array<int, 3>{7, 8, 9});
    check_error(decode<std::pair<std::string, int>>(R"(["a"])"), "", "expected an array of 2 elements");
    check_error(decode<std::pair<std::string, int>>(R"(["a",1,2])"), "", "expected an array of 2 elements");
    check_error(decode<std::pair<std::string, int>>(R"({"a":1})"), "", "expected an array of 2 elements");
    check_error(decode<std::tuple<int, bool, std::string>>(R"([1,true,3])"), "/2", "expected a string");
}

TEST_CASE("Containers of described structs use the lenient walker", "[events][simdjson_codec]") {
    CHECK(decode<std::vector<line_item>>(R"([{"sku":"a","price":1,"qty":3}])").value().at(0).price == 1);
    CHECK(decode<std::map<std::string, postal_address>>(R"({"home":{"city":"Oslo","zip":"0150"}})")
              .value()
              .at("home")
              .city == "Oslo");
    const auto pair =
        decode<std::pair<postal_address, std::optional<postal_address>>>(R"([{"city":"Rome","x":1},null])");
    REQUIRE(pair.has_value());
    CHECK(pair->first.city == "Rome");
    CHECK_FALSE(pair->second.has_value());
    const auto var = decode<std::variant<std::monostate, postal_address>>(R"({"city":"Lima","extra":true})");
    REQUIRE(var.has_value());
    CHECK(std::get<postal_address>(*var).city == "Lima");
}

TEST_CASE("Boost.JSON values, objects and arrays are copied as they are", "[events][simdjson_codec]") {
    const auto raw = decode<raw_fields>(R"({"any":[1,"x"],"obj":{"k":{"n":1}},"arr":[{}],"maybe":false,"skip":0})");
    REQUIRE(raw.has_value());
    CHECK(boost::json::serialize(raw->any) == R"([1,"x"])");
    CHECK(boost::json::serialize(raw->obj) == R"({"k":{"n":1}})");
    CHECK(boost::json::serialize(raw->arr) == "[{}]");
    REQUIRE(raw->maybe.has_value());
    CHECK(raw->maybe->is_bool());

    const auto null_any = decode<raw_fields>(R"({"any":null,"obj":{},"arr":[]})");
    REQUIRE(null_any.has_value());
    CHECK(null_any->any.is_null());
    CHECK_FALSE(null_any->maybe.has_value());

    check_error(decode<raw_fields>(R"({"obj":{},"arr":[]})"), "/any", "missing required field");
    check_error(decode<raw_fields>(R"({"any":1,"obj":[],"arr":[]})"), "/obj", "expected an object");
    check_error(decode<raw_fields>(R"({"any":1,"obj":{},"arr":{}})"), "/arr", "expected an array");
    check_error(decode<raw_fields>(R"({"any":1,"obj":null,"arr":[]})"), "/obj", "missing required field");

    CHECK(decode<boost::json::value>(stripe_body, "/data/object/metadata").value().at("order_id") == "6735");
    // Every JSON kind, numbers at their edges, escapes: the same boost::json::value as Boost.JSON's parser makes.
    const auto all = decode<boost::json::value>(
        R"({"s":"a\"\u00e9\ud83d\ude00","i":-9223372036854775808,"u":18446744073709551615,"d":-0.0,"e":1E-7,)"
        R"("t":true,"f":false,"n":null,"a":[[],{},[{}]],"o":{"":{"x":[1,2.5,"3"]}}})");
    REQUIRE(all.has_value());
    CHECK(all->at("u").is_uint64());
    CHECK(all->at("i").is_int64());
    CHECK(std::signbit(all->at("d").as_double()));
}

TEST_CASE("A variant takes the first alternative that fits", "[events][simdjson_codec]") {
    using id_or_number = std::variant<std::monostate, std::int64_t, std::string>;
    CHECK(std::get<std::int64_t>(decode<id_or_number>("5").value()) == 5);
    CHECK(std::get<std::string>(decode<id_or_number>(R"("cus_1")").value()) == "cus_1");
    CHECK(std::holds_alternative<std::monostate>(decode<id_or_number>("null").value()));
    check_error(decode<id_or_number>("[1]"), "", "fits no alternative of the variant");
    const auto v = decode<std::map<std::string, id_or_number>>(R"({"a":null,"b":1})");
    REQUIRE(v.has_value());
    CHECK(std::holds_alternative<std::monostate>(v->at("a")));
}

TEST_CASE("Members of described bases are read with the derived struct's", "[events][simdjson_codec]") {
    const auto d = decode<derived_fields>(R"({"id":"x_1","created":17,"kind":"k","other":[]})");
    REQUIRE(d.has_value());
    CHECK(d->id == "x_1");
    CHECK(d->created == 17);
    CHECK(d->kind == "k");
    check_error(decode<derived_fields>(R"({"kind":"k"})"), "/id", "missing required field");
    check_error(decode<derived_fields>(R"({"id":"x","created":"yesterday","kind":"k"})"), "/created",
                "expected an integer");
}

TEST_CASE("A member with a trailing underscore reads the key without it", "[events][simdjson_codec]") {
    const auto k = decode<keyword_fields>(R"({"private":true,"default":"main","class":3,"private_":false})");
    REQUIRE(k.has_value());
    CHECK(k->private_);
    CHECK(k->default_ == "main");
    CHECK(k->class_ == 3);
    check_error(decode<keyword_fields>(R"({"private":1,"default":"main","class":3})"), "/private",
                "expected a boolean");
}

TEST_CASE("Self-referential and empty described structs decode", "[events][simdjson_codec]") {
    const auto c = decode<comment>(R"({"text":"a","replies":[{"text":"b","replies":[{"text":"c","replies":[]}]}]})");
    REQUIRE(c.has_value());
    CHECK(c->replies.at(0).replies.at(0).text == "c");
    check_error(decode<comment>(R"({"text":"a","replies":[{"text":"b","replies":[{"replies":[]}]}]})"),
                "/replies/0/replies/0/text", "missing required field");
    CHECK(decode<empty_struct>(R"({"anything":1})").has_value());
    check_error(decode<empty_struct>("[]"), "", "expected an object");
}

TEST_CASE("A pointer selects the value to decode and a bad pointer is an error", "[events][simdjson_codec]") {
    const auto doc = doc_of(stripe_body);
    const auto at = [&]<class T>(std::type_identity<T>, std::string_view pointer) {
        return decode_at<T>(doc, stripe_body, pointer);
    };
    constexpr std::type_identity<std::string> string;
    CHECK(at(string, "/data/object/currency").value() == "usd");
    CHECK(at(std::type_identity<line_item>{}, "/data/object/items/1").value().sku == "sku_b");
    CHECK(at(std::type_identity<std::int64_t>{}, "/created").value() == 1710000000);

    check_error(at(std::type_identity<payment_intent>{}, "/data/nothing"), "/data/nothing", "missing");
    check_error(at(std::type_identity<line_item>{}, "/data/object/items/5"), "/data/object/items/5", "missing");
    check_error(at(string, "/id/deeper"), "/id/deeper", "missing");
    check_error(at(string, "/data/object/items/-"), "/data/object/items/-", "missing");
    check_error(at(string, "/data/object/items/01"), "/data/object/items/01", "missing");
    check_error(at(string, "data/object"), "data/object", "invalid JSON pointer");
    check_error(at(string, "/data~9"), "/data~9", "invalid JSON pointer");
    check_error(at(string, "/data~"), "/data~", "invalid JSON pointer");
    check_error(at(string, "/nothing/~9"), "/nothing/~9", "missing");  // the first step already fails
    check_error(at(string, "/data/object/items/~9"), "/data/object/items/~9", "missing");

    CHECK_FALSE(at(std::type_identity<std::optional<line_item>>{}, "/data/object/items/5").value().has_value());
    check_error(at(std::type_identity<std::optional<line_item>>{}, "nope"), "nope", "invalid JSON pointer");
}

TEST_CASE("Types with a user tag_invoke conversion decode through it", "[events][simdjson_codec]") {
    const auto o = decode<order>(R"({"id":"o_1","total":"12.34","code":"ab-c","path":[[1,2],[3,4]],"note":"x"})");
    REQUIRE(o.has_value());
    CHECK(o->total.value == 1234);
    CHECK(o->code->text == "AB-C");
    CHECK(o->path[1].x == 3);
    CHECK(o->path[1].y == 4);

    const auto e = decode<order>(R"({"id":"o_1","total":"12.3","path":[]})");
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().path == "/total");
    CHECK(e.error().message == boost::system::error_code(boost::json::error::syntax).message());
    CHECK(decode<order>(R"({"id":"o_1","total":"1.00","code":5,"path":[]})").error().path == "/code");
    CHECK(decode<order>(R"({"id":"o_1","total":"1.00","path":[{"x":1,"y":2}]})").error().path == "/path/0");
}

TEST_CASE("Types Boost.JSON converts itself are a fallback", "[events][simdjson_codec]") {
    CHECK(decode<std::nullptr_t>("null").has_value());
    const auto r = decode<std::nullptr_t>("1");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().path.empty());
    CHECK_FALSE(r.error().message.empty());
}

TEST_CASE("Duplicated keys mean what Boost.JSON makes of them: the last value", "[events][simdjson_codec]") {
    CHECK(decode<line_item>(R"({"sku":"a","price":"x","price":2})").value().price == 2);
    check_error(decode<line_item>(R"({"sku":"a","price":1,"price":"x"})"), "/price", "expected an integer");
    check_error(decode<line_item>(R"({"sku":"a","price":1,"price":null})"), "/price", "missing required field");
    CHECK_FALSE(decode<postal_address>(R"({"city":"a","line2":"b","line2":null})").value().line2.has_value());

    using counts = std::map<std::string, int>;
    CHECK(decode<counts>(R"({"a":1,"b":2,"a":3})").value() == counts{{"a", 3}, {"b", 2}});
    CHECK(decode<counts>(R"({"a":"x","b":2,"a":3})").value() == counts{{"a", 3}, {"b", 2}});
    check_error(decode<counts>(R"({"a":1,"b":"y","a":"x"})"), "/a", "expected an integer");  // "a" comes first
    check_error(decode<counts>(R"({"a":"x","b":"y","a":3})"), "/b", "expected an integer");
    decode<std::unordered_map<std::string, line_item>>(R"({"k":{"sku":"a"},"k":{"sku":"b","price":1}})");

    CHECK(boost::json::serialize(decode<boost::json::value>(R"({"k":1,"j":2,"k":[3]})").value()) ==
          R"({"k":[3],"j":2})");
    CHECK(decode<order>(R"({"id":"o","total":"x","total":"1.00","path":[]})").value().total.value == 100);
}

// --- Differential: mutated events through both codecs ---------------------------------------------------------------

TEST_CASE("Mutated Stripe events parse, read and decode the same with both codecs", "[events][simdjson_codec]") {
    std::mt19937 random(20240501);
    const std::string base = stripe_body;
    static constexpr std::string_view alphabet = "{}[]:,\"\\ 0123456789.eE-+truefalsnl~/xu\x80\xc3\xa9\t\n";
    const auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random); };
    int accepted = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string body = base;
        for (int edits = 1 + static_cast<int>(pick(3)); edits > 0; --edits) {
            const std::size_t at = pick(body.size());
            switch (pick(4)) {
            case 0: body.erase(at, 1 + pick(3)); break;
            case 1: body.insert(at, 1, alphabet[pick(alphabet.size())]); break;
            case 2: body[at] = alphabet[pick(alphabet.size())]; break;
            case 3: {  // repeat a span: duplicated keys and members
                const std::size_t from = pick(body.size()), n = 1 + pick(60);
                body.insert(at, body.substr(from, n));
                break;
            }
            }
        }
        INFO("mutation " << i << ": " << body);
        if (!parses(body)) continue;
        ++accepted;
        for (const char* pointer : {"/id", "/type", "/created", "/data/object/amount", "/data/object/items/1/sku"})
            text_at(body, pointer);
        decode<payment_intent>(body, "/data/object");
        decode<std::optional<shipping_details>>(body, "/data/object/shipping");
        decode<std::map<std::string, std::string>>(body, "/data/object/metadata");
        decode<boost::json::value>(body, "");
    }
    CHECK(accepted > 300);  // enough of them are still JSON for the comparison to mean something
}

// --- The per-thread buffers ---------------------------------------------------------------------------------------------

TEST_CASE("Documents stay valid whichever thread parses, reads and destroys them", "[events][simdjson_codec]") {
    // More documents alive at once than a thread keeps, moved about, moved from, assigned over.
    std::vector<simdjson_codec::document> docs;
    for (int i = 0; i < 10; ++i) docs.push_back(doc_of(R"({"n":)" + std::to_string(i) + "}"));
    for (int i = 0; i < 10; ++i) CHECK(codec.text_at(docs[i], "/n") == std::to_string(i));
    simdjson_codec::document moved = std::move(docs[3]);
    docs[3] = doc_of(R"({"n":"again"})");
    docs[4] = std::move(docs[5]);
    CHECK(codec.text_at(moved, "/n") == "3");
    CHECK(codec.text_at(docs[3], "/n") == "again");
    CHECK(codec.text_at(docs[4], "/n") == "5");
    docs.clear();  // includes a moved-from document: its buffers must not be reused
    for (int i = 0; i < 10; ++i) CHECK(decode<payment_intent>(stripe_body, "/data/object").value().amount == 2000);

    // Parsed on one thread, read on others, destroyed on a third after the first has ended.
    std::optional<simdjson_codec::document> doc;
    std::thread([&] { doc = codec.parse(stripe_body); }).join();
    REQUIRE(doc.has_value());
    std::thread([&] { CHECK(codec.decode<payment_intent>(*doc, "/data/object").value().amount == 2000); }).join();
    std::thread([&] { doc.reset(); }).join();

    // Many threads at once, each with bodies of several sizes (some beyond reuse_limit).
    simdjson_codec small_cache;
    small_cache.reuse_limit = 2000;
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 300; ++i) {
                std::string body = stripe_body;
                body.replace(body.find("2000"), 4, std::to_string(t * 1000 + i));
                if (i % 3 == 0) body.insert(body.size() - 1, std::string(static_cast<std::size_t>(i) * 10, ' '));
                const simdjson_codec& c = t % 2 ? small_cache : codec;
                auto d = c.parse(body);
                if (!d || c.decode<payment_intent>(*d, "/data/object").value().amount != t * 1000 + i) ++wrong;
            }
        });
    for (auto& t : threads) t.join();
    CHECK(wrong == 0);
}

TEST_CASE("Without reuse, or beyond the reuse limit, every body gets its own buffers", "[events][simdjson_codec]") {
    simdjson_codec fresh;
    fresh.reuse_limit = 0;
    for (int i = 0; i < 3; ++i) {
        auto doc = fresh.parse(stripe_body);
        REQUIRE(doc.has_value());
        CHECK(fresh.decode<payment_intent>(*doc, "/data/object").value().id == "pi_3OqXk2LkdIwHu7ix1rVx0a2B");
        CHECK_FALSE(fresh.parse("[1,]").has_value());
        CHECK(fresh.parse("[1e400]")->fallback() != nullptr);
    }
    std::string large = R"({"pad":")" + std::string(300 * 1024, 'x') + R"(","n":7})";
    auto doc = codec.parse(large);
    REQUIRE(doc.has_value());
    CHECK(codec.text_at(*doc, "/n") == "7");
    CHECK(codec.decode<std::string>(*doc, "/pad").value().size() == 300 * 1024);
}

// --- End to end ------------------------------------------------------------------------------------------------------

namespace simdjson_codec_test {

struct payment_intent_succeeded {
    static constexpr std::string_view event_name = "payment_intent.succeeded";
    static constexpr std::string_view payload_pointer = "/data/object";
    std::string id;
    std::int64_t amount = 0;
    std::string currency;
    pi_status status{};
    std::optional<std::string> customer;
    std::map<std::string, std::string> metadata;
};
BOOST_DESCRIBE_STRUCT(payment_intent_succeeded, (), (id, amount, currency, status, customer, metadata))

constexpr std::string_view endpoint_secret = "whsec_simdjson_codec_test";

// A signed Stripe delivery that owns its strings.
struct stripe_delivery {
    std::string body;
    webhooks::signed_headers signed_headers;
    std::vector<webhooks::header_field> fields;
    explicit stripe_delivery(std::string b) : body(std::move(b)) {
        webhooks::providers::stripe sender{webhooks::secret{endpoint_secret}};
        signed_headers = sender.sign(body, {});
        fields.push_back({"Content-Type", "application/json"});
        for (const auto& h : signed_headers) fields.push_back({h.name, h.value});
    }
    webhooks::basic_request view() const { return {"POST", "/webhooks", fields, body}; }
};

std::string stripe_event(std::string_view id, std::string_view amount) {
    return R"({"id":")" + std::string(id) +
           R"(","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":)" +
           std::string(amount) + R"(,"currency":"usd","status":"succeeded","metadata":{"order":"42"},"extra":[1]}}})";
}

// The same endpoint with either codec: the statuses, the handler's view and the decode errors, recorded.
template <class C>
struct shop {
    webhooks::idempotency::memory_store store;
    std::vector<payment_intent_succeeded> seen;
    std::vector<std::string> errors;
    std::optional<webhooks::endpoint<webhooks::providers::stripe, webhooks::idempotency::memory_store, C>> ep;
    shop() {
        webhooks::events::dispatcher<C> events;
        events.template on<payment_intent_succeeded>(
            [this](const payment_intent_succeeded& pi) { seen.push_back(pi); });
        events.on_error([this](const webhooks::events::delivery&, const decode_error& e) {
            errors.push_back(e.what());
        });
        ep.emplace(webhooks::providers::stripe{webhooks::secret{endpoint_secret}}, store, std::move(events));
    }
};

} // namespace simdjson_codec_test

TEST_CASE("An endpoint with simdjson_codec handles deliveries exactly as with json_codec",
          "[events][simdjson_codec][endpoint]") {
    shop<simdjson_codec> simd;
    shop<json_codec> boost;
    const auto both = [&](const stripe_delivery& d) {
        const webhooks::response a = simd.ep->handle(d.view());
        const webhooks::response b = boost.ep->handle(d.view());
        CHECK(a.status == b.status);
        CHECK(a.body == b.body);
        CHECK(a.header("Idempotent-Replayed") == b.header("Idempotent-Replayed"));
        return a;
    };

    const stripe_delivery first{stripe_event("evt_1", "4200")};
    const webhooks::response handled = both(first);
    CHECK(handled.status == 200);
    CHECK(handled.body == R"({"status":"handled"})");
    REQUIRE(simd.seen.size() == 1);
    CHECK(simd.seen[0].id == "pi_1");
    CHECK(simd.seen[0].amount == 4200);
    CHECK(simd.seen[0].status == pi_status::succeeded);
    CHECK(simd.seen[0].metadata.at("order") == "42");
    CHECK_FALSE(simd.seen[0].customer.has_value());

    const webhooks::response again = both(first);  // the same event again: a duplicate
    CHECK(again.status == 200);
    CHECK(again.header("Idempotent-Replayed") == "true");
    CHECK(simd.seen.size() == 1);

    CHECK(both(stripe_delivery{stripe_event("evt_2", R"("x")")}).status == 500);  // does not fit: retry later
    REQUIRE(simd.errors.size() == 1);
    CHECK(simd.errors == boost.errors);
    CHECK(simd.errors[0] == "expected an integer at /data/object/amount");

    CHECK(both(stripe_delivery{R"({"id":"evt_3","type":"payment_intent.succeeded",)"}).status == 400);
    CHECK(both(stripe_delivery{stripe_event("evt_4", "1e400")}).status == 500);  // Boost.JSON reads it; int64 not
    CHECK(both(stripe_delivery{stripe_event("evt_5", "7")}).status == 200);
    CHECK(simd.seen.size() == 2);
    CHECK(simd.errors == boost.errors);
}

TEST_CASE("std::string_view members view the document's unescaped strings, as with json_codec",
          "[events][simdjson_codec]") {
    const simdjson_codec codec;
    std::string body = R"({"id":"evt_\"1\"","note":"caf\u00e9","tags":["a","b\\c"],"labels":{"k\/1":"v"},"extra":1})";
    auto doc = codec.parse(body);
    REQUIRE(doc);
    body.assign(body.size(), '#');  // the views point into the document, not into the body
    auto v = codec.decode<viewed>(*doc, "");
    REQUIRE(v.has_value());
    CHECK(v->id == "evt_\"1\"");
    CHECK(v->note == std::optional<std::string_view>("caf\xc3\xa9"));
    CHECK_FALSE(v->absent);
    CHECK(v->tags == std::vector<std::string_view>{"a", "b\\c"});
    CHECK(v->labels == std::map<std::string_view, std::string_view>{{"k/1", "v"}});
    // A second document (the thread's recycled buffers) does not disturb the first one's views.
    auto other = codec.parse(R"({"id":"zzzzzzzz","tags":[]})");
    REQUIRE(other);
    CHECK(v->id == "evt_\"1\"");
    auto e = codec.decode<viewed>(*codec.parse(R"({"id":7})"), "");
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().path == "/id");
}
