// libFuzzer target: the event stream's consumer (adapters/redis/stream_consumer.hpp)
// reading entries from a reply to XREADGROUP. The entries are read inside
// StreamConsumer::poll, through RedisClient's conversion of hiredis' replies, so
// the target runs poll against a stand-in Redis on 127.0.0.1:0 (as
// tests/unit/redis_error_replies_test.cpp does) that answers XREADGROUP with
// the input, and the rest of the commands as Redis would: XGROUP +OK (or
// BUSYGROUP, for inputs of odd length), EXISTS and SET on its own keys, XACK :1.
//
// Input: a RESP reply (the seeds are XREADGROUP replies). Only the first reply
// counts, and only a well-formed one within hiredis 0.14's depth (arrays nested
// up to 6 deep here, of up to 64 elements) is sent, written back canonically,
// so the client never waits on half a reply.
// A violated property aborts; poll's exchange with the stand-in must be what a
// model of it expects:
//  - every entry is acknowledged (XACK with its id) once, in order;
//  - an entry is handed to the handler, and its event id remembered (SET with
//    the entry id, for 7 days), exactly when its event id was not remembered
//    before; the handler gets the entry's "event" field parsed as JSON; the
//    batch counts the handled entries and the duplicates;
//  - a reply of another shape is no batch (nil, an integer, an empty array)
//    or throws std::out_of_range where poll walks past it (no Redis sends one:
//    it may fail, not misbehave); an error reply throws std::runtime_error;
//  - nothing else is sent, and nothing else escapes.
#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "adapters/redis/stream_consumer.hpp"
#include "adapters/redis/stream_sink.hpp"

namespace {

using concert::adapters::redis::RedisClient;
using concert::adapters::redis::StreamConsumer;
using Command = std::vector<std::string>;

constexpr int kMaxDepth = 6;
constexpr long long kMaxElements = 64;
const std::string kPrefix = "fz:";
const std::string kStream = kPrefix + concert::adapters::redis::kEventStream;
const std::string kGroup = "fuzz";
const std::string kConsumer = "c1";
constexpr int kCount = 100;
const std::string kRemember = std::to_string(7 * 24 * 3600);  // StreamConsumer's default, in seconds

void check(bool ok, const char* property) {
  if (ok) return;
  std::fprintf(stderr, "property violated: %s\n", property);
  std::abort();
}

// --- RESP: the input's first reply, and the canonical bytes sent for it -------------

struct Node {
  enum class Kind { Status, Error, Integer, Bulk, Nil, Array } kind = Kind::Nil;
  std::string text;
  long long integer = 0;
  std::vector<Node> children;
};

class RespReader {
 public:
  explicit RespReader(std::string_view in) : in_(in) {}

  std::optional<Node> read(int depth = 0) {
    if (pos_ >= in_.size()) return std::nullopt;
    const char type = in_[pos_++];
    const auto line = read_line();
    if (!line) return std::nullopt;
    Node n;
    switch (type) {
      case '+':
      case '-':
        n.kind = type == '+' ? Node::Kind::Status : Node::Kind::Error;
        n.text = std::string(*line);
        return n;
      case ':': {
        const auto value = number(*line);
        if (!value) return std::nullopt;
        n.kind = Node::Kind::Integer;
        n.integer = *value;
        return n;
      }
      case '$': {
        const auto length = number(*line);
        if (length == -1) return n;  // nil
        if (!length || *length < 0 || static_cast<std::size_t>(*length) > in_.size() - pos_) return std::nullopt;
        n.kind = Node::Kind::Bulk;
        n.text = std::string(in_.substr(pos_, static_cast<std::size_t>(*length)));
        pos_ += static_cast<std::size_t>(*length);
        if (in_.substr(pos_, 2) != "\r\n") return std::nullopt;
        pos_ += 2;
        return n;
      }
      case '*': {
        const auto count = number(*line);
        if (count == -1) return n;  // nil
        if (!count || *count < 0 || *count > kMaxElements || depth + 1 > kMaxDepth) return std::nullopt;
        n.kind = Node::Kind::Array;
        for (long long i = 0; i < *count; ++i) {
          auto child = read(depth + 1);
          if (!child) return std::nullopt;
          n.children.push_back(std::move(*child));
        }
        return n;
      }
      default:
        return std::nullopt;
    }
  }

