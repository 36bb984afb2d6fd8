// clang-format off: Regroup would sort it after Boost
#include <utility>  // before Asio: g++ 12 coroutine support (STYLE.md)
// clang-format on

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <thread>

#include "support/http_client.hpp"

namespace concert::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

std::chrono::milliseconds split_pause_from_env() {
  const char* text = std::getenv("CONCERTD_TEST_SPLIT_WRITES_MS");
  return std::chrono::milliseconds(text ? std::atoi(text) : 0);
}

}  // namespace

struct HttpClient::Impl {
  std::string host;
  unsigned short port;
  std::chrono::milliseconds split_pause = split_pause_from_env();  // 0: one write per request
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  void connect() {
    stream.emplace(ioc);
    stream->expires_after(std::chrono::seconds(10));
    stream->connect(tcp::endpoint(net::ip::make_address(host), port));
    buffer.clear();
  }

  void write(const bhttp::request<bhttp::string_body>& req) {
    if (split_pause.count() == 0 || req.body().empty()) {
      bhttp::write(*stream, req);
      return;
    }
    bhttp::request_serializer<bhttp::string_body> serializer{req};
    bhttp::write_header(*stream, serializer);
    std::this_thread::sleep_for(split_pause);
    bhttp::write(*stream, serializer);
  }

  Reply exchange(const bhttp::request<bhttp::string_body>& req) {
    if (!stream) connect();
    stream->expires_after(std::chrono::seconds(10));
    write(req);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    parser.skip(req.method() == bhttp::verb::head);
    stream->expires_after(std::chrono::seconds(30));
    bhttp::read(*stream, buffer, parser);
    const auto& res = parser.get();
    Reply reply;
    reply.status = static_cast<int>(res.result_int());
    for (const auto& f : res) reply.headers[std::string(f.name_string())] = std::string(f.value());
    reply.body = res.body();
    if (!res.keep_alive()) stream.reset();
    return reply;
  }
};

HttpClient::HttpClient(std::string host, unsigned short port) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

HttpClient::~HttpClient() = default;

Reply HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                          const HeaderList& headers) {
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, impl_->host);
  if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  try {
    return impl_->exchange(req);
  } catch (const boost::system::system_error&) {
    // The server may have closed an idle keep-alive connection: retry once, fresh.
    impl_->stream.reset();
    return impl_->exchange(req);
  }
}

Reply until_served(const std::function<Reply()>& send, int attempts, std::chrono::milliseconds pause) {
  Reply r;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    r = send();
    if (r.status != 503) break;
    EXPECT_FALSE(r.header("Retry-After").empty()) << r.body;
    std::this_thread::sleep_for(pause);
  }
  return r;
}

std::string HttpClient::raw_exchange(const std::string& bytes, std::chrono::milliseconds wait) {
  beast::tcp_stream s(impl_->ioc);
  s.connect(tcp::endpoint(net::ip::make_address(impl_->host), impl_->port));
  net::write(s.socket(), net::buffer(bytes));
  std::string out;
  char chunk[4096];
  s.expires_after(wait);
  for (;;) {
    beast::error_code ec;
    const auto n = s.read_some(net::buffer(chunk), ec);
    out.append(chunk, n);
    if (ec) break;
  }
  return out;
}

}  // namespace concert::testing
