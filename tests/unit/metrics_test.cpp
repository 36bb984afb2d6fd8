// platform/metrics: Prometheus text exposition 0.0.4, concurrency of counters and
// histograms, quantile estimates.
#include "platform/metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace concert::platform {
namespace {

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

TEST(Metrics, LabelledCounterAndHistogramRenderExactly) {
  Registry r;
  auto& a = r.counter("http_requests_total", "Requests by route", {{"route", "/a"}, {"status", "200"}});
  a.inc();
  a.inc(2);
  r.counter("http_requests_total", "Requests by route", {{"route", "/b"}, {"status", "500"}}).inc();
  // Asking again returns the same series.
  EXPECT_EQ(&r.counter("http_requests_total", "Requests by route", {{"route", "/a"}, {"status", "200"}}), &a);

  auto& h = r.histogram("latency_seconds", "Latency", {{"route", "/a"}}, {0.5, 1, 2.5});
  h.observe(0.25);
  h.observe(0.5);  // le is inclusive: counts in the 0.5 bucket
  h.observe(2);
  h.observe(10);

  const std::string expected =
      "# HELP http_requests_total Requests by route\n"
      "# TYPE http_requests_total counter\n"
      "http_requests_total{route=\"/a\",status=\"200\"} 3\n"
      "http_requests_total{route=\"/b\",status=\"500\"} 1\n"
      "# HELP latency_seconds Latency\n"
      "# TYPE latency_seconds histogram\n"
      "latency_seconds_bucket{route=\"/a\",le=\"0.5\"} 2\n"
      "latency_seconds_bucket{route=\"/a\",le=\"1\"} 2\n"
      "latency_seconds_bucket{route=\"/a\",le=\"2.5\"} 3\n"
      "latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"
      "latency_seconds_sum{route=\"/a\"} 12.75\n"
      "latency_seconds_count{route=\"/a\"} 4\n";
  EXPECT_EQ(r.render(), expected);
}

TEST(Metrics, HelpAndTypeOncePerFamily) {
  Registry r;
  for (int i = 0; i < 5; ++i) r.counter("c_total", "C", {{"i", std::to_string(i)}}).inc();
  for (int i = 0; i < 3; ++i) r.histogram("h_seconds", "H", {{"i", std::to_string(i)}}, {1}).observe(0.5);
  r.gauge("g", "G", {}).set(7);
  const auto text = r.render();
  EXPECT_EQ(occurrences(text, "# HELP c_total "), 1u);
  EXPECT_EQ(occurrences(text, "# TYPE c_total counter\n"), 1u);
  EXPECT_EQ(occurrences(text, "# HELP h_seconds "), 1u);
  EXPECT_EQ(occurrences(text, "# TYPE h_seconds histogram\n"), 1u);
  EXPECT_EQ(occurrences(text, "# TYPE g gauge\n"), 1u);
  EXPECT_EQ(occurrences(text, "\ng 7\n"), 1u);
  EXPECT_EQ(occurrences(text, "h_seconds_count{"), 3u);
  EXPECT_EQ(occurrences(text, "c_total{i="), 5u);
}

TEST(Metrics, UnlabelledHistogramGetsOnlyTheLeLabel) {
  Registry r;
  auto& h = r.histogram("wait_seconds", "Wait", {}, {1, 5});
  h.observe(3);
  const std::string expected =
      "# HELP wait_seconds Wait\n"
      "# TYPE wait_seconds histogram\n"
      "wait_seconds_bucket{le=\"1\"} 0\n"
      "wait_seconds_bucket{le=\"5\"} 1\n"
      "wait_seconds_bucket{le=\"+Inf\"} 1\n"
      "wait_seconds_sum 3\n"
      "wait_seconds_count 1\n";
  EXPECT_EQ(r.render(), expected);
}

// Prometheus clients write bucket bounds in their shortest form (le="0.005"), and
// dashboards select buckets by that exact string (histogram_quantile over
// le="0.1", alerts on a named bucket). The bounds concertd uses for latency
// (0.0005, 0.001, 0.005, 0.1, ...) are not exact binary fractions.
TEST(Metrics, BucketBoundsAndSumsUseTheShortestDecimalForm) {
  Registry r;
  auto& h = r.histogram("d_seconds", "D", {}, {0.005, 0.1});
  h.observe(0.1);
  const auto text = r.render();
  EXPECT_NE(text.find("d_seconds_bucket{le=\"0.005\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("d_seconds_sum 0.1\n"), std::string::npos) << text;
}

TEST(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(render_labels({{"path", "a\\b\"c\nd"}}), "{path=\"a\\\\b\\\"c\\nd\"}");
  EXPECT_EQ(render_labels({}), "");
  Registry r;
  r.counter("e_total", "E", {{"v", "x\"y"}}).inc();
  EXPECT_NE(r.render().find("e_total{v=\"x\\\"y\"} 1\n"), std::string::npos) << r.render();
}

TEST(Metrics, HelpTextIsEscaped) {
  Registry r;
  r.counter("h_total", "a \\ b\nc \"d\"", {}).inc();
  EXPECT_NE(r.render().find("# HELP h_total a \\\\ b\\nc \"d\"\n"), std::string::npos) << r.render();
}

// {a,b} and {b,a} are one series, rendered with labels sorted by name.
TEST(Metrics, LabelOrderDoesNotMakeANewSeries) {
  Registry r;
  auto& x = r.counter("o_total", "O", {{"route", "/a"}, {"method", "GET"}});
  EXPECT_EQ(&r.counter("o_total", "O", {{"method", "GET"}, {"route", "/a"}}), &x);
  x.inc();
  EXPECT_NE(r.render().find("o_total{method=\"GET\",route=\"/a\"} 1\n"), std::string::npos) << r.render();
}

TEST(Metrics, GaugeSetAndAdd) {
  Registry r;
  auto& g = r.gauge("inflight", "In flight", {});
  g.set(3);
  g.add(2.5);
  g.add(-1);
  EXPECT_DOUBLE_EQ(g.value(), 4.5);
  EXPECT_NE(r.render().find("\ninflight 4.5\n"), std::string::npos) << r.render();
}

TEST(Metrics, FunctionGaugeIsReadAtRenderTime) {
  Registry r;
  double waiting = 7;
  r.gauge_fn("queue_waiting", "Fans waiting", {{"schedule", "1"}}, [&waiting] { return waiting; });
  r.gauge("queue_waiting", "Fans waiting", {{"schedule", "2"}}).set(1);
  EXPECT_EQ(r.render(),
            "# HELP queue_waiting Fans waiting\n"
            "# TYPE queue_waiting gauge\n"
            "queue_waiting{schedule=\"1\"} 7\n"
            "queue_waiting{schedule=\"2\"} 1\n");
  waiting = 12;
  EXPECT_NE(r.render().find("queue_waiting{schedule=\"1\"} 12\n"), std::string::npos);
  // Registering the same series again replaces the function.
  r.gauge_fn("queue_waiting", "Fans waiting", {{"schedule", "1"}}, [] { return 0.0; });
  EXPECT_NE(r.render().find("queue_waiting{schedule=\"1\"} 0\n"), std::string::npos);
  // A series is either a plain gauge or a function, not both.
  EXPECT_THROW(r.gauge_fn("queue_waiting", "Fans waiting", {{"schedule", "2"}}, [] { return 0.0; }), std::logic_error);
  EXPECT_THROW(r.gauge("queue_waiting", "Fans waiting", {{"schedule", "1"}}), std::logic_error);
}

TEST(Metrics, BadNamesAreProgrammingErrors) {
  Registry r;
  EXPECT_THROW(r.counter("1st_total", "X", {}), std::logic_error);
  EXPECT_THROW(r.counter("has-dash", "X", {}), std::logic_error);
  EXPECT_THROW(r.counter("ok_total", "X", {{"bad-label", "v"}}), std::logic_error);
  EXPECT_THROW(r.counter("ok_total", "X", {{"__reserved", "v"}}), std::logic_error);
  EXPECT_THROW(r.counter("ok_total", "X", {{"a", "1"}, {"a", "2"}}), std::logic_error);
  EXPECT_THROW(r.histogram("h_seconds", "X", {{"le", "1"}}, {1}), std::logic_error);
  EXPECT_NO_THROW(r.counter("ns:ok_total", "X", {{"_a1", "v"}}));
}

TEST(Metrics, DefaultLatencyBucketsSpanHalfAMillisecondToTenSeconds) {
  const auto& b = default_latency_buckets();
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(b.front(), 0.0005);
  EXPECT_EQ(b.back(), 10);
  EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
  Registry r;
  r.histogram("lat_seconds", "L", {}, b).observe(0.003);
  const auto text = r.render();
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.0025\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.005\"} 1\n"), std::string::npos) << text;
}

TEST(Metrics, OneNameCannotHaveTwoTypes) {
  Registry r;
  r.counter("x", "X", {});
  EXPECT_THROW(r.gauge("x", "X", {}), std::logic_error);
  EXPECT_THROW(r.histogram("x", "X", {}, {1}), std::logic_error);
}

TEST(Metrics, CounterIsExactUnderEightThreads) {
  Registry r;
  auto& c = r.counter("hits_total", "Hits", {});
  auto& h = r.histogram("obs", "Obs", {}, {0.5, 1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100'000; ++i) {
        c.inc();
        h.observe(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 800'000u);
  EXPECT_EQ(h.count(), 800'000u);
  EXPECT_EQ(h.sum(), 800'000);
  EXPECT_EQ(h.cumulative(), (std::vector<std::uint64_t>{0, 800'000, 800'000}));
  EXPECT_NE(r.render().find("hits_total 800000\n"), std::string::npos);
}

TEST(Metrics, RegistryIsSafeToUseFromManyThreads) {
  Registry r;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&r, t] {
      for (int i = 0; i < 2'000; ++i) {
        r.counter("per_thread_total", "P", {{"t", std::to_string(t)}}).inc();
        if (i % 100 == 0) (void)r.render();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(r.counter("per_thread_total", "P", {{"t", std::to_string(t)}}).value(), 2'000u);
}

TEST(Metrics, CumulativeBucketsNeverDecrease) {
  Histogram h({5, 1, 10, 2});  // given unsorted
  EXPECT_EQ(h.bounds(), (std::vector<double>{1, 2, 5, 10}));
  for (double v : {0.5, 1.0, 1.5, 3.0, 7.0, 11.0, 100.0}) h.observe(v);
  EXPECT_EQ(h.cumulative(), (std::vector<std::uint64_t>{2, 3, 4, 5, 7}));
  EXPECT_DOUBLE_EQ(h.sum(), 124.0);
  EXPECT_EQ(h.count(), 7u);
}

TEST(Metrics, QuantileEstimateStaysInsideTheBucketThatHoldsIt) {
  Histogram h({0.1, 0.2, 0.5, 1});
  EXPECT_EQ(h.quantile(0.95), 0);  // empty
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> fast(0.0, 0.1), slow(0.55, 0.95);
  for (int i = 0; i < 900; ++i) h.observe(fast(rng));
  for (int i = 0; i < 100; ++i) h.observe(slow(rng));
  const double p50 = h.quantile(0.5);
  EXPECT_GE(p50, 0.0);
  EXPECT_LE(p50, 0.1);
  const double p95 = h.quantile(0.95);
  EXPECT_GT(p95, 0.5);
  EXPECT_LE(p95, 1.0);
  const double p99 = h.quantile(0.99);
  EXPECT_GE(p99, p95);
  EXPECT_LE(p99, 1.0);
  // 950 of 1000: halfway through the 100 observations of the (0.5, 1] bucket.
  EXPECT_NEAR(p95, 0.75, 1e-9);
}

TEST(Metrics, QuantileEdges) {
  Histogram h({1, 2});
  h.observe(0.5);
  h.observe(1.5);
  EXPECT_EQ(h.quantile(0), 0);    // the lower edge of the first bucket
  EXPECT_EQ(h.quantile(0.5), 1);  // exactly the first bucket's bound
  EXPECT_EQ(h.quantile(1), 2);    // the upper edge of the last non-empty bucket
  EXPECT_EQ(h.quantile(0.75), 1.5);
  EXPECT_EQ(h.quantile(7), 2);  // clamped to 1
}

TEST(Metrics, QuantileBeyondTheLastBoundIsTheLastBound) {
  Histogram h({0.1, 1});
  for (int i = 0; i < 10; ++i) h.observe(50);
  EXPECT_EQ(h.quantile(0.5), 1);
  EXPECT_EQ(h.quantile(0.99), 1);
}

}  // namespace
}  // namespace concert::platform
