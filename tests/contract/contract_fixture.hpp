// The contract suite: every test runs once per adapter set (SPEC §2: one suite
// for both profiles). Tests drive the use cases directly with a manual clock.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "audit/invariants.hpp"
#include "support/app_fixture.hpp"

namespace concert::testing {

class ContractTest : public ::testing::TestWithParam<AdapterKind> {
 protected:
  void SetUp() override {
    CONCERT_REQUIRE_BACKEND(GetParam());
    app::AppSettings s;
    s.hold_ttl = std::chrono::seconds(60);
    f = std::make_unique<AppFixture>(GetParam(), s);
  }

  // Publishes the outbox and asserts SPEC §5 I1-I4 and I6 over the given schedules.
  void expect_invariants(std::vector<domain::Id> schedule_ids) {
    while (f->relay->tick() > 0) {
    }
    audit::InvariantInputs in;
    in.store = f->store.get();
    in.schedule_ids = std::move(schedule_ids);
    in.ledger_paths = {f->ledger_path()};
    for (const auto& e : f->sink.events()) in.published_event_ids.insert(e.event_id);
    auto report = audit::check_invariants(in);
    EXPECT_TRUE(report.ok()) << report.describe();
  }

  domain::Seat seat(domain::Id schedule_id, domain::Id seat_id) {
    std::vector<domain::Id> ids{seat_id};
    return f->store->begin(ports::TxMode::Read)->find_seats(schedule_id, ids).at(0);
  }

  std::unique_ptr<AppFixture> f;
};

inline std::string adapter_name(const ::testing::TestParamInfo<AdapterKind>& info) { return to_string(info.param); }

#define CONCERT_CONTRACT_SUITE(Suite) \
  INSTANTIATE_TEST_SUITE_P(Adapters, Suite, ::testing::ValuesIn(all_adapter_kinds()), adapter_name)

}  // namespace concert::testing
