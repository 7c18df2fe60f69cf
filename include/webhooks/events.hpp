// SPDX-License-Identifier: BSL-1.0
#ifndef WEBHOOKS_EVENTS_HPP
#define WEBHOOKS_EVENTS_HPP

/// @file
/// Typed events: the Event and Codec concepts, the Boost.JSON codec, the providers' envelopes, the dispatcher.

#include <webhooks/events/codec.hpp>
#include <webhooks/events/dispatcher.hpp>
#include <webhooks/events/envelopes.hpp>
#include <webhooks/events/event.hpp>
#include <webhooks/events/json_codec.hpp>

#endif
