// Setting up a sale (SPEC §7): concerts, schedules with their seat layout, live
// queue tuning, and the demo seed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/context.hpp"
#include "app/schedule_directory.hpp"
#include "domain/errors.hpp"

namespace concert::app {

struct SectionLayout {
  std::string name;
  std::string grade;
  domain::Money price = 0;
  int rows = 0;
  int seats_per_row = 0;
};

struct NewSchedule {
  domain::TimePoint starts_at;
  domain::TimePoint sales_open_at;
  domain::TimePoint sales_close_at;
  std::vector<SectionLayout> sections;
  std::optional<domain::QueueSettings> queue;
  std::optional<int> max_seats_per_user;
};

inline constexpr int kMaxSeatsPerSchedule = 100'000;
inline constexpr int kMaxSeatsPerUserLimit = 10;

class Admin {
 public:
  Admin(AppContext& ctx, ScheduleDirectory& schedules) : ctx_(ctx), schedules_(schedules) {}

  domain::Result<domain::Concert> create_concert(const std::string& title);
  domain::Result<domain::Schedule> create_schedule(domain::Id concert_id, const NewSchedule& request);
  domain::Result<domain::Schedule> tune_queue(domain::Id schedule_id, const domain::QueueSettings& q);
  // One page of the schedule's admission log (promotions with seq > after_seq).
  domain::Result<std::vector<ports::Admission>> admissions(domain::Id schedule_id, std::int64_t after_seq, int limit);
  // Seeds one concert with two schedules of 1,000 seats each when the store is empty.
  bool seed_demo();

 private:
  AppContext& ctx_;
  ScheduleDirectory& schedules_;
};

}  // namespace concert::app
