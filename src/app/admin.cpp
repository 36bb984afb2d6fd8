#include "app/admin.hpp"

#include <set>

#include "app/transaction.hpp"
#include "domain/rules.hpp"

namespace concert::app {

using domain::ErrorCode;
using domain::fail;

namespace {

domain::Result<std::vector<ports::NewSeat>> expand_layout(const std::vector<SectionLayout>& sections) {
  if (sections.empty()) return fail(ErrorCode::InvalidInput, "sections must list at least one section");
  std::vector<ports::NewSeat> seats;
  std::set<std::string> names;
  for (const auto& s : sections) {
    if (s.name.empty() || s.name.size() > 64) return fail(ErrorCode::InvalidInput, "section name must be 1..64 chars");
    if (!names.insert(s.name).second) return fail(ErrorCode::InvalidInput, "duplicate section " + s.name);
    if (s.grade.empty() || s.grade.size() > 32) return fail(ErrorCode::InvalidInput, "grade must be 1..32 chars");
    if (s.price < 0 || s.price > 100'000'000) return fail(ErrorCode::InvalidInput, "price must be 0..100000000 KRW");
    if (s.rows < 1 || s.rows > 1000 || s.seats_per_row < 1 || s.seats_per_row > 1000) {
      return fail(ErrorCode::InvalidInput, "rows and seatsPerRow must be 1..1000");
    }
    if (seats.size() + static_cast<std::size_t>(s.rows) * s.seats_per_row > kMaxSeatsPerSchedule) {
      return fail(ErrorCode::InvalidInput, "a schedule has at most 100000 seats");
    }
    for (int r = 1; r <= s.rows; ++r) {
      for (int n = 1; n <= s.seats_per_row; ++n) {
        seats.push_back({s.name, std::to_string(r), n, s.grade, s.price});
      }
    }
  }
  return seats;
}

}  // namespace

domain::Result<domain::Concert> Admin::create_concert(const std::string& title) {
  if (title.empty() || title.size() > 200) return fail(ErrorCode::InvalidInput, "title must be 1..200 characters");
  return in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<domain::Concert> {
    return domain::Concert{tx.insert_concert(title), title};
  });
}

domain::Result<domain::Schedule> Admin::create_schedule(domain::Id concert_id, const NewSchedule& request) {
  if (!(request.sales_open_at < request.sales_close_at)) {
    return fail(ErrorCode::InvalidInput, "salesOpenAt must be before salesCloseAt");
  }
  if (request.sales_close_at > request.starts_at) {
    return fail(ErrorCode::InvalidInput, "salesCloseAt must not be after startsAt");
  }
  domain::Schedule schedule;
  schedule.concert_id = concert_id;
  schedule.starts_at = request.starts_at;
  schedule.sales_open_at = request.sales_open_at;
  schedule.sales_close_at = request.sales_close_at;
  schedule.queue = request.queue.value_or(ctx_.settings.default_queue);
  schedule.max_seats_per_user = request.max_seats_per_user.value_or(ctx_.settings.default_max_seats_per_user);
  if (auto ok = domain::validate_queue_settings(schedule.queue); !ok) return tl::unexpected(ok.error());
  if (schedule.max_seats_per_user < 1 || schedule.max_seats_per_user > kMaxSeatsPerUserLimit) {
    return fail(ErrorCode::InvalidInput, "maxSeatsPerUser must be between 1 and 10");
  }
  auto seats = expand_layout(request.sections);
  if (!seats) return tl::unexpected(seats.error());

  auto created =
      in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<domain::Schedule> {
        if (!tx.find_concert(concert_id)) return fail(ErrorCode::NotFound, "no concert " + std::to_string(concert_id));
        domain::Schedule s = schedule;
        s.id = tx.insert_schedule(s);
        tx.insert_seats(s.id, *seats);
        return s;
      });
  if (created) schedules_.forget();
  return created;
}

domain::Result<domain::Schedule> Admin::tune_queue(domain::Id schedule_id, const domain::QueueSettings& q) {
  if (auto ok = domain::validate_queue_settings(q); !ok) return tl::unexpected(ok.error());
  auto updated =
      in_transaction(ctx_.store, ports::TxMode::Write, [&](ports::Tx& tx) -> domain::Result<domain::Schedule> {
        auto s = tx.find_schedule(schedule_id);
        if (!s) return fail(ErrorCode::NotFound, "no schedule " + std::to_string(schedule_id));
        tx.update_queue_settings(schedule_id, q);
        s->queue = q;
        return *s;
      });
  if (updated) schedules_.forget();
  return updated;
}

bool Admin::seed_demo() {
  if (ctx_.store.begin(ports::TxMode::Read)->has_any_concert()) return false;
  auto concert = create_concert("Demo Night: The Async Orchestra");
  if (!concert) return false;
  const auto now = ctx_.clock.now();
  const auto day = std::chrono::hours(24);
  // 1,000 seats each: VIP 2 rows x 50, R 8 rows x 50, S 10 rows x 50.
  const std::vector<SectionLayout> layout{
      {"VIP", "VIP", 220'000, 2, 50}, {"R", "R", 165'000, 8, 50}, {"S", "S", 132'000, 10, 50}};
  for (int i = 1; i <= 2; ++i) {
    NewSchedule s;
    s.starts_at = now + i * 30 * day;
    s.sales_open_at = now;  // on sale now, so the walkthrough works at once
    s.sales_close_at = now + i * 30 * day - day;
    s.sections = layout;
    if (!create_schedule(concert->id, s)) return false;
  }
  return true;
}

domain::Result<std::vector<ports::Admission>> Admin::admissions(domain::Id schedule_id, std::int64_t after_seq,
                                                               int limit) {
  if (!schedules_.find(schedule_id)) return fail(ErrorCode::NotFound, "no schedule " + std::to_string(schedule_id));
  return ctx_.queue.admissions(schedule_id, after_seq, limit);
}

}  // namespace concert::app
