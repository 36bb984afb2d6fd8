// Signatures of the payment gateway's callbacks (POST /webhooks/pg), in the form
// Stripe signs its webhooks: header `PG-Signature: t=<unix seconds>,v1=<hex>`,
// where v1 = HMAC-SHA256(secret, "<t>.<raw body>"). The timestamp is inside the
// MAC, so a captured callback can be replayed only within the tolerance.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "domain/errors.hpp"

namespace concert::platform {

inline constexpr std::chrono::seconds kWebhookTolerance{300};

std::string sign_webhook(std::string_view secret, std::string_view body, std::chrono::system_clock::time_point at);

// Unauthenticated, with the reason, unless the header is well formed, its MAC is
// right for `body` and its time is within the tolerance of `now`. An empty secret
// verifies nothing.
domain::Result<void> verify_webhook(std::string_view secret, std::string_view header, std::string_view body,
                                    std::chrono::system_clock::time_point now,
                                    std::chrono::seconds tolerance = kWebhookTolerance);

}  // namespace concert::platform
