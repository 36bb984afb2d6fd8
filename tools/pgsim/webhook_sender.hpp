// Sends the gateway's callbacks (docs/payment-gateway.md, "Callbacks") from a
// thread of its own, so no request waits on concertd: a report after every
// new charge, signed with PG-Signature. Each copy waits its drawn delay, so
// reports arrive reordered; a failed send or a 5xx is retried with a doubling
// backoff a bounded number of times; any other answer (a 409 says concertd
// disagrees) ends it. The queue is bounded: beyond it, reports are dropped and
// logged.
#pragma once

// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pgsim/faults.hpp"
#include "platform/http_client.hpp"

namespace concert::pgsim {

struct WebhookReport {
  std::int64_t payment_id = 0;  // the charge's metadata.paymentId
  std::string gateway_tx_id;
  bool approved = false;
  std::int64_t amount = 0;
  std::string reason;  // of a decline; empty: not sent
};

// The JSON body of one report.
std::string webhook_body(const WebhookReport& report);

struct WebhookSettings {
  std::string url;
  std::string secret;
  std::size_t queue_limit = 10'000;  // copies waiting (retries included)
  int max_attempts = 5;
  std::chrono::milliseconds first_backoff{200};
  std::chrono::milliseconds max_backoff{5'000};
  platform::HttpClientOptions http{.connect_timeout = std::chrono::milliseconds(500),
                                   .total_timeout = std::chrono::milliseconds(2'000)};
};

class WebhookSender {
 public:
  // Throws std::invalid_argument when the URL is not an http URL.
  WebhookSender(WebhookSettings settings, Faults& faults);
  // Stops after the send under way; copies still queued are dropped (and logged).
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Queues the report's copies (as the faults draw them); never blocks.
  void report(const WebhookReport& report);

 private:
  struct Delivery {
    std::chrono::steady_clock::time_point due;
    std::uint64_t order;  // ties keep their queueing order
    std::int64_t payment_id;
    std::string body;
    int attempt;  // 1 for the first send
  };
  struct Later {
    bool operator()(const Delivery& a, const Delivery& b) const {
      return a.due != b.due ? a.due > b.due : a.order > b.order;
    }
  };

  void run();
  void push(Delivery delivery);  // mutex held
  // Sends once; true when it should be tried again.
  bool send(const Delivery& delivery);

  WebhookSettings settings_;
  Faults& faults_;
  std::unique_ptr<platform::HttpClient> client_;
  std::string target_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Delivery> queue_;  // a heap, earliest due on top
  std::uint64_t next_order_ = 0;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the rest is built
};

}  // namespace concert::pgsim
