// A small Prometheus registry (text exposition 0.0.4). Metrics are created once
// and kept by reference, so the hot path is an atomic add with no lookup.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace concert::platform {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(double by = 1) { add(value_, by); }
  double value() const { return value_.load(std::memory_order_relaxed); }
  static void add(std::atomic<double>& target, double by);

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double v);
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  // Estimated by linear interpolation inside the bucket that holds the quantile.
  double quantile(double q) const;
  const std::vector<double>& bounds() const { return bounds_; }
  std::vector<std::uint64_t> cumulative() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // per bucket, +Inf last
  std::atomic<double> sum_{0};
  std::atomic<std::uint64_t> count_{0};
};

class Registry {
 public:
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels);
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels);
  Histogram& histogram(const std::string& name, const std::string& help, const Labels& labels,
                       const std::vector<double>& buckets);
  std::string render() const;

 private:
  struct Family {
    std::string help;
    std::string type;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // by rendered label set
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& family(const std::string& name, const std::string& help, const char* type);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

std::string render_labels(const Labels& labels);

}  // namespace concert::platform
