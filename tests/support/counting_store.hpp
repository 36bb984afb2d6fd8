// A Store that counts the transactions it opens, by mode: to see how often a use
// case reads the database, or what a request costs in transactions.
#pragma once

#include <atomic>

#include "ports/store.hpp"

namespace concert::testing {

class CountingStore final : public ports::Store {
 public:
  explicit CountingStore(ports::Store& inner) : inner_(inner) {}
  std::unique_ptr<ports::Tx> begin(ports::TxMode mode) override {
    ++(mode == ports::TxMode::Read ? reads : writes);
    return inner_.begin(mode);
  }
  std::atomic<int> reads{0};
  std::atomic<int> writes{0};

 private:
  ports::Store& inner_;
};

}  // namespace concert::testing
