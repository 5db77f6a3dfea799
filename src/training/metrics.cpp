#include "training/metrics.h"

#include <cstdio>
#include <stdexcept>

namespace moodtune {

Confusion::Confusion(int k) : m_(static_cast<size_t>(k), std::vector<int64_t>(static_cast<size_t>(k), 0)) {}

void Confusion::add(int64_t t, int64_t p) {
  const auto k = static_cast<int64_t>(m_.size());
  if (t < 0 || t >= k || p < 0 || p >= k) throw std::out_of_range("confusion: label out of range");
  m_[static_cast<size_t>(t)][static_cast<size_t>(p)]++;
}

ClassMetrics Confusion::metrics(const std::vector<int64_t>& missed) const {
  ClassMetrics r;
  const size_t k = m_.size();
  r.confusion = m_;
  r.per_class.resize(k);
  int64_t correct = 0;
  int with_support = 0;
  for (size_t c = 0; c < k; ++c) {
    int64_t tp = m_[c][c], row = 0, col = 0;
    for (size_t j = 0; j < k; ++j) {
      row += m_[c][j];
      col += m_[j][c];
    }
    if (c < missed.size()) row += missed[c];
    r.n += row;
    correct += tp;
    PerClass& pc = r.per_class[c];
    pc.support = row;
    pc.precision = col > 0 ? static_cast<double>(tp) / static_cast<double>(col) : 0.0;
    pc.recall = row > 0 ? static_cast<double>(tp) / static_cast<double>(row) : 0.0;
    pc.f1 = pc.precision + pc.recall > 0 ? 2 * pc.precision * pc.recall / (pc.precision + pc.recall) : 0.0;
    if (row > 0) {
      ++with_support;
      r.balanced_accuracy += pc.recall;
      r.macro_f1 += pc.f1;
    }
  }
  r.accuracy = r.n > 0 ? static_cast<double>(correct) / static_cast<double>(r.n) : 0.0;
  if (with_support > 0) {
    r.balanced_accuracy /= with_support;
    r.macro_f1 /= with_support;
  }
  return r;
}

nlohmann::json ClassMetrics::to_json(const std::vector<std::string>& classes) const {
  nlohmann::json pc = nlohmann::json::object();
  for (size_t c = 0; c < per_class.size() && c < classes.size(); ++c)
    pc[classes[c]] = {{"precision", per_class[c].precision},
                      {"recall", per_class[c].recall},
                      {"f1", per_class[c].f1},
                      {"support", per_class[c].support}};
  return {{"n", n},
          {"accuracy", accuracy},
          {"balanced_accuracy", balanced_accuracy},
          {"macro_f1", macro_f1},
          {"per_class", pc},
          {"confusion", confusion},
          {"classes", classes}};
}

std::string ClassMetrics::table(const std::vector<std::string>& classes) const {
  std::string out;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%-10s %9s %7s %7s %8s\n", "class", "precision", "recall", "f1", "support");
  out += buf;
  for (size_t c = 0; c < per_class.size() && c < classes.size(); ++c) {
    std::snprintf(buf, sizeof buf, "%-10s %9.3f %7.3f %7.3f %8lld\n", classes[c].c_str(), per_class[c].precision,
                  per_class[c].recall, per_class[c].f1, static_cast<long long>(per_class[c].support));
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "accuracy %.4f  balanced accuracy %.4f  macro F1 %.4f  (n=%lld)\n", accuracy,
                balanced_accuracy, macro_f1, static_cast<long long>(n));
  out += buf;
  return out;
}

std::string ClassMetrics::confusion_table(const std::vector<std::string>& classes) const {
  std::string out = "confusion (rows = true, columns = predicted)\n          ";
  char buf[32];
  for (const auto& c : classes) {
    std::snprintf(buf, sizeof buf, "%8.8s", c.c_str());
    out += buf;
  }
  out += "\n";
  for (size_t r = 0; r < confusion.size() && r < classes.size(); ++r) {
    std::snprintf(buf, sizeof buf, "%-10.10s", classes[r].c_str());
    out += buf;
    for (int64_t v : confusion[r]) {
      std::snprintf(buf, sizeof buf, "%8lld", static_cast<long long>(v));
      out += buf;
    }
    out += "\n";
  }
  return out;
}

}  // namespace moodtune
