// SPDX-License-Identifier: BSL-1.0
#ifndef RECEIVER_ANY_STORE_HPP
#define RECEIVER_ANY_STORE_HPP

// An IdempotencyStore chosen at run time (--store memory | sqlite:PATH | redis://HOST:PORT). `endpoint` takes its
// store as a template parameter; erasing the store's type here keeps one instantiation per provider instead of one
// per provider and store, and the cost is one virtual call per store operation (next to a SQL statement or a
// network round trip).

#include <webhooks/idempotency/store.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace receiver {

class any_store {
public:
    /// Makes the store `S` in place (stores are neither copyable nor, for some, movable).
    template <webhooks::idempotency::IdempotencyStore S, class... Args>
    static any_store make(std::string description, Args&&... args) {
        return any_store(std::make_unique<model<S>>(std::forward<Args>(args)...), std::move(description));
    }

    /// @return what the store is, for the log: `sqlite webhooks.sqlite`, `memory`…
    const std::string& description() const noexcept { return description_; }

    boost::system::result<webhooks::idempotency::claim_result> claim(std::string_view key, std::string_view body_hash,
                                                                     std::chrono::milliseconds lease) {
        return self_->claim(key, body_hash, lease);
    }
    boost::system::result<void> complete(std::string_view key, std::string_view token,
                                         const webhooks::idempotency::completion& done,
                                         std::chrono::milliseconds retention) {
        return self_->complete(key, token, done, retention);
    }
    boost::system::result<void> release(std::string_view key, std::string_view token) {
        return self_->release(key, token);
    }
    boost::system::result<void> renew(std::string_view key, std::string_view token, std::chrono::milliseconds lease) {
        return self_->renew(key, token, lease);
    }

private:
    struct interface {
        virtual ~interface() = default;
        virtual boost::system::result<webhooks::idempotency::claim_result> claim(std::string_view, std::string_view,
                                                                                 std::chrono::milliseconds) = 0;
        virtual boost::system::result<void> complete(std::string_view, std::string_view,
                                                     const webhooks::idempotency::completion&,
                                                     std::chrono::milliseconds) = 0;
        virtual boost::system::result<void> release(std::string_view, std::string_view) = 0;
        virtual boost::system::result<void> renew(std::string_view, std::string_view, std::chrono::milliseconds) = 0;
    };

    template <class S>
    struct model final : interface {
        template <class... Args>
        explicit model(Args&&... args) : store(std::forward<Args>(args)...) {}

        boost::system::result<webhooks::idempotency::claim_result> claim(std::string_view key, std::string_view hash,
                                                                         std::chrono::milliseconds lease) override {
            return store.claim(key, hash, lease);
        }
        boost::system::result<void> complete(std::string_view key, std::string_view token,
                                             const webhooks::idempotency::completion& done,
                                             std::chrono::milliseconds retention) override {
            return store.complete(key, token, done, retention);
        }
        boost::system::result<void> release(std::string_view key, std::string_view token) override {
            return store.release(key, token);
        }
        boost::system::result<void> renew(std::string_view key, std::string_view token,
                                          std::chrono::milliseconds lease) override {
            return store.renew(key, token, lease);
        }

        S store;
    };

    any_store(std::unique_ptr<interface> self, std::string description)
        : self_(std::move(self)), description_(std::move(description)) {}

    std::unique_ptr<interface> self_;
    std::string description_;
};

static_assert(webhooks::idempotency::IdempotencyStore<any_store>);

} // namespace receiver

#endif
