#include "platform/metrics.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string_view>

namespace concert::platform {

namespace {

// std::atomic<double> has no fetch_add before C++20's library support in g++ 13.
void atomic_add(std::atomic<double>& target, double by) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + by, std::memory_order_relaxed)) {
  }
}

// Shortest form that reads back as the same double, as Prometheus clients write
// it: dashboards select buckets by the exact string le="0.1".
std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

std::string escape(const std::string& text, bool quotes) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

bool valid_name(const std::string& name, bool colons) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [colons](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (colons && c == ':');
  });
}

// Labels plus one more, e.g. le="0.5" for histogram buckets.
std::string with_label(const std::string& rendered, const std::string& name, const std::string& value) {
  const std::string extra = name + "=\"" + value + "\"";
  if (rendered.empty()) return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace

void Gauge::add(double by) { atomic_add(value_, by); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::observe(double v) {
  // Bounds are inclusive (le): v lands in the first bucket whose bound is >= v.
  const auto i = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  atomic_add(sum_, v);
}

std::uint64_t Histogram::count() const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) total += buckets_[i].load(std::memory_order_relaxed);
  return total;
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
  if (total == 0 || bounds_.empty()) return 0;
  const double rank = std::clamp(q, 0.0, 1.0) * static_cast<double>(total);
  const auto holds_rank = [rank](std::uint64_t c) { return static_cast<double>(c) >= rank; };
  const auto i = static_cast<std::size_t>(std::find_if(cum.begin(), cum.end(), holds_rank) - cum.begin());
  if (i == bounds_.size()) return bounds_.back();  // in +Inf: the best we know is "above the last bound"
  const double lower = i == 0 ? std::min(0.0, bounds_[0]) : bounds_[i - 1];
  const double below = i == 0 ? 0 : static_cast<double>(cum[i - 1]);
  const double in_bucket = static_cast<double>(cum[i]) - below;
  if (in_bucket == 0) return lower;
  return lower + (bounds_[i] - lower) * (rank - below) / in_bucket;
}

const std::vector<double>& default_latency_buckets() {
  static const std::vector<double> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                            0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

std::string render_labels(const Labels& labels) {
  if (labels.empty()) return "";
  auto sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  std::string out = "{";
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0) out += ",";
    out += sorted[i].first + "=\"" + escape(sorted[i].second, true) + "\"";
  }
  return out + "}";
}

Registry::Series& Registry::slot(const std::string& name, const std::string& help, const char* type,
                                 const Labels& labels) {
  if (!valid_name(name, true)) throw std::logic_error("bad metric name '" + name + "'");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto& label = labels[i].first;
    if (!valid_name(label, false) || label.starts_with("__")) throw std::logic_error("bad label name '" + label + "'");
    if (label == "le" && std::string_view(type) == "histogram") throw std::logic_error("le is the bucket label");
    for (std::size_t j = 0; j < i; ++j) {
      if (labels[j].first == label) throw std::logic_error("label " + label + " given twice for " + name);
    }
  }
  auto [it, inserted] = families_.try_emplace(name);
  if (inserted) {
    it->second.help = help;
    it->second.type = type;
  } else if (it->second.type != type) {
    throw std::logic_error("metric " + name + " registered as " + it->second.type + " and " + type);
  }
  return it->second.series[render_labels(labels)];
}

Counter& Registry::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& s = slot(name, help, "counter", labels);
  if (std::holds_alternative<std::monostate>(s)) s = std::make_unique<Counter>();
  return *std::get<std::unique_ptr<Counter>>(s);
}

Gauge& Registry::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& s = slot(name, help, "gauge", labels);
  if (std::holds_alternative<std::monostate>(s)) s = std::make_unique<Gauge>();
  auto* g = std::get_if<std::unique_ptr<Gauge>>(&s);
  if (!g) throw std::logic_error("gauge " + name + render_labels(labels) + " is already a function gauge");
  return **g;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help, const Labels& labels,
                               const std::vector<double>& buckets) {
  std::lock_guard lock(mutex_);
  auto& s = slot(name, help, "histogram", labels);
  if (std::holds_alternative<std::monostate>(s)) s = std::make_unique<Histogram>(buckets);
  return *std::get<std::unique_ptr<Histogram>>(s);
}

void Registry::gauge_fn(const std::string& name, const std::string& help, const Labels& labels,
                        std::function<double()> fn) {
  std::lock_guard lock(mutex_);
  auto& s = slot(name, help, "gauge", labels);
  if (std::holds_alternative<std::unique_ptr<Gauge>>(s)) {
    throw std::logic_error("gauge " + name + render_labels(labels) + " is already a plain gauge");
  }
  s = std::move(fn);
}

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + escape(family.help, false) + "\n# TYPE " + name + " " + family.type + "\n";
    for (const auto& [labels, series] : family.series) {
      const auto line = [&](const std::string& value) { out += name + labels + " " + value + "\n"; };
      std::visit(Overloaded{
                     [](std::monostate) {},
                     [&](const std::unique_ptr<Counter>& c) { line(std::to_string(c->value())); },
                     [&](const std::unique_ptr<Gauge>& g) { line(format_number(g->value())); },
                     [&](const std::function<double()>& fn) { line(format_number(fn())); },
                     [&](const std::unique_ptr<Histogram>& h) {
                       const auto cum = h->cumulative();
                       for (std::size_t i = 0; i < cum.size(); ++i) {
                         const auto le = i < h->bounds().size() ? format_number(h->bounds()[i]) : "+Inf";
                         out += name + "_bucket" + with_label(labels, "le", le) + " " + std::to_string(cum[i]) + "\n";
                       }
                       // _count is the +Inf bucket, so the two always agree within one scrape.
                       out += name + "_sum" + labels + " " + format_number(h->sum()) + "\n";
                       out += name + "_count" + labels + " " + std::to_string(cum.back()) + "\n";
                     },
                 },
                 series);
    }
  }
  return out;
}

}  // namespace concert::platform
