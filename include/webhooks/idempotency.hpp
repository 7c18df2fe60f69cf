// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_IDEMPOTENCY_HPP
#define WEBHOOKS_IDEMPOTENCY_HPP

/// @file
/// Deduplication: key policies, the store concept, the claim guard and the memory store. The SQLite and Redis
/// stores are included on their own (`webhooks/idempotency/sqlite_store.hpp`, `…/redis_store.hpp`) and need their
/// CMake targets (`webhooks::sqlite`, `webhooks::redis`).

#include <webhooks/idempotency/guard.hpp>
#include <webhooks/idempotency/key_policy.hpp>
#include <webhooks/idempotency/memory_store.hpp>
#include <webhooks/idempotency/store.hpp>

#endif
