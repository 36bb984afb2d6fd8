#include "pgsim/webhook_sender.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "platform/logging.hpp"
#include "platform/webhook_signature.hpp"

namespace concert::pgsim {

std::string webhook_body(const WebhookReport& report) {
  nlohmann::ordered_json body{{"paymentId", report.payment_id},
                              {"gatewayTxId", report.gateway_tx_id},
                              {"outcome", report.approved ? "APPROVED" : "DECLINED"},
                              {"amount", report.amount}};
  if (!report.reason.empty()) body["reason"] = report.reason;
  return body.dump();
}

WebhookSender::WebhookSender(WebhookSettings settings, Faults& faults)
    : settings_(std::move(settings)), faults_(faults) {
  auto endpoint = platform::parse_http_url(settings_.url);
  if (!endpoint) throw std::invalid_argument(endpoint.error().detail);
  target_ = endpoint->base_path.empty() ? "/" : "";  // the client prefixes the URL's path
  client_ = std::make_unique<platform::HttpClient>(std::move(*endpoint), settings_.http);
  thread_ = std::thread([this] { run(); });
}

WebhookSender::~WebhookSender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void WebhookSender::report(const WebhookReport& report) {
  const auto delays = faults_.for_webhook();
  if (delays.empty()) {
    platform::log_json(spdlog::level::info, {{"msg", "webhook lost (--webhook-loss-rate)"},
                                             {"paymentId", report.payment_id},
                                             {"gatewayTxId", report.gateway_tx_id}});
    return;
  }
  const auto body = webhook_body(report);
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    for (const auto delay : delays) {
      if (queue_.size() >= settings_.queue_limit) {
        platform::log_json(spdlog::level::warn,
                           {{"msg", "webhook dropped: the queue is full"}, {"paymentId", report.payment_id}});
        continue;
      }
      push({now + delay, 0, report.payment_id, body, 1});
    }
  }
  wake_.notify_one();
}

void WebhookSender::push(Delivery delivery) {
  delivery.order = next_order_++;
  queue_.push_back(std::move(delivery));
  std::push_heap(queue_.begin(), queue_.end(), Later{});
}

void WebhookSender::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    if (const auto due = queue_.front().due; due > std::chrono::steady_clock::now()) {
      wake_.wait_until(lock, due);
      continue;
    }
    std::pop_heap(queue_.begin(), queue_.end(), Later{});
    auto delivery = std::move(queue_.back());
    queue_.pop_back();
    lock.unlock();
    const bool again = send(delivery);
    lock.lock();
    if (!again) continue;
    if (delivery.attempt >= settings_.max_attempts) {
      platform::log_json(
          spdlog::level::warn,
          {{"msg", "webhook given up"}, {"paymentId", delivery.payment_id}, {"attempts", delivery.attempt}});
      continue;
    }
    const auto backoff = std::min(settings_.max_backoff, settings_.first_backoff * (1 << (delivery.attempt - 1)));
    delivery.due = std::chrono::steady_clock::now() + backoff;
    ++delivery.attempt;
    push(std::move(delivery));
  }
  if (!queue_.empty()) {
    platform::log_json(spdlog::level::warn, {{"msg", "webhooks not sent at shutdown"}, {"count", queue_.size()}});
  }
}

bool WebhookSender::send(const Delivery& d) {
  const platform::HttpHeaders headers{
      {"Content-Type", "application/json"},
      {"PG-Signature", platform::sign_webhook(settings_.secret, d.body, std::chrono::system_clock::now())}};
  const auto answer = client_->call("POST", target_, headers, d.body);
  if (!answer) {
    platform::log_json(spdlog::level::warn, {{"msg", "webhook send failed"},
                                             {"paymentId", d.payment_id},
                                             {"attempt", d.attempt},
                                             {"error", answer.error().detail}});
    return true;
  }
  const bool delivered = answer->status >= 200 && answer->status < 300;
  platform::log_json(delivered || answer->status >= 500 ? spdlog::level::info : spdlog::level::warn,
                     {{"msg", delivered ? "webhook delivered" : "webhook not accepted"},
                      {"paymentId", d.payment_id},
                      {"attempt", d.attempt},
                      {"status", answer->status}});
  // 5xx: concertd could not take it now. 4xx: it refused this report (409:
  // it disagrees); sending it again would not change its mind.
  return answer->status >= 500;
}

}  // namespace concert::pgsim
