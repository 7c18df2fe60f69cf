// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_WEBHOOKS_HPP
#define WEBHOOKS_WEBHOOKS_HPP

/// @file
/// Everything but the HTTP-stack adapters (`webhooks/beast.hpp`), which pull in their stack.

#include <webhooks/crypto.hpp>
#include <webhooks/endpoint.hpp>
#include <webhooks/error.hpp>
#include <webhooks/events.hpp>
#include <webhooks/idempotency.hpp>
#include <webhooks/parser.hpp>
#include <webhooks/providers.hpp>
#include <webhooks/request.hpp>
#include <webhooks/response.hpp>
#include <webhooks/signature.hpp>

#endif
