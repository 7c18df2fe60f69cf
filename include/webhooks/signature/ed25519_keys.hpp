// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_SIGNATURE_ED25519_KEYS_HPP
#define WEBHOOKS_SIGNATURE_ED25519_KEYS_HPP

/// @file
/// A key ring of Ed25519 keys in Standard Webhooks' format: `whpk_` + base64(32-byte public key) verifies;
/// `whsk_` + base64(32-byte seed ‖ 32-byte public key) verifies and signs. Public keys are pinned by the receiver,
/// never read from a request.

#include <webhooks/crypto/ed25519.hpp>
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

/// Ed25519 keys with ids, for `ed25519_scheme`.
///
/// @par Example
/// @code
/// signature::ed25519_keys receiver{{secret{"whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4="}}};
/// signature::ed25519_keys sender{{secret{"whsk_6Xb/dCcH…"}}};   // can sign
/// @endcode
class ed25519_keys {
public:
    struct key {
        crypto::ed25519_public_key public_key;
        std::optional<crypto::ed25519_private_key> private_key;
    };

    /// @param secrets `whpk_…` public keys and/or `whsk_…` private keys, primary first; not empty.
    /// @throws boost::system::system_error `invalid_secret` for a key in neither format, `invalid_key` for a
    ///         `whsk_` key whose public half does not belong to its seed.
    explicit ed25519_keys(const secrets& secrets) {
        if (secrets.empty()) throw_error(error::invalid_secret, "at least one key is needed");
        for (const secret& s : secrets) add(s);
    }

    /// Adds a `whpk_` or `whsk_` key.
    void add(const secret& s) {
        std::string_view text = s.value();
        bool is_private = text.starts_with("whsk_");
        if (!is_private && !text.starts_with("whpk_"))
            throw_error(error::invalid_secret, "an Ed25519 key starts with whpk_ or whsk_");
        auto bytes = crypto::decode(text.substr(5), crypto::encoding::base64, crypto::padding::optional);
        if (!bytes) throw_error(error::invalid_secret, "an Ed25519 key is base64 after its prefix");
        crypto::detail::wiped_string raw(*bytes);
        OPENSSL_cleanse(bytes->data(), bytes->size());
        if (!is_private) {
            ring_.add(s.id(), key{crypto::ed25519_public_key{raw}, std::nullopt});
            return;
        }
        if (raw.size() != 32 && raw.size() != 64)
            throw_error(error::invalid_key, "a whsk_ key is a 32-byte seed, optionally followed by its public key");
        crypto::ed25519_private_key priv{std::string_view(raw).substr(0, 32)};
        auto pub = priv.public_key();
        if (raw.size() == 64 && std::string_view(raw).substr(32) != pub.raw())
            throw_error(error::invalid_key, "the public half of the whsk_ key does not match its seed");
        ring_.add(s.id(), key{std::move(pub), std::move(priv)});
    }
    void remove(std::string_view id) { ring_.remove(id); }
    const key_ring<key>& ring() const noexcept { return ring_; }

    std::size_t signature_size() const noexcept { return 64; }

    /// Verifies each candidate with each key.
    /// @return the first key that verifies some candidate.
    std::optional<key_match> match(std::span<const std::string_view> parts,
                                   std::span<const crypto::digest> candidates) const {
        std::string message = join(parts);
        return ring_.match([&](const key& k) {
            for (const crypto::digest& c : candidates) {
                auto b = c.bytes();
                if (k.public_key.verify(message, {reinterpret_cast<const char*>(b.data()), b.size()})) return true;
            }
            return false;
        });
    }

    /// @return signatures of `parts` by the primary private key (or every private key when `all`).
    /// @throws boost::system::system_error `invalid_key` when the ring holds no private key.
    std::vector<crypto::digest> sign(std::span<const std::string_view> parts, bool all) const {
        std::string message = join(parts);
        std::vector<crypto::digest> out;
        for (const auto& e : ring_) {
            if (!e.key.private_key) continue;
            auto sig = e.key.private_key->sign(message);
            crypto::digest d;
            auto buffer = d.storage(sig.size());
            std::copy(sig.begin(), sig.end(), buffer.begin());
            out.push_back(d);
            if (!all) break;
        }
        if (out.empty()) throw_error(error::invalid_key, "signing needs a whsk_ private key");
        return out;
    }

private:
    static std::string join(std::span<const std::string_view> parts) {
        std::string message;
        std::size_t n = 0;
        for (auto p : parts) n += p.size();
        message.reserve(n);
        for (auto p : parts) message += p;  // Ed25519 signs the whole message at once
        return message;
    }

    key_ring<key> ring_;
};

} // namespace webhooks::signature

#endif
