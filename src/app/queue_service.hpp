// Fans entering, polling and leaving the waiting queue (SPEC §3, §4). A poll
// touches memory only (the queue store's snapshot and the schedule directory)
// unless the store must be asked.
#pragma once

#include <optional>
#include <string>

#include "app/context.hpp"
#include "app/schedule_directory.hpp"
#include "domain/errors.hpp"

namespace concert::app {

struct QueueView {
  domain::QueueToken token;
  std::int64_t eta_seconds = 0;
  bool created = false;
};

class QueueService {
 public:
  QueueService(AppContext& ctx, ScheduleDirectory& schedules) : ctx_(ctx), schedules_(schedules) {}

  domain::Result<QueueView> enter(const domain::UserId& user, domain::Id schedule_id);
  // The poll as memory alone can answer it, or nothing when only the queue store
  // can (then status(), off the IO thread). Never blocks.
  std::optional<domain::Result<QueueView>> poll_from_memory(const domain::UserId& user, const std::string& token);
  // The poll, asking the queue store when memory cannot answer: may block.
  domain::Result<QueueView> status(const domain::UserId& user, const std::string& token);
  domain::Result<void> leave(const domain::UserId& user, const std::string& token);
  // The user's token if it is ACTIVE for that schedule right now (SPEC I5).
  domain::Result<void> require_active(const domain::UserId& user, const std::string& token, domain::Id schedule_id);

 private:
  std::int64_t eta_for(const domain::QueueToken& t);
  domain::Result<QueueView> view_of(const std::optional<domain::QueueToken>& token);

  AppContext& ctx_;
  ScheduleDirectory& schedules_;
};

}  // namespace concert::app
