// Fans entering, polling and leaving the waiting queue (SPEC §3, §4). A poll
// touches memory only: the queue store and the schedule directory.
#pragma once

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
  domain::Result<QueueView> status(const domain::UserId& user, const std::string& token);
  domain::Result<void> leave(const domain::UserId& user, const std::string& token);
  // The user's token if it is ACTIVE for that schedule right now (SPEC I5).
  domain::Result<void> require_active(const domain::UserId& user, const std::string& token, domain::Id schedule_id);

 private:
  std::int64_t eta_for(const domain::QueueToken& t);

  AppContext& ctx_;
  ScheduleDirectory& schedules_;
};

}  // namespace concert::app
