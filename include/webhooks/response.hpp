// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_RESPONSE_HPP
#define WEBHOOKS_RESPONSE_HPP

/// @file
/// The response an endpoint asks the HTTP stack to send: status, headers, body. Plain data, no HTTP stack.

#include <webhooks/request.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace webhooks {

/// An HTTP response to send back, independent of any HTTP stack (`webhooks/beast.hpp` converts it for Beast).
struct response {
    unsigned status = 200;
    std::vector<std::pair<std::string, std::string>> headers{};  ///< Content-Type included.
    std::string body{};

    /// @return the value of the first header called `name` (any case), or empty.
    std::string_view header(std::string_view name) const noexcept {
        for (const auto& [n, v] : headers)
            if (detail::iequals(n, name)) return v;
        return {};
    }
};

} // namespace webhooks

#endif
