// The simulator's memory: every payment, cancel and ledger line in one SQLite
// file (WAL). Its UNIQUE constraints carry the idempotency: a charge key, an
// order id and a cancel key each exist once, so a repeated request finds the
// first one's row, across restarts of the simulator and kill -9 too. Rows map
// into the plain structs below; the API renders them (api.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace concert::pgsim {

// RFC 3339, UTC, with milliseconds: 2026-12-01T09:30:00.125Z.
std::string rfc3339(std::chrono::system_clock::time_point t);

struct Cancel {
  std::string idempotency_key;
  std::string transaction_key;  // the gateway's id of this cancel
  std::int64_t amount = 0;
  std::string reason;
  std::string canceled_at;
};

// A payment as the gateway keeps it: the fields of Toss' Payment object that
// concertd reads.
struct Payment {
  std::string payment_key;      // the gateway's transaction id (concertd's gatewayTxId)
  std::string order_id;         // concertd's charge key
  std::string idempotency_key;  // of the charge
  std::int64_t amount = 0;
  std::string status;    // DONE, ABORTED (declined) or CANCELED
  std::string metadata;  // JSON object text, as the charge sent it
  std::string requested_at;
  std::string approved_at;      // empty unless approved
  std::string failure_code;     // of a declined charge
  std::string failure_message;  // of a declined charge
  std::optional<Cancel> cancel;

  bool approved() const { return failure_code.empty(); }
};

struct ChargeRequest {
  std::string idempotency_key;
  std::string order_id;
  std::int64_t amount = 0;
  std::string metadata = "{}";
};

// What a new charge gets, decided before it is recorded (declined: a failure code).
struct Verdict {
  std::string failure_code;
  std::string failure_message;
};

enum class ChargeStatus {
  Recorded,    // a new charge, recorded now
  Replayed,    // the key was charged before: `payment` is that charge
  OrderTaken,  // another key charged this order id: `payment` is that charge
};
struct ChargeResult {
  ChargeStatus status;
  Payment payment;
};

struct CancelRequest {
  std::string idempotency_key;
  std::string payment_key;
  std::optional<std::int64_t> amount;  // none: the whole amount
  std::string reason;
};

enum class CancelStatus {
  Recorded,         // refunded now
  Replayed,         // the key refunded before: `payment` is the one it refunded
  NotFound,         // no payment under this payment key
  AlreadyCanceled,  // refunded before, under another key
  NotCancelable,    // a declined charge: nothing to refund
  AmountTooLarge,   // more than the payment's amount
};
struct CancelResult {
  CancelStatus status;
  Payment payment;  // empty for NotFound
};

// One line of GET /ledger.
struct LedgerEntry {
  std::string kind;  // charge or refund
  std::string idempotency_key;
  std::string order_id;
  std::int64_t amount = 0;
  std::string gateway_tx_id;  // a refund's is the payment key it refunded
  std::string outcome;        // APPROVED or DECLINED
  std::string at;
};

// Safe from many threads (one connection behind a mutex). Throws
// std::runtime_error when SQLite fails.
class Ledger {
 public:
  explicit Ledger(const std::string& path);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // `payment_key` names the charge if it is new.
  ChargeResult charge(const ChargeRequest& request, const Verdict& verdict, const std::string& payment_key,
                      std::chrono::system_clock::time_point now);
  // `transaction_key` names the cancel if it is new.
  CancelResult cancel(const CancelRequest& request, const std::string& transaction_key,
                      std::chrono::system_clock::time_point now);
  std::optional<Payment> find_by_order(const std::string& order_id);
  std::vector<LedgerEntry> entries();

 private:
  std::mutex mutex_;
  sqlite3* db_ = nullptr;
};

}  // namespace concert::pgsim
