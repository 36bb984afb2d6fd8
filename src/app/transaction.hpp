// Runs a unit of work in one transaction, retrying the whole unit when the
// database reports a conflict (deadlock, busy): Abseil's "aborted -> retry the
// transaction". The body returns a Result; an error result rolls back.
#pragma once

#include <utility>

#include "ports/store.hpp"

namespace concert::app {

inline constexpr int kTxAttempts = 5;

template <typename Body>
auto in_transaction(ports::Store& store, ports::TxMode mode, Body&& body) {
  for (int attempt = 1;; ++attempt) {
    try {
      auto tx = store.begin(mode);
      auto result = body(*tx);
      if (result) tx->commit();
      return result;
    } catch (const ports::TxConflict&) {
      if (attempt == kTxAttempts) throw ports::StoreUnavailable("database busy: transaction kept conflicting");
    }
  }
}

}  // namespace concert::app
