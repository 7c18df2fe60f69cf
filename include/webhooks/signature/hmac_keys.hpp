// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_SIGNATURE_HMAC_KEYS_HPP
#define WEBHOOKS_SIGNATURE_HMAC_KEYS_HPP

/// @file
/// A key ring of HMAC keys for one algorithm: turns secrets into keyed MAC contexts once, then checks signatures
/// against every key (rotation) in constant time.

#include <webhooks/crypto/compare.hpp>
#include <webhooks/crypto/encoding.hpp>
#include <webhooks/crypto/hmac.hpp>
#include <webhooks/error.hpp>
#include <webhooks/signature/key_ring.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace webhooks::signature {

/// How a provider's secret text becomes key bytes. Getting this wrong is the classic webhook bug.
enum class key_format {
    raw,           ///< The text's bytes, as they are (GitHub, Slack, Shopify… and Stripe, `whsec_` included).
    whsec_base64,  ///< Strip an optional `whsec_`, then base64-decode, padding optional (Standard Webhooks, Svix).
    hex,           ///< Hex-decode (Adyen).
};

/// @return the key bytes of `s` under `format`.
/// @throws boost::system::system_error with `error::invalid_secret` when the text does not decode.
inline crypto::detail::wiped_string key_bytes(const secret& s, key_format format) {
    std::string_view text = s.value();
    std::optional<std::string> bytes;
    switch (format) {
    case key_format::raw: return crypto::detail::wiped_string(text);
    case key_format::whsec_base64:
        if (text.starts_with("whsec_")) text.remove_prefix(6);
        bytes = crypto::decode(text, crypto::encoding::base64, crypto::padding::optional);
        break;
    case key_format::hex: bytes = crypto::decode(text, crypto::encoding::hex); break;
    }
    if (!bytes || bytes->empty()) {
        if (bytes) OPENSSL_cleanse(bytes->data(), bytes->size());
        throw_error(error::invalid_secret, format == key_format::hex ? "the secret is not hex"
                                                                     : "the secret is not whsec_ followed by base64");
    }
    crypto::detail::wiped_string out(*bytes);
    OPENSSL_cleanse(bytes->data(), bytes->size());
    return out;
}

/// HMAC keys of one algorithm, with ids. Used by `hmac_scheme`; usable alone.
///
/// @par Example
/// @code
/// signature::hmac_keys keys{crypto::hmac_algorithm::sha256, {secret{"new", "s1"}, secret{"old", "s0"}}};
/// keys.remove("old");
/// @endcode
class hmac_keys {
public:
    /// @param algorithm the hash every key MACs with.
    /// @param secrets the secrets, primary first; must not be empty.
    /// @param format how secret text becomes key bytes.
    /// @throws boost::system::system_error `invalid_secret` for a bad secret or none at all.
    hmac_keys(crypto::hmac_algorithm algorithm, const secrets& secrets, key_format format = key_format::raw)
        : algorithm_(algorithm), format_(format) {
        if (secrets.empty()) throw_error(error::invalid_secret, "at least one secret is needed");
        for (const secret& s : secrets) add(s);
    }

    /// Adds a key made from `s` (id from `s`, or the next number).
    void add(const secret& s) { ring_.add(s.id(), crypto::hmac_key{algorithm_, key_bytes(s, format_)}); }
    /// Removes the key with that id (`error::unknown_key_id` if none).
    void remove(std::string_view id) { ring_.remove(id); }

    crypto::hmac_algorithm algorithm() const noexcept { return algorithm_; }
    const key_ring<crypto::hmac_key>& ring() const noexcept { return ring_; }

    /// @return the length of a signature in bytes.
    std::size_t signature_size() const noexcept { return crypto::digest_size(algorithm_); }

    /// MACs `parts` once per key and compares with every candidate in constant time.
    /// @return the first key whose MAC equals some candidate.
    std::optional<key_match> match(std::span<const std::string_view> parts,
                                   std::span<const crypto::digest> candidates) const {
        return ring_.match([&](const crypto::hmac_key& key) {
            crypto::digest mac = key.compute(parts);
            bool found = false;
            for (const crypto::digest& c : candidates)  // no early exit: every candidate is compared
                found |= crypto::constant_time_equal(mac.bytes(), c.bytes());
            return found;
        });
    }

    /// @return the MAC of `parts` under the primary key, or under every key when `all`.
    std::vector<crypto::digest> sign(std::span<const std::string_view> parts, bool all) const {
        std::vector<crypto::digest> out;
        for (const auto& e : ring_) {
            out.push_back(e.key.compute(parts));
            if (!all) break;
        }
        return out;
    }

private:
    crypto::hmac_algorithm algorithm_;
    key_format format_;
    key_ring<crypto::hmac_key> ring_;
};

} // namespace webhooks::signature

#endif
