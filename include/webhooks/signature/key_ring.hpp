// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_SIGNATURE_KEY_RING_HPP
#define WEBHOOKS_SIGNATURE_KEY_RING_HPP

/// @file
/// Secrets as users hold them, and a key ring: several keys at once, each with an id, so a secret can be rotated
/// without dropping a delivery. A delivery records which key matched.

#include <webhooks/crypto/detail/openssl.hpp>
#include <webhooks/error.hpp>

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace webhooks {

/// A secret as a provider hands it out (`whsec_…`, a GitHub hook secret, a `whpk_…` public key), with an optional
/// id to tell keys apart during rotation. How the text becomes key bytes is the scheme's business.
///
/// An empty secret, or one with white space at either end (a copy-paste accident that would make every signature
/// fail), is refused at construction. The text is wiped from memory when the secret goes.
///
/// @par Example
/// @code
/// webhooks::secret current{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"};
/// webhooks::secret previous{"2026-11", "whsec_…"};   // with an id
/// @endcode
class secret {
public:
    /// @param value the secret text; an id is assigned by the key ring.
    /// @throws boost::system::system_error with `error::invalid_secret` when empty or padded with white space.
    secret(const char* value) : secret(std::string_view(value ? value : "")) {}
    /// @copydoc secret(const char*)
    secret(std::string_view value) : secret(std::string{}, value) {}
    /// @param id the key id reported when this key matches (empty: the ring assigns "1", "2", …).
    /// @param value the secret text.
    /// @throws boost::system::system_error with `error::invalid_secret` when empty or padded with white space.
    secret(std::string id, std::string_view value) : id_(std::move(id)), value_(value) {
        if (value.empty()) throw_error(error::invalid_secret, "the secret is empty");
        auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; };
        if (space(value.front()) || space(value.back()))
            throw_error(error::invalid_secret, "the secret starts or ends with white space");
    }

    /// @return the id, or empty when the ring is to assign one.
    const std::string& id() const noexcept { return id_; }
    /// @return the secret text. Handle with care: never log it.
    std::string_view value() const noexcept { return value_; }

private:
    std::string id_;
    crypto::detail::wiped_string value_;
};

/// Several secrets, for rotation, primary first. Converts from one secret or a braced list of them.
///
/// @par Example
/// @code
/// providers::stripe one{secret{"whsec_new"}};
/// providers::stripe two{{secret{"new", "whsec_new"}, secret{"old", "whsec_old"}}};
/// @endcode
class secrets : public std::vector<secret> {
public:
    secrets() = default;
    secrets(secret s) { push_back(std::move(s)); }
    secrets(std::initializer_list<secret> list) : std::vector<secret>(list) {}
};

template <class Key>
class key_ring;

/// Proof that a key in a ring matched a signature: the only way to make a `verified_delivery`.
class key_match {
public:
    /// @return the id of the key that matched.
    std::string_view key_id() const noexcept { return key_id_; }

private:
    template <class Key>
    friend class key_ring;
    explicit key_match(std::string_view id) noexcept : key_id_(id) {}
    std::string_view key_id_;
};

/// Keys with ids, tried in order. `Key` is whatever the scheme checks signatures with (`crypto::hmac_key`,
/// `crypto::ed25519_public_key`).
///
/// The ring is read by many threads while serving and must not be changed then: rotate by building a new scheme,
/// or change it before serving starts.
///
/// @par Example
/// @code
/// key_ring<crypto::hmac_key> ring;
/// ring.add("new", crypto::hmac_key{crypto::hmac_algorithm::sha256, "s3cret-new"});
/// ring.add("old", crypto::hmac_key{crypto::hmac_algorithm::sha256, "s3cret-old"});
/// ring.remove("old");
/// @endcode
template <class Key>
class key_ring {
public:
    struct entry {
        std::string id;
        Key key;
    };

    /// Adds a key.
    /// @param id its id; empty gives the next free number ("1", "2", …).
    /// @throws boost::system::system_error with `error::duplicate_key_id` when the id is taken.
    void add(std::string id, Key key) {
        if (id.empty()) {
            do id = std::to_string(++counter_);
            while (find(id));  // the next *free* number: an explicit id "2" already taken is skipped
        } else if (find(id)) {
            throw_error(error::duplicate_key_id, "a key with that id is already in the ring");
        }
        entries_.push_back({std::move(id), std::move(key)});
    }

    /// Removes the key with that id.
    /// @throws boost::system::system_error with `error::unknown_key_id` when there is none.
    void remove(std::string_view id) {
        auto it = std::find_if(entries_.begin(), entries_.end(), [&](const entry& e) { return e.id == id; });
        if (it == entries_.end()) throw_error(error::unknown_key_id, "no key with that id");
        entries_.erase(it);
    }

    /// @return the key with that id, or null.
    const Key* find(std::string_view id) const noexcept {
        for (const entry& e : entries_)
            if (e.id == id) return &e.key;
        return nullptr;
    }

    /// @return the first key that `matches(key)` accepts, as a `key_match` naming it.
    template <class Predicate>
    std::optional<key_match> match(Predicate&& matches) const {
        for (const entry& e : entries_)
            if (matches(e.key)) return key_match{e.id};
        return std::nullopt;
    }

    std::size_t size() const noexcept { return entries_.size(); }
    bool empty() const noexcept { return entries_.empty(); }
    auto begin() const noexcept { return entries_.begin(); }
    auto end() const noexcept { return entries_.end(); }
    /// @return the primary key: the first added. Senders sign with it.
    const entry& front() const { return entries_.front(); }

private:
    std::vector<entry> entries_;
    std::size_t counter_ = 0;
};

} // namespace webhooks

#endif
