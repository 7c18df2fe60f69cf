// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_TEST_CODEC_TYPES_HPP
#define WEBHOOKS_TEST_CODEC_TYPES_HPP

// The event types and payloads both codecs' tests decode (tests/unit/events/json_codec.cpp and
// tests/simdjson/simdjson_codec.cpp): one definition, so the two suites keep testing the same things.

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/json/error.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webhooks::test::codec_types {

enum class pi_status { requires_payment_method, processing, succeeded, canceled };
BOOST_DESCRIBE_ENUM(pi_status, requires_payment_method, processing, succeeded, canceled)

struct postal_address {
    std::string city;
    std::optional<std::string> line2;
};
BOOST_DESCRIBE_STRUCT(postal_address, (), (city, line2))

struct shipping_details {
    std::string name;
    postal_address address;
};
BOOST_DESCRIBE_STRUCT(shipping_details, (), (name, address))

struct line_item {
    std::string sku;
    std::int64_t price = 0;
};
BOOST_DESCRIBE_STRUCT(line_item, (), (sku, price))

struct payment_intent {
    static constexpr std::string_view event_name = "payment_intent.succeeded";
    static constexpr std::string_view payload_pointer = "/data/object";
    std::string id;
    std::int64_t amount = 0;
    std::string currency;
    pi_status status{};
    bool livemode = true;
    std::optional<std::string> customer;
    std::optional<std::string> description;
    std::map<std::string, std::string> metadata;
    std::optional<shipping_details> shipping;
    std::vector<line_item> items;
};
BOOST_DESCRIBE_STRUCT(payment_intent, (), (id, amount, currency, status, livemode, customer, description, metadata,
                                           shipping, items))

// A Stripe event as sent, with fields payment_intent does not declare.
constexpr const char* stripe_body = R"({
  "id": "evt_3OqXk2LkdIwHu7ix1mWm2cTf",
  "object": "event",
  "api_version": "2024-06-20",
  "created": 1710000000,
  "type": "payment_intent.succeeded",
  "livemode": false,
  "pending_webhooks": 2,
  "request": {"id": "req_8xq2Yw0LpA3n1b", "idempotency_key": "9f3c0c1e-2d8b-4a7e-9f55-0e2d3c4b5a69"},
  "data": {
    "object": {
      "id": "pi_3OqXk2LkdIwHu7ix1rVx0a2B",
      "object": "payment_intent",
      "amount": 2000,
      "amount_received": 2000,
      "currency": "usd",
      "status": "succeeded",
      "livemode": false,
      "customer": "cus_PfK3o0wQ1bXyZ9",
      "description": null,
      "metadata": {"order_id": "6735", "channel": "web"},
      "payment_method_types": ["card"],
      "charges": {"object": "list", "data": [], "has_more": false},
      "shipping": {"name": "Jenny Rosen", "address": {"city": "San Francisco", "country": "US", "line1": "1 Main St"}},
      "items": [{"sku": "sku_a", "price": 1500, "qty": 1}, {"sku": "sku_b", "price": 500}]
    }
  }
})";

struct base_fields {
    std::string id;
    std::optional<std::int64_t> created;
};
BOOST_DESCRIBE_STRUCT(base_fields, (), (id, created))

struct derived_fields : base_fields {
    std::string kind;
};
BOOST_DESCRIBE_STRUCT(derived_fields, (base_fields), (kind))

struct keyword_fields {
    bool private_ = false;
    std::string default_;
    std::int64_t class_ = 0;
};
BOOST_DESCRIBE_STRUCT(keyword_fields, (), (private_, default_, class_))

struct comment {
    std::string text;
    std::vector<comment> replies;
};
BOOST_DESCRIBE_STRUCT(comment, (), (text, replies))

struct raw_fields {
    boost::json::value any;
    boost::json::object obj;
    boost::json::array arr;
    std::optional<boost::json::value> maybe;
};
BOOST_DESCRIBE_STRUCT(raw_fields, (), (any, obj, arr, maybe))

struct empty_struct {};
BOOST_DESCRIBE_STRUCT(empty_struct, (), ())

struct integers {
    std::uint8_t u8 = 0;
    std::int8_t i8 = 0;
    std::uint16_t u16 = 0;
    std::int16_t i16 = 0;
    std::uint32_t u32 = 0;
    std::int32_t i32 = 0;
    std::uint64_t u64 = 0;
    std::int64_t i64 = 0;
};
BOOST_DESCRIBE_STRUCT(integers, (), (u8, i8, u16, i16, u32, i32, u64, i64))

// A user conversion (not described): an amount sent as a decimal string, "12.34".
struct cents {
    std::int64_t value = 0;
    friend bool operator==(const cents&, const cents&) = default;
};
inline boost::system::result<cents> tag_invoke(boost::json::try_value_to_tag<cents>, const boost::json::value& v) {
    const boost::json::string* s = v.if_string();
    if (!s) return boost::system::error_code(boost::json::error::not_string);
    const std::string text(s->data(), s->size());
    const auto dot = text.find('.');
    if (dot == std::string::npos || dot + 3 != text.size())
        return boost::system::error_code(boost::json::error::syntax);
    return cents{std::stoll(text.substr(0, dot)) * 100 + std::stoll(text.substr(dot + 1))};
}

// A throwing-style user conversion.
struct upper {
    std::string text;
    friend bool operator==(const upper&, const upper&) = default;
};
inline upper tag_invoke(boost::json::value_to_tag<upper>, const boost::json::value& v) {
    upper u{std::string(v.as_string())};
    for (char& c : u.text)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return u;
}

// Described AND converted by the user: the user's conversion wins, as in Boost.JSON.
struct point {
    int x = 0;
    int y = 0;
};
BOOST_DESCRIBE_STRUCT(point, (), (x, y))
inline boost::system::result<point> tag_invoke(boost::json::try_value_to_tag<point>, const boost::json::value& v) {
    const boost::json::array* a = v.if_array();
    if (!a || a->size() != 2 || !(*a)[0].is_int64() || !(*a)[1].is_int64())
        return boost::system::error_code(boost::json::error::not_array);
    return point{static_cast<int>((*a)[0].get_int64()), static_cast<int>((*a)[1].get_int64())};
}

struct order {
    std::string id;
    cents total;
    std::optional<upper> code;
    std::vector<point> path;
};
BOOST_DESCRIBE_STRUCT(order, (), (id, total, code, path))

struct not_decodable {
    int x = 0;
};

struct not_default_constructible {
    explicit not_default_constructible(int) {}
};
BOOST_DESCRIBE_STRUCT(not_default_constructible, (), ())

// Strings read as views into the document.
struct viewed {
    std::string_view id;
    std::optional<std::string_view> note;
    std::optional<std::string_view> absent;
    std::vector<std::string_view> tags;
    std::map<std::string_view, std::string_view> labels;
};
BOOST_DESCRIBE_STRUCT(viewed, (), (id, note, absent, tags, labels))

} // namespace webhooks::test::codec_types

#endif
