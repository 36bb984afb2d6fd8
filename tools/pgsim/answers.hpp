// The simulator's answers as Toss Payments v1 shapes them: the Payment object,
// the {code, message} errors, and the GET /ledger list.
#pragma once

#include <string>
#include <vector>

#include "adapters/http/message.hpp"
#include "pgsim/ledger.hpp"

namespace concert::pgsim {

http::Response toss_error(int status, const std::string& code, const std::string& message);
// 200 with the payment as it stands now (DONE, ABORTED or CANCELED, with its cancels).
http::Response payment_answer(const Payment& payment);
// The answer the charge got when it was made: 200 DONE without cancels, or the
// decline (403 with its code); a repeated charge key gets it again.
http::Response charge_answer(const Payment& payment);
http::Response ledger_answer(const std::vector<LedgerEntry>& entries);

}  // namespace concert::pgsim
