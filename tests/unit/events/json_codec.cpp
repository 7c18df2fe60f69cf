// SPDX-License-Identifier: BSL-1.0
#include <webhooks/events/json_codec.hpp>

#include <webhooks/events/event.hpp>

#include "../../support/codec_types.hpp"

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <limits>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
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

namespace json_codec_test {

using namespace webhooks::test::codec_types;

const json_codec codec;

boost::json::value doc_of(std::string_view body) {
    auto doc = codec.parse(body);
    REQUIRE(doc.has_value());
    return doc->copy();
}

template <class T>
decoded<T> decode(std::string_view body, std::string_view pointer = "") {
    return codec.decode<T>(doc_of(body), pointer);
}

// Checks that decoding failed at `path` with `message`.
template <class T>
void check_error(const decoded<T>& r, std::string_view path, std::string_view message) {
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().path == path);
    CHECK(r.error().message == message);
}

} // namespace json_codec_test

using namespace json_codec_test;

static_assert(Codec<json_codec>);
static_assert(webhooks::events::Event<payment_intent>);
static_assert(CodecFor<json_codec, payment_intent>);
static_assert(CodecFor<json_codec, comment>);
static_assert(CodecFor<json_codec, order>);
static_assert(CodecFor<json_codec, std::vector<std::map<std::string, std::optional<double>>>>);
static_assert(CodecFor<json_codec, boost::json::value>);
static_assert(CodecFor<json_codec, std::variant<std::monostate, int, std::string>>);
static_assert(!CodecFor<json_codec, not_decodable>);
static_assert(!CodecFor<json_codec, std::vector<not_decodable>>);
static_assert(!CodecFor<json_codec, std::optional<not_decodable>>);
static_assert(!CodecFor<json_codec, std::map<std::string, not_decodable>>);
static_assert(!CodecFor<json_codec, not_default_constructible>);
static_assert(!CodecFor<json_codec, std::map<int, std::string>>);  // JSON keys are strings
static_assert(!CodecFor<json_codec, std::string_view*>);

TEST_CASE("parse accepts one JSON value and refuses anything else", "[events][json_codec]") {
    CHECK(codec.parse(R"({"a":1})").has_value());
    CHECK(codec.parse("  [1, 2]\n").has_value());
    CHECK(codec.parse("42").has_value());
    CHECK(codec.parse(R"("text")").has_value());

    CHECK_FALSE(codec.parse("").has_value());
    CHECK_FALSE(codec.parse("   \n").has_value());
    CHECK_FALSE(codec.parse("not json").has_value());
    CHECK_FALSE(codec.parse(R"({"a":1} trailing)").has_value());
    CHECK_FALSE(codec.parse(R"({"a":1}{"b":2})").has_value());
    CHECK_FALSE(codec.parse(R"({"a":1)").has_value());
    CHECK_FALSE(codec.parse(R"({"a":1,})").has_value());
    CHECK_FALSE(codec.parse("{\"a\":1} // comment").has_value());
    CHECK_FALSE(codec.parse(std::string_view("{}\0", 3)).has_value());

    const auto doc = codec.parse(R"({"id":"evt_1","n":[true,null,-2]})");
    REQUIRE(doc.has_value());
    CHECK(boost::json::serialize(doc->value()) == R"({"id":"evt_1","n":[true,null,-2]})");
}

TEST_CASE("parse refuses nesting beyond the configured depth", "[events][json_codec]") {
    const std::string deep = std::string(40, '[') + std::string(40, ']');
    CHECK_FALSE(codec.parse(deep).has_value());  // Boost.JSON's default limit is 32

    json_codec deeper;
    deeper.options.max_depth = 64;
    CHECK(deeper.parse(deep).has_value());
}

