#include "app/queue_service.hpp"

#include "domain/rules.hpp"

namespace concert::app {

using domain::ErrorCode;
using domain::fail;

std::int64_t QueueService::eta_for(const domain::QueueToken& t) {
  if (t.status != domain::TokenStatus::Waiting) return 0;
  auto schedule = schedules_.peek(t.schedule_id);
  if (!schedule) return 0;
  if (!t.position) {  // pre-queue: admitted from the opening on, order drawn then
    const auto until_open = std::chrono::duration_cast<std::chrono::seconds>(schedule->sales_open_at - ctx_.clock.now());
    return std::max<std::int64_t>(0, until_open.count());
  }
  return domain::eta_seconds(*t.position, schedule->queue);
}

domain::Result<QueueView> QueueService::enter(const domain::UserId& user, domain::Id schedule_id) {
  auto schedule = schedules_.find(schedule_id);
  if (!schedule) return fail(ErrorCode::NotFound, "no schedule " + std::to_string(schedule_id));
  const auto now = ctx_.clock.now();
  if (now >= schedule->sales_close_at) return fail(ErrorCode::SalesClosed, "sales for this schedule are closed");
  auto entered = ctx_.queue.enter(schedule_id, user, now, now < schedule->sales_open_at);
  return QueueView{entered.token, eta_for(entered.token), entered.created};
}

domain::Result<QueueView> QueueService::view_of(const std::optional<domain::QueueToken>& token) {
  // Someone else's token is reported exactly like an unknown one.
  if (!token) return fail(ErrorCode::NotFound, "unknown or expired queue token");
  return QueueView{*token, eta_for(*token), false};
}

std::optional<domain::Result<QueueView>> QueueService::poll_from_memory(const domain::UserId& user,
                                                                        const std::string& token) {
  auto answer = ctx_.queue.try_poll(token, user, ctx_.clock.now());
  if (!answer.known) return std::nullopt;
  return view_of(answer.token);
}

domain::Result<QueueView> QueueService::status(const domain::UserId& user, const std::string& token) {
  return view_of(ctx_.queue.poll(token, user, ctx_.clock.now()));
}

domain::Result<void> QueueService::leave(const domain::UserId& user, const std::string& token) {
  if (!ctx_.queue.leave(token, user)) return fail(ErrorCode::NotFound, "unknown or expired queue token");
  return {};
}

domain::Result<void> QueueService::require_active(const domain::UserId& user, const std::string& token,
                                                  domain::Id schedule_id) {
  if (token.empty()) return fail(ErrorCode::TokenNotActive, "a Queue-Token header is required to hold seats");
  auto t = ctx_.queue.status(token, user, ctx_.clock.now());
  if (!t || t->schedule_id != schedule_id) {
    return fail(ErrorCode::TokenNotActive, "queue token is unknown, expired, or for another schedule");
  }
  if (t->status != domain::TokenStatus::Active) {
    return fail(ErrorCode::TokenNotActive, "queue token is still waiting; poll /queue/status until ACTIVE");
  }
  return {};
}

}  // namespace concert::app