 private:
  std::optional<std::string_view> read_line() {
    const auto end = in_.find("\r\n", pos_);
    if (end == std::string_view::npos) return std::nullopt;
    const auto line = in_.substr(pos_, end - pos_);
    pos_ = end + 2;
    return line;
  }

  static std::optional<long long> number(std::string_view text) {
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
};

void write_resp(const Node& n, std::string& out) {
  switch (n.kind) {
    case Node::Kind::Status:
      out += "+" + n.text + "\r\n";
      break;
    case Node::Kind::Error:
      out += "-" + n.text + "\r\n";
      break;
    case Node::Kind::Integer:
      out += ":" + std::to_string(n.integer) + "\r\n";
      break;
    case Node::Kind::Bulk:
      out += "$" + std::to_string(n.text.size()) + "\r\n" + n.text + "\r\n";
      break;
    case Node::Kind::Nil:
      out += "$-1\r\n";
      break;
    case Node::Kind::Array:
      out += "*" + std::to_string(n.children.size()) + "\r\n";
      for (const auto& child : n.children) write_resp(child, out);
      break;
  }
}

// --- the stand-in Redis -----------------------------------------------------------

class StandInRedis {
 public:
  StandInRedis() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listener_, 4) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      std::perror("stand-in Redis");
      std::abort();
    }
    port_ = ntohs(addr.sin_port);
    std::thread([this] { accept_loop(); }).detach();  // lives as long as the process
  }

  int port() const { return port_; }

  // Before each poll: what XREADGROUP answers, and whether XGROUP says BUSYGROUP.
  void reset(std::string xreadgroup_reply, bool busy_group) {
    std::lock_guard lock(mutex_);
    xreadgroup_reply_ = std::move(xreadgroup_reply);
    busy_group_ = busy_group;
    keys_.clear();
    commands_.clear();
  }

  std::vector<Command> commands() {
    std::lock_guard lock(mutex_);
    return commands_;
  }

 private:
  void accept_loop() {
    for (;;) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      serve(fd);  // one connection at a time: the client's pool has one
      ::close(fd);
    }
  }

  void serve(int fd) {
    redisReader* reader = redisReaderCreate();
    char buffer[16384];
    for (;;) {
      const auto n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0 || redisReaderFeed(reader, buffer, static_cast<std::size_t>(n)) != REDIS_OK) break;
      void* raw = nullptr;
      bool ok = true;
      while (ok && redisReaderGetReply(reader, &raw) == REDIS_OK && raw) {
        auto* request = static_cast<redisReply*>(raw);
        Command command;
        for (std::size_t i = 0; request->type == REDIS_REPLY_ARRAY && i < request->elements; ++i) {
          command.emplace_back(request->element[i]->str, request->element[i]->len);
        }
        freeReplyObject(request);
        const auto answer = answer_to(command);
        ok = ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(answer.size());
      }
      if (!ok) break;
    }
    redisReaderFree(reader);
  }

  std::string answer_to(const Command& command) {
    std::lock_guard lock(mutex_);
    commands_.push_back(command);
    const auto& name = command.empty() ? std::string() : command[0];
    if (name == "XGROUP") return busy_group_ ? "-BUSYGROUP Consumer Group name already exists\r\n" : "+OK\r\n";
    if (name == "XREADGROUP") return xreadgroup_reply_;
    if (name == "EXISTS" && command.size() == 2) return keys_.contains(command[1]) ? ":1\r\n" : ":0\r\n";
    if (name == "SET" && command.size() >= 3) {
      keys_.insert(command[1]);
      return "+OK\r\n";
    }
    if (name == "XACK") return ":1\r\n";
    return "-ERR the stand-in does not know this command\r\n";
  }

  int listener_ = -1;
  int port_ = 0;
  std::mutex mutex_;
  std::string xreadgroup_reply_;
  bool busy_group_ = false;
  std::set<std::string> keys_;
  std::vector<Command> commands_;
};

// --- the model of poll ------------------------------------------------------------

struct Expected {
  enum class Outcome { Batch, OutOfRange, ErrorReply } outcome = Outcome::Batch;
  int handled = 0;
  int duplicates = 0;
  std::vector<Command> commands;
  std::vector<nlohmann::json> events;
};

// What RedisClient keeps of a reply as a string: strings and statuses; nothing of the rest.
std::string str_of(const Node& n) {
  return n.kind == Node::Kind::Bulk || n.kind == Node::Kind::Status ? n.text : std::string();
}

