// A small Prometheus registry (text exposition 0.0.4). A series is looked up
// once and kept by reference, so the hot path is an atomic add with no lookup
// and no lock; only registration and render() take the registry's mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace concert::platform {

// Label name/value pairs; the order does not matter (they are sorted by name).
using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(std::uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double by);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // Upper bounds in any order; +Inf is implied.
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double v);
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  std::uint64_t count() const;
  // Estimated as Prometheus' histogram_quantile does: linear inside the bucket
  // that holds the rank; the last finite bound when it falls in +Inf; 0 when empty.
  double quantile(double q) const;
  const std::vector<double>& bounds() const { return bounds_; }
  // Observations <= each bound, +Inf last.
  std::vector<std::uint64_t> cumulative() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // per bucket (not cumulative), +Inf last
  std::atomic<double> sum_{0};
};

// Seconds, 0.5 ms to 10 s: the HTTP request latency buckets.
const std::vector<double>& default_latency_buckets();

class Registry {
 public:
  // The same name and labels return the same series. Registering a name under
  // two types, or bad metric or label names, is a programming error (std::logic_error).
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels);
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels);
  Histogram& histogram(const std::string& name, const std::string& help, const Labels& labels,
                       const std::vector<double>& buckets);
  // A gauge read at render time (queue lengths). Registering the same labels
  // again replaces the function. It runs under the registry's mutex, so it must
  // not call back into the registry, and must stay callable while the registry lives.
  void gauge_fn(const std::string& name, const std::string& help, const Labels& labels, std::function<double()> fn);
  std::string render() const;

 private:
  // monostate: just created, not filled in yet.
  using Series = std::variant<std::monostate, std::unique_ptr<Counter>, std::unique_ptr<Gauge>,
                              std::unique_ptr<Histogram>, std::function<double()>>;
  struct Family {
    std::string help;
    std::string type;
    std::map<std::string, Series> series;  // by rendered label set
  };
  Series& slot(const std::string& name, const std::string& help, const char* type, const Labels& labels);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

// {a="1",b="2"} with values escaped, sorted by label name; "" for no labels.
std::string render_labels(const Labels& labels);

}  // namespace concert::platform
