// The payment gateway's own record of charges and refunds, read for audits (SPEC
// I2, I3): the sandbox's JSON-lines ledger file, or concert-pgsim's GET /ledger
// (a source starting with http://). Checked against the payments table: every
// approved charge belongs to exactly one payment whose state says it was
// charged, no key is charged or refunded twice, nothing charged is lost and no
// money goes back for a payment that stays APPROVED.
#pragma once

#include <string>
#include <vector>

#include "audit/report.hpp"
#include "domain/errors.hpp"
#include "domain/types.hpp"
#include "ports/store.hpp"

namespace concert::audit {

struct LedgerEntry {
  std::string kind;  // "charge" | "refund"
  std::string key;   // the gateway idempotency key: pay-<id> / refund-<id>
  bool approved = false;
};

domain::Result<std::vector<LedgerEntry>> read_ledger(const std::string& source);

// `payments`: those of the audited schedules, checked against their entries.
// An entry of another payment is skipped if `tx` has that payment (another
// sale's), and a violation if the database has no such payment at all.
void check_ledger(const std::vector<LedgerEntry>& entries, const std::vector<domain::Payment>& payments, ports::Tx& tx,
                  InvariantReport& report);

}  // namespace concert::audit
