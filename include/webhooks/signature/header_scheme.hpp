// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_SIGNATURE_HEADER_SCHEME_HPP
#define WEBHOOKS_SIGNATURE_HEADER_SCHEME_HPP

/// @file
/// The generic scheme behind every preset: signatures in a header, computed over an ordered list of parts (header
/// values, literal separators, the timestamp, the body), checked against a key ring, inside a timestamp window.
/// `hmac_scheme` and `ed25519_scheme` are this template with HMAC or Ed25519 keys.

#include <webhooks/crypto/encoding.hpp>
#include <webhooks/crypto/hmac.hpp>
#include <webhooks/crypto/random.hpp>
#include <webhooks/detail/inline_list.hpp>
#include <webhooks/error.hpp>
#include <webhooks/request.hpp>
#include <webhooks/signature/clock.hpp>
#include <webhooks/signature/scheme.hpp>
#include <webhooks/signature/signature_header.hpp>
#include <webhooks/signature/timestamp_window.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace webhooks::signature {

/// One piece of the signed content.
struct part {
    enum class kind {
        literal,    ///< Fixed text (`"."`, `"v0:"`).
        body,       ///< The raw body.
        id,         ///< The delivery id header's value.
        timestamp,  ///< The timestamp, as text, from its header or the signature header.
        header,     ///< Another header's value (`text` names it).
    };
    kind what = kind::body;
    std::string text{};

    static part literal(std::string text) { return {kind::literal, std::move(text)}; }
    static part body() { return {kind::body, {}}; }
    static part id() { return {kind::id, {}}; }
    static part timestamp() { return {kind::timestamp, {}}; }
    static part header(std::string name) { return {kind::header, std::move(name)}; }
};

/// The most parts signed content may have.
inline constexpr std::size_t max_parts = 8;

/// Everything that describes a header-signature scheme except its keys. Header lists are alternatives tried in
/// order (Svix sends `svix-*`, or `webhook-*` when white-labelled; Shopify's Events product sends lower-case names).
struct scheme_options {
    std::string name;                              ///< The provider, as reported in deliveries.
    std::vector<std::string> signature_headers;    ///< Where the signature is.
    signature_format format = signature_format::prefixed("");
    crypto::encoding encoding = crypto::encoding::hex;  ///< How each signature is written.
    crypto::padding padding = crypto::padding::required;
    std::vector<std::string> id_headers{};         ///< The delivery id header, if the provider sends one.
    std::vector<std::string> timestamp_headers{};  ///< The timestamp header, unless the signature header carries it.
    std::vector<part> signed_parts{part::body()};  ///< What is signed, in order.
    timestamp_window window = timestamp_window::unlimited();  ///< Used only when a timestamp is signed.
    event_fields fields{};                         ///< Where the id and event type are.
    std::vector<std::string> media_types{};        ///< Content types the provider sends; empty: any.
    std::string id_prefix = "msg_";                ///< Prefix of ids made up by `sign` when none is given.
};

/// A scheme that reads signatures from a header and checks them with `Keys` (`hmac_keys` or `ed25519_keys`).
/// Models `SignatureScheme`. `verify` is const and thread-safe; set the clock, window and keys before serving.
///
/// @par Example
/// Stripe, written out with the building blocks (the `providers::stripe` preset is exactly this):
/// @code
/// signature::hmac_scheme stripe{
///     {.name = "stripe",
///      .signature_headers = {"Stripe-Signature"},
///      .format = signature::signature_format::key_value(',', "t", "v1"),
///      .signed_parts = {part::timestamp(), part::literal("."), part::body()},
///      .window = timestamp_window::age_only(std::chrono::seconds(300))},
///     {crypto::hmac_algorithm::sha256, secret{"whsec_…"}}};
/// @endcode
template <class Keys>
class header_scheme {
public:
    /// @throws boost::system::system_error `invalid_key` when the options are inconsistent (no signature header,
    ///         more than `max_parts` parts, a timestamp part without a timestamp source).
    header_scheme(scheme_options options, Keys keys) : options_(std::move(options)), keys_(std::move(keys)) {
        bool has_timestamp = options_.format.carries_timestamp() || !options_.timestamp_headers.empty();
        if (options_.signature_headers.empty()) throw_error(error::invalid_key, "a scheme needs a signature header");
        if (options_.signed_parts.size() > max_parts) throw_error(error::invalid_key, "too many signed parts");
        for (const part& p : options_.signed_parts) {
            if (p.what == part::kind::timestamp && !has_timestamp)
                throw_error(error::invalid_key, "a timestamp part needs a timestamp header");
            if (p.what == part::kind::id && options_.id_headers.empty())
                throw_error(error::invalid_key, "an id part needs an id header");
        }
    }