std::string field(const Node& fields, std::string_view name) {
  if (fields.kind != Node::Kind::Array) return {};
  for (std::size_t i = 0; i + 1 < fields.children.size(); i += 2) {
    if (str_of(fields.children[i]) == name) return str_of(fields.children[i + 1]);
  }
  return {};
}

bool has_elements(const Node& n, std::size_t count) {
  return n.kind == Node::Kind::Array && n.children.size() >= count;
}

Expected model(const Node& reply) {
  Expected x;
  x.commands = {{"XGROUP", "CREATE", kStream, kGroup, "0", "MKSTREAM"},
                {"XREADGROUP", "GROUP", kGroup, kConsumer, "COUNT", std::to_string(kCount), "STREAMS", kStream, ">"}};
  if (reply.kind == Node::Kind::Error) {
    x.outcome = Expected::Outcome::ErrorReply;
    return x;
  }
  if (!has_elements(reply, 1)) return x;
  const auto& stream = reply.children[0];  // [stream name, entries]
  if (!has_elements(stream, 2)) {
    x.outcome = Expected::Outcome::OutOfRange;
    return x;
  }
  std::set<std::string> remembered;
  const auto& entries = stream.children[1];
  for (std::size_t i = 0; entries.kind == Node::Kind::Array && i < entries.children.size(); ++i) {
    const auto& entry = entries.children[i];  // [entry id, fields]
    if (!has_elements(entry, 2)) {
      x.outcome = Expected::Outcome::OutOfRange;
      return x;
    }
    const auto id = str_of(entry.children[0]);
    const auto& fields = entry.children[1];
    const auto key = kPrefix + "consumed:" + kGroup + ":" + field(fields, "eventId");
    x.commands.push_back({"EXISTS", key});
    if (remembered.contains(key)) {
      ++x.duplicates;
    } else {
      x.events.push_back(nlohmann::json::parse(field(fields, "event"), nullptr, false));
      x.commands.push_back({"SET", key, id, "EX", kRemember});
      remembered.insert(key);
      ++x.handled;
    }
    x.commands.push_back({"XACK", kStream, kGroup, id});
  }
  return x;
}

bool same_json(const nlohmann::json& a, const nlohmann::json& b) {
  // Discarded values (not JSON) compare unequal to everything, themselves included.
  return a.is_discarded() || b.is_discarded() ? a.is_discarded() && b.is_discarded() : a == b;
}

StandInRedis& redis() {
  static auto* r = new StandInRedis();
  return *r;
}

RedisClient& client() {
  static auto* c = [] {
    concert::adapters::redis::RedisOptions o;
    o.endpoint = {"127.0.0.1", redis().port(), 0};
    o.pool_size = 1;
    o.key_prefix = kPrefix;
    return new RedisClient(o);
  }();
  return *c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto reply = RespReader(std::string_view(reinterpret_cast<const char*>(data), size)).read();
  if (!reply) return 0;
  std::string bytes;
  write_resp(*reply, bytes);
  redis().reset(bytes, size % 2 == 1);

  StreamConsumer consumer(client(), concert::adapters::redis::kEventStream, kGroup, kConsumer);
  std::vector<nlohmann::json> events;
  auto outcome = Expected::Outcome::Batch;
  concert::adapters::redis::ConsumedBatch batch;
  try {
    batch = consumer.poll(kCount, [&](const nlohmann::json& event) { events.push_back(event); });
  } catch (const std::out_of_range&) {
    outcome = Expected::Outcome::OutOfRange;
  } catch (const std::runtime_error&) {  // RedisUnavailable too, for LOADING and the like
    outcome = Expected::Outcome::ErrorReply;
    check(reply->kind == Node::Kind::Error, "only an error reply throws runtime_error");
  }

  const auto expected = model(*reply);
  check(outcome == expected.outcome, "poll ends as the model says");
  check(redis().commands() == expected.commands, "poll sends the commands the model says");
  check(batch.handled == (outcome == Expected::Outcome::Batch ? expected.handled : 0) &&
            batch.duplicates == (outcome == Expected::Outcome::Batch ? expected.duplicates : 0),
        "the batch counts handled entries and duplicates");
  check(events.size() == expected.events.size(), "the handler gets each new entry");
  for (std::size_t i = 0; i < events.size(); ++i) {
    check(same_json(events[i], expected.events[i]), "the handler gets the entry's event");
  }
  return 0;
}
