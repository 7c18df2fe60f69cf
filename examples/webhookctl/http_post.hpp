// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKCTL_HTTP_POST_HPP
#define WEBHOOKCTL_HTTP_POST_HPP

// The `send` half of webhookctl: POSTs one signed delivery, as many times and over as many connections as asked.
// Knows nothing of signature schemes: it gets the headers already signed.

#include <webhooks/signature/scheme.hpp>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace webhookctl {

/// The parts of an `http://HOST[:PORT][/path]` URL.
struct http_url {
    std::string host;         ///< Name or address; an IPv6 address without its brackets.
    std::string port = "80";  ///< Decimal.
    std::string target = "/"; ///< Path and query.
    std::string host_header;  ///< What the `Host` header says.
};

/// @return the URL's parts, or nothing when `text` is not a plain `http://` URL (https, user info, no host, a bad
///         port, white space).
std::optional<http_url> parse_http_url(std::string_view text);

/// One delivery, signed: what every copy sends.
struct post_request {
    http_url url;
    webhooks::signed_headers headers;
    std::string content_type = "application/json";
    std::string body;
};

/// How many copies, over how many connections at once.
struct post_plan {
    int repeat = 1;                         ///< Copies of the delivery, all identical.
    int concurrency = 1;                    ///< Threads, each with its own connection.
    std::chrono::seconds timeout{10};       ///< For each connect, and for each request and its response.
};

/// Sends `plan.repeat` identical copies of `request`. Prints one line per response on `out`
/// (`<status> Idempotent-Replayed=<value or -> <microseconds>us`) and each failure on `err`; a connection that fails
/// ends its thread's work, so a dead server yields at most `plan.concurrency` error lines.
/// @return true when every copy got a response, whatever its status.
bool post_all(const post_request& request, const post_plan& plan, std::ostream& out, std::ostream& err);

} // namespace webhookctl

#endif
