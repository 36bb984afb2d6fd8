// The simulator's misbehaviour, every draw from one std::mt19937_64 seeded by
// --seed, so a run can be repeated: the same seed and the same order of
// requests draw the same faults. (Gateway ids are not drawn here: they come
// from OpenSSL, so they stay unique across restarts with the same seed.)
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <vector>

namespace concert::pgsim {

struct FaultSettings {
  std::chrono::milliseconds latency{0};
  std::chrono::milliseconds latency_jitter{0};
  double error_rate = 0;
  double lost_answer_rate = 0;
  std::chrono::milliseconds webhook_delay{0};
  double webhook_loss_rate = 0;
  double duplicate_webhook_rate = 0;
};

// What happens to one confirm, cancel or look-up.
struct RequestFaults {
  std::chrono::milliseconds delay{0};  // before it is handled
  bool fail = false;                   // 500 before anything is recorded
  bool lose_answer = false;            // recorded, then never answered (charges and refunds only)
};

class Faults {
 public:
  Faults(FaultSettings settings, std::uint64_t seed);

  // The same number of draws whatever the rates, so one request's faults do
  // not shift the next one's.
  RequestFaults for_request();
  // One delay per copy of a callback to send: none when it is lost, two when duplicated.
  std::vector<std::chrono::milliseconds> for_webhook();

 private:
  FaultSettings settings_;
  std::mutex mutex_;
  std::mt19937_64 rng_;
};

}  // namespace concert::pgsim
