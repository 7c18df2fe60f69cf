// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_TESTS_UNIT_SUPPORT_HPP
#define WEBHOOKS_TESTS_UNIT_SUPPORT_HPP

// Test helpers shared by the unit tests: a request that owns its strings, printing for Catch, and a check that a
// rejection has the right reason, status and header, and never shows a secret.

#include <webhooks/error.hpp>
#include <webhooks/request.hpp>
#include <webhooks/signature/scheme.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace webhooks::test {

/// A request that owns its method, target, headers and body; `view()` is the `basic_request` a user would build.
/// Do not change it while a view (or a delivery verified from one) is in use.
class owned_request {
public:
    explicit owned_request(std::string body = {}, std::string method = "POST", std::string target = "/webhooks")
        : method_(std::move(method)), target_(std::move(target)), body_(std::move(body)) {}

    /// Appends a header (a repeat of an existing name stays a repeat).
    owned_request& add(std::string name, std::string value) {
        headers_.emplace_back(std::move(name), std::move(value));
        return *this;
    }
    /// Adds every signed header.
    owned_request& add(const signed_headers& headers) {
        for (const outgoing_header& h : headers)
            add(h.name, h.value);
        return *this;
    }
    /// Removes every header of that name (any case).
    owned_request& remove(std::string_view name) {
        std::erase_if(headers_, [&](const auto& h) { return detail::iequals(h.first, name); });
        return *this;
    }
    /// Replaces every header of that name by one with `value`.
    owned_request& replace(std::string_view name, std::string value) {
        remove(name);
        return add(std::string(name), std::move(value));
    }
    /// @return the value of the first header of that name (any case), or empty.
    std::string get(std::string_view name) const {
        for (const auto& h : headers_)
            if (detail::iequals(h.first, name))
                return h.second;
        return {};
    }
    owned_request& body(std::string body) {
        body_ = std::move(body);
        return *this;
    }
    owned_request& method(std::string method) {
        method_ = std::move(method);
        return *this;
    }
    const std::string& body() const noexcept { return body_; }

    /// @return a view of this request, as a user fills it from their HTTP stack.
    basic_request view() const {
        fields_.clear();
        for (const auto& [name, value] : headers_)
            fields_.push_back({name, value});
        return basic_request{method_, target_, fields_, body_};
    }

private:
    std::string method_, target_, body_;
    std::vector<std::pair<std::string, std::string>> headers_;
    mutable std::vector<header_field> fields_;
};

/// @return a request carrying `headers` (as a scheme's `sign` made them) and `body`, with a JSON content type.
inline owned_request signed_request(const signed_headers& headers, std::string body,
                                    std::string content_type = "application/json") {
    owned_request r{std::move(body)};
    if (!content_type.empty())
        r.add("Content-Type", std::move(content_type));
    r.add(headers);
    return r;
}

/// @return `text` with byte `index` changed.
inline std::string flip_byte(std::string text, std::size_t index) {
    text.at(index) = static_cast<char>(text[index] ^ 0x01);
    return text;
}

/// @return every byte value 0…255 once.
inline std::string all_byte_values() {
    std::string out(256, '\0');
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<char>(i);
    return out;
}

} // namespace webhooks::test

namespace Catch {
template <>
struct StringMaker<webhooks::rejection> {
    static std::string convert(const webhooks::rejection& r) {
        return "rejection{" + r.message() + ", " + std::to_string(r.status()) + "}";
    }
};
// Boost's own operator<< for result needs both sides printable; print the rejection, or that there is a value.
template <class T>
struct StringMaker<boost::system::result<T, webhooks::rejection>> {
    static std::string convert(const boost::system::result<T, webhooks::rejection>& r) {
        return r.has_value() ? std::string("value") : StringMaker<webhooks::rejection>::convert(r.error());
    }
};
template <>
struct StringMaker<webhooks::error> {
    static std::string convert(webhooks::error e) { return webhooks::make_error_code(e).message(); }
};
} // namespace Catch

/// Checks that `result_expr` (a `result<…>`) is a rejection for `err`, answered with `http`, naming `header_name`
/// (empty: none), and that its message names that header.
#define WEBHOOKS_CHECK_REJECTED(result_expr, err, http, header_name)                                                   \
    do {                                                                                                               \
        const auto& wh_result_ = (result_expr);                                                                        \
        REQUIRE_FALSE(wh_result_.has_value());                                                                         \
        CHECK(wh_result_.error() == (err));                                                                            \
        CHECK(wh_result_.error().status() == (http));                                                                  \
        CHECK(wh_result_.error().header() == std::string_view(header_name));                                             \
        if (!std::string_view(header_name).empty())                                                                    \
            CHECK_THAT(wh_result_.error().message(), Catch::Matchers::Contains(std::string(header_name)));             \
    } while (false)

/// Checks that a rejection's message does not contain `secret_text`.
#define WEBHOOKS_CHECK_NO_SECRET(result_expr, secret_text)                                                             \
    do {                                                                                                               \
        const auto& wh_result_ = (result_expr);                                                                        \
        REQUIRE_FALSE(wh_result_.has_value());                                                                         \
        CHECK_THAT(wh_result_.error().message(), !Catch::Matchers::Contains(std::string(secret_text)));                \
    } while (false)

#endif
