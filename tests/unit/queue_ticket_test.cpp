// Signed queue tokens (SPEC §2a): any instance checks them without Redis, and a
// token works only for the fan it was issued to.
#include <gtest/gtest.h>

#include "adapters/redis/queue_ticket.hpp"

namespace concert::adapters::redis {
namespace {

const TicketSigner signer(queue_token_key("secret"));

TEST(QueueTicket, ASignedTicketVerifiesForItsUserOnly) {
  const auto token = signer.sign(7, "w42", "alice");
  auto ticket = signer.verify(token, "alice");
  ASSERT_TRUE(ticket);
  EXPECT_EQ(ticket->schedule_id, 7);
  EXPECT_EQ(ticket->name, "w42");
  EXPECT_FALSE(ticket->pre_queue);
  EXPECT_EQ(ticket->number, 42);
  EXPECT_FALSE(signer.verify(token, "mallory"));
  EXPECT_FALSE(TicketSigner(queue_token_key("other secret")).verify(token, "alice"));
}

TEST(QueueTicket, PreQueueTicketsCarryTheirEntryNumber) {
  auto ticket = signer.verify(signer.sign(3, "p5", "bob"), "bob");
  ASSERT_TRUE(ticket);
  EXPECT_TRUE(ticket->pre_queue);
  EXPECT_EQ(ticket->number, 5);
}

TEST(QueueTicket, TamperedAndMalformedTokensAreRejected) {
  const auto token = signer.sign(7, "w42", "alice");
  auto moved = token;
  moved.replace(token.find("w42"), 3, "w41");  // another place in the queue, same MAC
  EXPECT_FALSE(signer.verify(moved, "alice"));
  const std::vector<std::string> malformed{"", "7", "7.w42", "x.w42." + token.substr(token.rfind('.') + 1), "7.q42.abc",
                                "7.w.abc", "7.w-1.abc", "0.w42.abc", "7.w42.", "7.w4x2.abc"};
  for (const auto& bad : malformed) {
    EXPECT_FALSE(signer.verify(bad, "alice")) << bad;
  }
}

}  // namespace
}  // namespace concert::adapters::redis