    /// @return the provider's name.
    std::string_view name() const noexcept { return options_.name; }
    /// @return where the delivery id and event type are.
    const event_fields& fields() const noexcept { return options_.fields; }
    /// @return the content types the provider sends (empty: any).
    const std::vector<std::string>& media_types() const noexcept { return options_.media_types; }
    /// @return the options.
    const scheme_options& options() const noexcept { return options_; }
    /// @return the keys; change them only before serving.
    Keys& keys() noexcept { return keys_; }
    const Keys& keys() const noexcept { return keys_; }

    /// Sets the clock timestamps are checked against (and `sign` stamps with).
    header_scheme& set_clock(webhooks::clock c) { clock_ = std::move(c); return *this; }
    /// Sets the replay window.
    header_scheme& set_window(timestamp_window w) noexcept { options_.window = w; return *this; }
    /// @return the replay window.
    const timestamp_window& window() const noexcept { return options_.window; }
    /// @return the clock.
    const webhooks::clock& clock() const noexcept { return clock_; }

    /// Verifies `request`: headers present and well-formed, some signature matching some key over the raw body,
    /// then the timestamp inside the window.
    /// @return the verified delivery, or the reason (with the header at fault).
    template <Request R>
    result<verified_delivery> verify(const R& request) const {
        std::string_view body = request.body();
        auto signature = find(request, options_.signature_headers);
        if (!signature) return signature.error();
        signature_list list;
        if (auto why = options_.format.parse_into(signature->value, signature->name, list)) return *why;

        std::string_view id, timestamp_text;
        if (!options_.id_headers.empty()) {
            auto found = find(request, options_.id_headers);
            if (!found) return found.error();
            id = found->value;
        }
        std::string_view timestamp_header = signature->name;
        if (options_.format.carries_timestamp()) {
            timestamp_text = *list.timestamp;
        } else if (!options_.timestamp_headers.empty()) {
            auto found = find(request, options_.timestamp_headers);
            if (!found) return found.error();
            timestamp_text = found->value;
            timestamp_header = found->name;
        }
        std::optional<std::int64_t> timestamp;
        if (!timestamp_text.empty() || options_.format.carries_timestamp()) {
            timestamp = parse_unix_timestamp(timestamp_text);
            if (!timestamp) return reject(error::malformed_timestamp, timestamp_header);
        }

        // Decode every candidate first; none usable means there is nothing to compute a MAC for.
        detail::inline_list<crypto::digest, max_signatures> candidates;
        bool wrong_length = false;
        for (std::string_view text : list.signatures()) {
            auto size = crypto::decoded_size(text, options_.encoding, options_.padding);
            if (!size) continue;
            if (*size != keys_.signature_size()) {
                // Well-formed text of the wrong length, or garbage? Only the reason differs; errors may allocate.
                wrong_length = wrong_length || crypto::decode(text, options_.encoding, options_.padding).has_value();
                continue;
            }
            crypto::digest& d = candidates.emplace_back();
            if (!crypto::decode(text, options_.encoding, d.storage(*size), options_.padding))
                candidates.pop_back();
        }
        if (candidates.empty())
            return reject(wrong_length ? error::signature_length_mismatch : error::malformed_signature,
                          signature->name);

        // The signed content, in pieces. Runs of small parts around the body ("id.ts.") are joined into one piece:
        // one MAC update instead of several.
        std::array<char, 512> joined;
        detail::inline_list<std::string_view, max_parts> pieces;
        std::size_t used = 0, run_start = 0;
        bool in_run = false;
        for (const part& p : options_.signed_parts) {
            std::string_view value;
            switch (p.what) {
            case part::kind::literal: value = p.text; break;
            case part::kind::body: value = body; break;
            case part::kind::id: value = id; break;
            case part::kind::timestamp: value = timestamp_text; break;
            case part::kind::header: {
                auto found = find(request, std::span(&p.text, 1));
                if (!found) return found.error();
                value = found->value;
                break;
            }
            }
            const bool small = p.what != part::kind::body && used + value.size() <= joined.size();
            if (!small) {
                if (in_run) pieces.push_back({joined.data() + run_start, used - run_start});
                in_run = false;
                pieces.push_back(value);
                continue;
            }
            if (!in_run) run_start = used;
            in_run = true;
            std::copy(value.begin(), value.end(), joined.begin() + static_cast<std::ptrdiff_t>(used));
            used += value.size();
        }
        if (in_run) pieces.push_back({joined.data() + run_start, used - run_start});

        auto match = keys_.match(pieces.span(), candidates.span());
        if (!match) return reject(error::no_matching_signature, signature->name);

        if (timestamp)
            if (auto late = options_.window.check(*timestamp, clock_.now())) return reject(*late, timestamp_header);

        if (id.empty()) id = header_field_value(request, options_.fields.id);
        return verified_delivery{
            *match, body, {id, timestamp, header_field_value(request, options_.fields.type), options_.name}};
    }

