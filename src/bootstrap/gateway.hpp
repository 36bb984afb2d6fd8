// The payment gateway of either profile (SPEC §4a): the HTTP gateway client
// when CONCERTD_PG_URL is set, else the in-process sandbox with its ledger in
// the data dir.
#pragma once

#include <memory>
#include <string>

#include "domain/errors.hpp"
#include "platform/config.hpp"
#include "ports/payment_gateway.hpp"

namespace concert::bootstrap {

domain::Result<std::unique_ptr<ports::PaymentGateway>> open_gateway(const platform::Config& config);
// The sandbox's ledger file, or empty when the gateway is the HTTP one.
std::string sandbox_ledger_path(const platform::Config& config);

}  // namespace concert::bootstrap
