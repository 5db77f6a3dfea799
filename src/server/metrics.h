// metrics.h — request, frame and error counters with latency histograms,
// rendered in Prometheus' text exposition format for GET /metrics.
//
//   moodtune::ServerMetrics m;
//   m.observe_request("/api/frames", "POST", 200, 0.012);
//   m.add("moodtune_frames_total", 1);
//   std::string text = m.render();
//
// Thread-safe: every method may be called from any request thread.
#pragma once
#include <array>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace moodtune {

class ServerMetrics {
 public:
  // Upper bounds in seconds of the latency histogram buckets.
  static constexpr std::array<double, 12> kBuckets = {0.002, 0.005, 0.01, 0.02, 0.03, 0.05,
                                                      0.075, 0.1,   0.25, 0.5,  1.0,  2.5};
  void observe_request(const std::string& route, const std::string& method, int status, double seconds);
  // A counter; labels are written as given, e.g. R"(action="like")".
  void add(const std::string& name, double value, const std::string& labels = {});
  void set_gauge(const std::string& name, double value);
  std::string render() const;
  double counter(const std::string& name, const std::string& labels = {}) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;  // route, method, status
  std::map<std::string, Histogram> latency_;                                // by route
  std::map<std::pair<std::string, std::string>, double> counters_;          // name, labels
  std::map<std::string, double> gauges_;
};

}  // namespace moodtune