    /// Signs `body`: the headers a sender sends. Shapes that carry several signatures get one per key that can
    /// sign (as senders do during rotation); others get the primary key's.
    /// @param options the id (empty: a fresh random `msg_…`) and timestamp (none: the clock's now).
    signed_headers sign(std::string_view body, const sign_options& options = {}) const {
        std::string id = options.id;
        bool sends_id = !options_.id_headers.empty() || options_.fields.id.where == field_source::kind::header;
        if (id.empty() && sends_id) id = options_.id_prefix + random_id();
        std::string timestamp = std::to_string(options.timestamp.value_or(clock_.now()));

        std::array<std::string_view, max_parts> parts;
        std::size_t n = 0;
        for (const part& p : options_.signed_parts) {
            switch (p.what) {
            case part::kind::literal: parts[n++] = p.text; break;
            case part::kind::body: parts[n++] = body; break;
            case part::kind::id: parts[n++] = id; break;
            case part::kind::timestamp: parts[n++] = timestamp; break;
            case part::kind::header: parts[n++] = {}; break;  // other headers are the caller's to add and sign
            }
        }
        std::vector<std::string> encoded;
        for (const crypto::digest& d : keys_.sign(std::span(parts.data(), n), options_.format.carries_several()))
            encoded.push_back(d.to_string(options_.encoding));

        signed_headers out;
        if (!options_.id_headers.empty()) out.push_back({options_.id_headers.front(), id});
        else if (options_.fields.id.where == field_source::kind::header && !id.empty())
            out.push_back({options_.fields.id.name, id});  // an unsigned delivery id header (GitHub, Shopify)
        if (!options_.timestamp_headers.empty()) out.push_back({options_.timestamp_headers.front(), timestamp});
        out.push_back({options_.signature_headers.front(), options_.format.write(timestamp, encoded)});
        return out;
    }

private:
    struct found_header {
        std::string_view name;
        std::string_view value;
    };

    // The first of `names` that is present; absent, empty and conflicting headers are rejections.
    template <Request R>
    static result<found_header> find(const R& request, std::span<const std::string> names) {
        for (const std::string& name : names) {
            header_lookup h = request.header(name);
            if (h.presence == header_presence::absent) continue;
            if (h.presence == header_presence::conflicting) return reject(error::conflicting_header, name);
            if (h.value.empty()) return reject(error::empty_header, name);
            return found_header{name, h.value};
        }
        return reject(error::missing_header, names.front());
    }

    // A header-sourced field (delivery id, event type): its value, or empty when absent or ambiguous.
    template <Request R>
    static std::string_view header_field_value(const R& request, const field_source& field) {
        if (field.where != field_source::kind::header) return {};
        header_lookup h = request.header(field.name);
        if (h.presence == header_presence::absent && !field.fallback.empty()) h = request.header(field.fallback);
        return h ? h.value : std::string_view{};
    }

    static std::string random_id() {
        std::string bytes = crypto::random_bytes(15);
        return crypto::encode(bytes, crypto::encoding::base64url);
    }

    scheme_options options_;
    Keys keys_;
    webhooks::clock clock_;
};

} // namespace webhooks::signature

#endif
