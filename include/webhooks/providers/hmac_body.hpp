// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_PROVIDERS_HMAC_BODY_HPP
#define WEBHOOKS_PROVIDERS_HMAC_BODY_HPP

/// @file
/// The generic preset for the many providers that MAC only the body and put the result in one header, maybe after
/// a prefix. One line each:
/// @code
/// providers::hmac_body linear   {{.name = "linear",   .header = "Linear-Signature"}, secret{…}};
/// providers::hmac_body lemon    {{.name = "lemonsqueezy", .header = "X-Signature"}, secret{…}};
/// providers::hmac_body dropbox  {{.name = "dropbox",  .header = "X-Dropbox-Signature"}, secret{…}};
/// providers::hmac_body razorpay {{.name = "razorpay", .header = "X-Razorpay-Signature"}, secret{…}};
/// providers::hmac_body coinbase {{.name = "coinbase", .header = "X-CC-Webhook-Signature"}, secret{…}};
/// providers::hmac_body bitbucket{{.name = "bitbucket", .header = "X-Hub-Signature", .prefix = "sha256="}, secret{…}};
/// providers::hmac_body typeform {{.name = "typeform", .header = "Typeform-Signature", .prefix = "sha256=",
///                                 .encoding = crypto::encoding::base64}, secret{…}};
/// providers::hmac_body intercom {{.name = "intercom", .header = "X-Hub-Signature", .prefix = "sha1=",
///                                 .algorithm = crypto::hmac_algorithm::sha1}, secret{…}};
/// @endcode
/// None of these sign a timestamp, so none is replay-protected by time: deduplicate on the delivery id.

#include <webhooks/signature/hmac_scheme.hpp>

#include <string>
#include <vector>

namespace webhooks::providers {

/// How a body-only HMAC provider signs.
struct hmac_body_options {
    std::string name = "hmac";                                      ///< Reported in deliveries.
    std::string header;                                             ///< The signature header.
    std::string prefix{};                                           ///< Text before the signature ("sha256=").
    crypto::hmac_algorithm algorithm = crypto::hmac_algorithm::sha256;
    crypto::encoding encoding = crypto::encoding::hex;
    event_fields fields{};                                          ///< Where the id and type are, if anywhere.
    std::vector<std::string> media_types{};                         ///< Accepted content types; empty: any.
};

/// A provider that sends `header: prefix + encode(HMAC(secret, body))`. See the file comment for one line per
/// provider.
class hmac_body : public signature::hmac_scheme {
public:
    /// @param options how the provider signs.
    /// @param keys the secrets (used as their raw bytes), primary first.
    hmac_body(hmac_body_options options, const secrets& keys)
        : signature::hmac_scheme({.name = std::move(options.name),
                       .signature_headers = {std::move(options.header)},
                       .format = signature::signature_format::prefixed(std::move(options.prefix)),
                       .encoding = options.encoding,
                       .fields = std::move(options.fields),
                       .media_types = std::move(options.media_types),
                       .id_prefix = ""},
                      {options.algorithm, keys, signature::key_format::raw}) {}
};

static_assert(SignatureScheme<hmac_body>);

} // namespace webhooks::providers

#endif