TEST_CASE("The parsed document owns its memory and outlives the body", "[events][json_codec]") {
    std::optional<json_codec::document> doc;
    {
        std::string body = R"({"type":"invoice.paid","data":{"id":"in_1"}})";
        doc = codec.parse(body);
        body.assign(body.size(), 'x');
    }
    REQUIRE(doc.has_value());
    CHECK(codec.text_at(*doc, "/data/id") == "in_1");

    json_codec::document moved = std::move(*doc);  // moves as a pointer: the value stays where it was
    CHECK(codec.text_at(moved, "/data/id") == "in_1");
    boost::json::value kept = moved.copy();
    moved = json_codec::document();  // the arena goes; the copy has its own memory
    CHECK(moved.value().is_null());
    CHECK(kept.at_pointer("/data/id").as_string() == "in_1");
    CHECK(kept.storage() == boost::json::storage_ptr());
}

TEST_CASE("text_at reads strings and integers and nothing else", "[events][json_codec]") {
    const auto doc = doc_of(R"({
        "id": "evt_123", "count": 42, "neg": -7, "big": 18446744073709551615, "ratio": 1.5, "flag": true,
        "none": null, "obj": {"type": "x"}, "list": ["first", 2], "a/b": "slash", "m~n": "tilde", "": "empty key"
    })");
    CHECK(codec.text_at(doc, "/id") == "evt_123");
    CHECK(codec.text_at(doc, "/count") == "42");
    CHECK(codec.text_at(doc, "/neg") == "-7");
    CHECK(codec.text_at(doc, "/big") == "18446744073709551615");
    CHECK(codec.text_at(doc, "/obj/type") == "x");
    CHECK(codec.text_at(doc, "/list/0") == "first");
    CHECK(codec.text_at(doc, "/list/1") == "2");
    CHECK(codec.text_at(doc, "/a~1b") == "slash");
    CHECK(codec.text_at(doc, "/m~0n") == "tilde");
    CHECK(codec.text_at(doc, "/") == "empty key");

    CHECK_FALSE(codec.text_at(doc, "/ratio").has_value());
    CHECK_FALSE(codec.text_at(doc, "/flag").has_value());
    CHECK_FALSE(codec.text_at(doc, "/none").has_value());
    CHECK_FALSE(codec.text_at(doc, "/obj").has_value());
    CHECK_FALSE(codec.text_at(doc, "/list").has_value());
    CHECK_FALSE(codec.text_at(doc, "").has_value());  // the root is an object
    CHECK_FALSE(codec.text_at(doc, "/absent").has_value());
    CHECK_FALSE(codec.text_at(doc, "/list/2").has_value());
    CHECK_FALSE(codec.text_at(doc, "/id/deeper").has_value());
    CHECK_FALSE(codec.text_at(doc, "id").has_value());     // no leading '/'
    CHECK_FALSE(codec.text_at(doc, "/m~2n").has_value());  // bad escape

    CHECK(codec.text_at(doc_of(R"("root")"), "") == "root");
    CHECK(codec.text_at(doc_of("7"), "") == "7");
}

TEST_CASE("A described struct decodes from a pointer into the envelope and ignores unknown fields",
          "[events][json_codec]") {
    const auto doc = doc_of(stripe_body);
    const auto pi = codec.decode<payment_intent>(doc, payment_intent::payload_pointer);
    REQUIRE(pi.has_value());
    CHECK(pi->id == "pi_3OqXk2LkdIwHu7ix1rVx0a2B");
    CHECK(pi->amount == 2000);
    CHECK(pi->currency == "usd");
    CHECK(pi->status == pi_status::succeeded);
    CHECK_FALSE(pi->livemode);
    CHECK(pi->customer == "cus_PfK3o0wQ1bXyZ9");
    CHECK_FALSE(pi->description.has_value());  // null
    CHECK(pi->metadata == std::map<std::string, std::string>{{"channel", "web"}, {"order_id", "6735"}});
    REQUIRE(pi->shipping.has_value());
    CHECK(pi->shipping->name == "Jenny Rosen");
    CHECK(pi->shipping->address.city == "San Francisco");
    CHECK_FALSE(pi->shipping->address.line2.has_value());  // absent
    REQUIRE(pi->items.size() == 2);
    CHECK(pi->items[0].sku == "sku_a");
    CHECK(pi->items[0].price == 1500);
    CHECK(pi->items[1].price == 500);

    // The same object, as the whole document.
    const auto inner = decode<payment_intent>(boost::json::serialize(doc.at_pointer("/data/object")));
    REQUIRE(inner.has_value());
    CHECK(inner->id == pi->id);
}

