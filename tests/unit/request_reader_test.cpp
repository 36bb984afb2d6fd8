// RequestReader without sockets: the same bytes give the same requests and the
// same refusals however they are cut (regressions the fuzz target found).
#include "adapters/http/request_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace concert::http {
namespace {

// Feeds `pieces` one at a time; returns the status of each step after the last piece
// and the targets of the requests read on the way.
struct Fed {
  std::vector<std::string> targets;
  ReadStatus last = ReadStatus::NeedMore;
  int refused_status = 0;
};

Fed feed(RequestReader& reader, const std::vector<std::string>& pieces) {
  Fed out;
  for (const auto& piece : pieces) {
    reader.append(piece);
    for (;;) {
      auto step = reader.next();
      out.last = step.status;
      if (step.status == ReadStatus::Ready) {
        out.targets.push_back(step.request.target);
        continue;
      }
      if (step.status == ReadStatus::Refused) out.refused_status = step.refusal->status;
      break;
    }
    if (out.last == ReadStatus::Refused) break;
  }
  return out;
}

TEST(RequestReader, ACrlfAfterARequestSplitBetweenItsCrAndLfIsStillAnEmptyLine) {
  RequestReader reader({1024, 1024});
  const auto fed = feed(reader, {"GET /a HTTP/1.1\r\nHost: h\r\n\r\n\r", "\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"});
  EXPECT_EQ(fed.targets, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(fed.last, ReadStatus::NeedMore);
  EXPECT_FALSE(reader.started());
}

TEST(RequestReader, TheHeaderLimitHoldsWhetherTheHeaderArrivesWholeOrInPieces) {
  // Start line and fields each under the limit, together over it.
  const std::string header =
      "GET /" + std::string(600, 'a') + " HTTP/1.1\r\nHost: h\r\nX-Pad: " + std::string(600, 'p') + "\r\n\r\n";
  RequestReader whole({1024, 1024});
  EXPECT_EQ(feed(whole, {header}).refused_status, 431);
  RequestReader pieces({1024, 1024});
  EXPECT_EQ(feed(pieces, {header.substr(0, 620), header.substr(620)}).refused_status, 431);
  RequestReader within({1024, 2048});
  EXPECT_EQ(feed(within, {header}).targets.size(), 1u);
}

TEST(RequestReader, FramingIsCheckedBeforeTheBodyWhateverTheSplit) {
  // A refused framing and a malformed body in the same read: the framing answers.
  const std::string bytes = "POST / HTTP/1.1\r\nHost: h\r\nExpect: a-pony\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
  RequestReader whole({1024, 1024});
  EXPECT_EQ(feed(whole, {bytes}).refused_status, 417);
  RequestReader split({1024, 1024});
  EXPECT_EQ(feed(split, {bytes.substr(0, 40), bytes.substr(40)}).refused_status, 417);
}

}  // namespace
}  // namespace concert::http
