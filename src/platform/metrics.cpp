#include "platform/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace concert::platform {

void Counter::add(std::atomic<double>& target, double by) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + by, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::observe(double v) {
  const auto i = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  Counter::add(sum_, v);
}

std::vector<std::uint64_t> Histogram::cumulative() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

double Histogram::quantile(double q) const {
  const auto cum = cumulative();
  const auto total = cum.back();
  if (total == 0) return 0;
  const double rank = q * static_cast<double>(total);
  for (std::size_t i = 0; i < cum.size(); ++i) {
    if (static_cast<double>(cum[i]) >= rank) {
      if (i == bounds_.size()) return bounds_.empty() ? 0 : bounds_.back();  // beyond the last bound
      const double lower = i == 0 ? 0 : bounds_[i - 1];
      const double below = i == 0 ? 0 : static_cast<double>(cum[i - 1]);
      const double in_bucket = static_cast<double>(cum[i]) - below;
      return lower + (bounds_[i] - lower) * (in_bucket > 0 ? (rank - below) / in_bucket : 1.0);
    }
  }
  return bounds_.empty() ? 0 : bounds_.back();
}

namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

// Labels plus one more, e.g. le="0.5" for histogram buckets.
std::string with_label(const std::string& rendered, const std::string& name, const std::string& value) {
  const std::string extra = name + "=\"" + value + "\"";
  if (rendered.empty()) return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

}  // namespace

std::string render_labels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ",";
    out += labels[i].first + "=\"" + escape_label(labels[i].second) + "\"";
  }
  return out + "}";
}

Registry::Family& Registry::family(const std::string& name, const std::string& help, const char* type) {
  auto [it, inserted] = families_.try_emplace(name);
  if (inserted) {
    it->second.help = help;
    it->second.type = type;
  } else if (it->second.type != type) {
    throw std::logic_error("metric " + name + " registered with two types");
  }
  return it->second;
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "counter").counters[render_labels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "gauge").gauges[render_labels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help, const Labels& labels,
                               const std::vector<double>& buckets) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "histogram").histograms[render_labels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(buckets);
  return *slot;
}

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + f.type + "\n";
    for (const auto& [labels, c] : f.counters) out += name + labels + " " + format_number(c->value()) + "\n";
    for (const auto& [labels, g] : f.gauges) out += name + labels + " " + format_number(g->value()) + "\n";
    for (const auto& [labels, h] : f.histograms) {
      const auto cum = h->cumulative();
      for (std::size_t i = 0; i < h->bounds().size(); ++i) {
        out += name + "_bucket" + with_label(labels, "le", format_number(h->bounds()[i])) + " " +
               std::to_string(cum[i]) + "\n";
      }
      out += name + "_bucket" + with_label(labels, "le", "+Inf") + " " + std::to_string(cum.back()) + "\n";
      out += name + "_sum" + labels + " " + format_number(h->sum()) + "\n";
      out += name + "_count" + labels + " " + std::to_string(h->count()) + "\n";
    }
  }
  return out;
}

}  // namespace concert::platform