TEST_CASE("Absent and null optional members are empty, present ones are read", "[events][json_codec]") {
    const auto absent = decode<postal_address>(R"({"city":"Paris"})");
    REQUIRE(absent.has_value());
    CHECK_FALSE(absent->line2.has_value());

    const auto null = decode<postal_address>(R"({"city":"Paris","line2":null})");
    REQUIRE(null.has_value());
    CHECK_FALSE(null->line2.has_value());

    const auto present = decode<postal_address>(R"({"city":"Paris","line2":"Apt 4"})");
    REQUIRE(present.has_value());
    CHECK(present->line2 == "Apt 4");

    check_error(decode<postal_address>(R"({"city":"Paris","line2":5})"), "/line2", "expected a string");

    const auto nested = decode<std::optional<postal_address>>("null");
    REQUIRE(nested.has_value());
    CHECK_FALSE(nested->has_value());
}

TEST_CASE("A missing or null required member is reported at its path", "[events][json_codec]") {
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

TEST_CASE("A value of the wrong type is reported with its exact path and expectation", "[events][json_codec]") {
    // A valid payment intent, with some fields replaced.
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

TEST_CASE("The error reads as a sentence and value() throws it", "[events][json_codec]") {
    const auto r = decode<line_item>(R"({"sku":"a","price":"x"})");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().what() == "expected an integer at /price");
    CHECK(decode<int>(R"("x")").error().what() == "expected an integer at /");
    CHECK_THROWS_AS(r.value(), std::invalid_argument);
    CHECK_THROWS_WITH(r.value(), "expected an integer at /price");
}

TEST_CASE("Integers are range-checked for every integer type", "[events][json_codec]") {
    const auto ok = decode<integers>(R"({"u8":255,"i8":-128,"u16":65535,"i16":-32768,"u32":4294967295,
        "i32":-2147483648,"u64":18446744073709551615,"i64":-9223372036854775808})");
    REQUIRE(ok.has_value());
    CHECK(ok->u8 == 255);
    CHECK(ok->i8 == -128);
    CHECK(ok->u16 == 65535);
    CHECK(ok->i16 == -32768);
    CHECK(ok->u32 == 4294967295u);
    CHECK(ok->i32 == std::numeric_limits<std::int32_t>::min());
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

    // Floats with an integral value are integers written another way.
    CHECK(decode<int>("2.0").value() == 2);
    CHECK(decode<std::int64_t>("1e3").value() == 1000);
    CHECK(decode<std::int8_t>("-128.0").value() == -128);
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

TEST_CASE("Floating point members accept every JSON number", "[events][json_codec]") {
    CHECK(decode<double>("1.25").value() == 1.25);
    CHECK(decode<double>("-3").value() == -3.0);
    CHECK(decode<double>("18446744073709551615").value() == 18446744073709551615.0);
    CHECK(decode<float>("0.5").value() == 0.5f);
    CHECK(decode<long double>("2").value() == 2.0L);
    check_error(decode<float>("1e300"), "", "out of range");
    check_error(decode<double>("true"), "", "expected a number");
    check_error(decode<std::vector<double>>(R"([1, 2.5, null])"), "/2", "expected a number");
}

TEST_CASE("Strings and booleans decode from their JSON kinds only", "[events][json_codec]") {
    CHECK(decode<std::string>(R"("caf\u00e9 \"q\"")").value() == "caf\xc3\xa9 \"q\"");
    CHECK(decode<std::string>(R"("")").value().empty());
    CHECK(decode<std::string>(R"("a\u0000b")").value() == std::string("a\0b", 3));
    CHECK(decode<boost::json::string>(R"("js")").value() == "js");
    check_error(decode<std::string>("12"), "", "expected a string");
    CHECK(decode<bool>("true").value());
    CHECK_FALSE(decode<bool>("false").value());
    check_error(decode<bool>("1"), "", "expected a boolean");
    check_error(decode<bool>(R"("true")"), "", "expected a boolean");
}

TEST_CASE("A described enum decodes from its enumerator's name", "[events][json_codec]") {
    CHECK(decode<pi_status>(R"("requires_payment_method")").value() == pi_status::requires_payment_method);
    CHECK(decode<pi_status>(R"("canceled")").value() == pi_status::canceled);
    check_error(decode<pi_status>(R"("cancelled")"), "", "unknown enumerator");
    check_error(decode<pi_status>(R"("succeeded\u0000x")"), "", "unknown enumerator");
    check_error(decode<pi_status>("2"), "", "expected a string");
    check_error(decode<std::vector<pi_status>>(R"(["processing","refunded"])"), "/1", "unknown enumerator");
}

TEST_CASE("Sequences, sets, maps and tuples decode element by element", "[events][json_codec]") {
    CHECK(decode<std::vector<int>>("[1,2,3]").value() == std::vector<int>{1, 2, 3});
    CHECK(decode<std::vector<int>>("[]").value().empty());
    CHECK(decode<std::deque<std::string>>(R"(["a","b"])").value() == std::deque<std::string>{"a", "b"});
    CHECK(decode<std::list<bool>>("[true,false]").value() == std::list<bool>{true, false});
    CHECK(decode<std::vector<bool>>("[false,true]").value() == std::vector<bool>{false, true});
    CHECK(decode<std::set<std::string>>(R"(["b","a","b"])").value() == std::set<std::string>{"a", "b"});
    CHECK(decode<std::vector<std::optional<int>>>("[1,null,3]").value() ==
          std::vector<std::optional<int>>{1, std::nullopt, 3});

    CHECK(decode<std::map<std::string, int>>(R"({"b":2,"a":1})").value() == std::map<std::string, int>{{"a", 1},
                                                                                                    {"b", 2}});
    const auto um = decode<std::unordered_map<std::string, std::vector<int>>>(R"({"x":[1],"y":[]})");
    REQUIRE(um.has_value());
    CHECK(um->at("x") == std::vector<int>{1});
    CHECK(um->at("y").empty());
    check_error(decode<std::unordered_map<std::string, std::vector<int>>>(R"({"x":[1,"2"]})"), "/x/1",
                "expected an integer");
    check_error(decode<std::map<std::string, int>>("[1]"), "", "expected an object");

    CHECK(decode<std::pair<std::string, int>>(R"(["a",1])").value() == std::pair<std::string, int>{"a", 1});
    CHECK(decode<std::tuple<int, bool, std::string>>(R"([1,true,"s"])").value() ==
          std::tuple<int, bool, std::string>{1, true, "s"});
    CHECK(decode<std::array<int, 3>>("[7,8,9]").value() == std::array<int, 3>{7, 8, 9});
    check_error(decode<std::pair<std::string, int>>(R"(["a"])"), "", "expected an array of 2 elements");
    check_error(decode<std::pair<std::string, int>>(R"({"a":1})"), "", "expected an array of 2 elements");
    check_error(decode<std::tuple<int, bool, std::string>>(R"([1,true,3])"), "/2", "expected a string");
}

TEST_CASE("Containers of described structs use the lenient walker", "[events][json_codec]") {
    // Boost 1.81's own conversion would refuse "qty" and the absent optional.
    const auto items = decode<std::vector<line_item>>(R"([{"sku":"a","price":1,"qty":3}])");
    REQUIRE(items.has_value());
    CHECK(items->at(0).price == 1);
    const auto by_key = decode<std::map<std::string, postal_address>>(R"({"home":{"city":"Oslo","zip":"0150"}})");
    REQUIRE(by_key.has_value());
    CHECK(by_key->at("home").city == "Oslo");
    const auto pair =
        decode<std::pair<postal_address, std::optional<postal_address>>>(R"([{"city":"Rome","x":1},null])");
    REQUIRE(pair.has_value());
    CHECK(pair->first.city == "Rome");
    CHECK_FALSE(pair->second.has_value());
    const auto var = decode<std::variant<std::monostate, postal_address>>(R"({"city":"Lima","extra":true})");
    REQUIRE(var.has_value());
    REQUIRE(std::holds_alternative<postal_address>(*var));
    CHECK(std::get<postal_address>(*var).city == "Lima");
}

TEST_CASE("Boost.JSON values, objects and arrays are copied as they are", "[events][json_codec]") {
    const auto raw = decode<raw_fields>(R"({"any":[1,"x"],"obj":{"k":{"n":1}},"arr":[{}],"maybe":false,"skip":0})");
    REQUIRE(raw.has_value());
    CHECK(boost::json::serialize(raw->any) == R"([1,"x"])");
    CHECK(boost::json::serialize(raw->obj) == R"({"k":{"n":1}})");
    CHECK(boost::json::serialize(raw->arr) == "[{}]");
    REQUIRE(raw->maybe.has_value());
    CHECK(raw->maybe->is_bool());

    const auto null_any = decode<raw_fields>(R"({"any":null,"obj":{},"arr":[]})");
    REQUIRE(null_any.has_value());
    CHECK(null_any->any.is_null());  // a null value is a value
    CHECK_FALSE(null_any->maybe.has_value());

    check_error(decode<raw_fields>(R"({"obj":{},"arr":[]})"), "/any", "missing required field");
    check_error(decode<raw_fields>(R"({"any":1,"obj":[],"arr":[]})"), "/obj", "expected an object");
    check_error(decode<raw_fields>(R"({"any":1,"obj":{},"arr":{}})"), "/arr", "expected an array");
    check_error(decode<raw_fields>(R"({"any":1,"obj":null,"arr":[]})"), "/obj", "missing required field");

    const auto whole = decode<boost::json::value>(stripe_body, "/data/object/metadata");
    REQUIRE(whole.has_value());
    CHECK(whole->at("order_id") == "6735");
}

TEST_CASE("A variant takes the first alternative that fits", "[events][json_codec]") {
    using id_or_number = std::variant<std::monostate, std::int64_t, std::string>;
    CHECK(std::get<std::int64_t>(decode<id_or_number>("5").value()) == 5);
    CHECK(std::get<std::string>(decode<id_or_number>(R"("cus_1")").value()) == "cus_1");
    CHECK(std::holds_alternative<std::monostate>(decode<id_or_number>("null").value()));
    check_error(decode<id_or_number>("[1]"), "", "fits no alternative of the variant");

    // A null of a variant with std::monostate is that alternative, not a missing value.
    const auto v = decode<std::map<std::string, id_or_number>>(R"({"a":null,"b":1})");
    REQUIRE(v.has_value());
    CHECK(std::holds_alternative<std::monostate>(v->at("a")));
}

TEST_CASE("Members of described bases are read with the derived struct's", "[events][json_codec]") {
    const auto d = decode<derived_fields>(R"({"id":"x_1","created":17,"kind":"k","other":[]})");
    REQUIRE(d.has_value());
    CHECK(d->id == "x_1");
    CHECK(d->created == 17);
    CHECK(d->kind == "k");
    check_error(decode<derived_fields>(R"({"kind":"k"})"), "/id", "missing required field");
    check_error(decode<derived_fields>(R"({"id":"x","created":"yesterday","kind":"k"})"), "/created",
                "expected an integer");
}

TEST_CASE("A member with a trailing underscore reads the key without it", "[events][json_codec]") {
    const auto k = decode<keyword_fields>(R"({"private":true,"default":"main","class":3,"private_":false})");
    REQUIRE(k.has_value());
    CHECK(k->private_);
    CHECK(k->default_ == "main");
    CHECK(k->class_ == 3);
    check_error(decode<keyword_fields>(R"({"private":1,"default":"main","class":3})"), "/private",
                "expected a boolean");
}

TEST_CASE("Self-referential and empty described structs decode", "[events][json_codec]") {
    const auto c = decode<comment>(R"({"text":"a","replies":[{"text":"b","replies":[{"text":"c","replies":[]}]}]})");
    REQUIRE(c.has_value());
    CHECK(c->replies.at(0).replies.at(0).text == "c");
    check_error(decode<comment>(R"({"text":"a","replies":[{"text":"b","replies":[{"replies":[]}]}]})"),
                "/replies/0/replies/0/text", "missing required field");

    CHECK(decode<empty_struct>(R"({"anything":1})").has_value());
    check_error(decode<empty_struct>("[]"), "", "expected an object");
}

TEST_CASE("A pointer selects the value to decode and a bad pointer is an error", "[events][json_codec]") {
    const auto doc = doc_of(stripe_body);
    CHECK(codec.decode<std::string>(doc, "/data/object/currency").value() == "usd");
    CHECK(codec.decode<line_item>(doc, "/data/object/items/1").value().sku == "sku_b");
    CHECK(codec.decode<std::int64_t>(doc, "/created").value() == 1710000000);

    check_error(codec.decode<payment_intent>(doc, "/data/nothing"), "/data/nothing", "missing");
    check_error(codec.decode<line_item>(doc, "/data/object/items/5"), "/data/object/items/5", "missing");
    check_error(codec.decode<std::string>(doc, "/id/deeper"), "/id/deeper", "missing");
    check_error(codec.decode<std::string>(doc, "/data/object/items/-"), "/data/object/items/-", "missing");
    check_error(codec.decode<std::string>(doc, "data/object"), "data/object", "invalid JSON pointer");
    check_error(codec.decode<std::string>(doc, "/data~9"), "/data~9", "invalid JSON pointer");

    // An optional at an absent place is empty; an invalid pointer is still an error.
    const auto maybe = codec.decode<std::optional<line_item>>(doc, "/data/object/items/5");
    REQUIRE(maybe.has_value());
    CHECK_FALSE(maybe->has_value());
    check_error(codec.decode<std::optional<line_item>>(doc, "nope"), "nope", "invalid JSON pointer");
}

TEST_CASE("Types with a user tag_invoke conversion decode through it", "[events][json_codec]") {
    const auto o = decode<order>(R"({"id":"o_1","total":"12.34","code":"ab-c","path":[[1,2],[3,4]],"note":"x"})");
    REQUIRE(o.has_value());
    CHECK(o->total.value == 1234);
    REQUIRE(o->code.has_value());
    CHECK(o->code->text == "AB-C");
    REQUIRE(o->path.size() == 2);
    CHECK(o->path[1].x == 3);  // the user's conversion of a described struct wins
    CHECK(o->path[1].y == 4);

    const auto e = decode<order>(R"({"id":"o_1","total":"12.3","path":[]})");
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().path == "/total");
    CHECK(e.error().message == boost::system::error_code(boost::json::error::syntax).message());

    const auto thrown = decode<order>(R"({"id":"o_1","total":"1.00","code":5,"path":[]})");
    REQUIRE_FALSE(thrown.has_value());
    CHECK(thrown.error().path == "/code");  // a throwing value_to_tag conversion becomes an error

    const auto described_shape = decode<order>(R"({"id":"o_1","total":"1.00","path":[{"x":1,"y":2}]})");
    REQUIRE_FALSE(described_shape.has_value());
    CHECK(described_shape.error().path == "/path/0");
}

TEST_CASE("Types Boost.JSON converts itself are a fallback", "[events][json_codec]") {
    CHECK(decode<std::nullptr_t>("null").has_value());
    const auto r = decode<std::nullptr_t>("1");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().path.empty());
    CHECK_FALSE(r.error().message.empty());
}

TEST_CASE("std::string_view members view the document's unescaped strings, without copies", "[events][json_codec]") {
    const json_codec codec;
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
    auto wrong = codec.parse(R"({"id":7})");
    REQUIRE(wrong);
    auto e = codec.decode<viewed>(*wrong, "");
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().path == "/id");
}
