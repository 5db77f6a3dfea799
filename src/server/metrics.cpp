#include "server/metrics.h"

#include <sstream>

namespace moodtune {

void ServerMetrics::observe_request(const std::string& route, const std::string& method, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, method, status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void ServerMetrics::add(const std::string& name, double value, const std::string& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  counters_[{name, labels}] += value;
}

void ServerMetrics::set_gauge(const std::string& name, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_[name] = value;
}

double ServerMetrics::counter(const std::string& name, const std::string& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = counters_.find({name, labels});
  return it == counters_.end() ? 0 : it->second;
}

std::string ServerMetrics::render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::ostringstream o;
  o << "# HELP moodtune_http_requests_total HTTP requests by route, method and status.\n"
       "# TYPE moodtune_http_requests_total counter\n";
  for (const auto& [k, v] : requests_)
    o << "moodtune_http_requests_total{route=\"" << std::get<0>(k) << "\",method=\"" << std::get<1>(k) << "\",code=\""
      << std::get<2>(k) << "\"} " << v << "\n";
  o << "# HELP moodtune_http_request_duration_seconds Time to answer a request.\n"
       "# TYPE moodtune_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i)
      o << "moodtune_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"" << kBuckets[i] << "\"} "
        << h.buckets[i] << "\n";
    o << "moodtune_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << h.count << "\n";
    o << "moodtune_http_request_duration_seconds_sum{route=\"" << route << "\"} " << h.sum << "\n";
    o << "moodtune_http_request_duration_seconds_count{route=\"" << route << "\"} " << h.count << "\n";
  }
  std::string last;
  for (const auto& [k, v] : counters_) {
    if (k.first != last) o << "# TYPE " << k.first << " counter\n";
    last = k.first;
    o << k.first << (k.second.empty() ? "" : "{" + k.second + "}") << " " << v << "\n";
  }
  for (const auto& [name, v] : gauges_) o << "# TYPE " << name << " gauge\n" << name << " " << v << "\n";
  return o.str();
}

}  // namespace moodtune
