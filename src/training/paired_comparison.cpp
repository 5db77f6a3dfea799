#include "training/paired_comparison.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <stdexcept>

#include "training/metrics.h"

namespace moodtune {

double mcnemar_exact_p(int64_t b, int64_t c) {
  if (b < 0 || c < 0) throw std::invalid_argument("mcnemar: negative count");
  const int64_t n = b + c;
  if (n == 0) return 1.0;
  const int64_t k = std::min(b, c);
  // P(X <= k) for X ~ Binomial(n, 1/2), summed in log space: n reaches
  // thousands, where 0.5^n underflows.
  const double log_half_n = static_cast<double>(n) * std::log(0.5);
  const double lg_n1 = std::lgamma(static_cast<double>(n) + 1);
  double log_tail = -INFINITY;
  for (int64_t i = 0; i <= k; ++i) {
    const double term =
        lg_n1 - std::lgamma(static_cast<double>(i) + 1) - std::lgamma(static_cast<double>(n - i) + 1) + log_half_n;
    const double hi = std::max(log_tail, term);
    log_tail = hi + std::log(std::exp(log_tail - hi) + std::exp(term - hi));
  }
  return std::min(1.0, 2.0 * std::exp(log_tail));
}

namespace {

// The figures compared, in a fixed order: accuracy, balanced accuracy, then
// recall and precision per class.
std::vector<double> figures(const ClassMetrics& m) {
  std::vector<double> f = {m.accuracy, m.balanced_accuracy};
  for (const PerClass& c : m.per_class) f.push_back(c.recall);
  for (const PerClass& c : m.per_class) f.push_back(c.precision);
  return f;
}

ClassMetrics metrics_of(const std::vector<int64_t>& truth, const std::vector<int64_t>& pred,
                        const std::vector<size_t>& pick, int k) {
  Confusion cm(k);
  for (size_t i : pick) cm.add(truth[i], pred[i]);
  return cm.metrics();
}

double quantile(std::vector<double>& v, double q) {
  const size_t at =
      static_cast<size_t>(std::clamp(q * static_cast<double>(v.size() - 1), 0.0, static_cast<double>(v.size() - 1)));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(at), v.end());
  return v[at];
}

}  // namespace

PairedComparison compare_paired(const std::vector<int64_t>& truth, const std::vector<int64_t>& pred_a,
                                const std::vector<int64_t>& pred_b, int k, const PairedComparisonParams& p) {
  if (truth.empty()) throw std::invalid_argument("paired comparison: no images");
  if (pred_a.size() != truth.size() || pred_b.size() != truth.size())
    throw std::invalid_argument("paired comparison: the two models' predictions do not cover the same images");
  if (!p.groups.empty() && p.groups.size() != truth.size())
    throw std::invalid_argument("paired comparison: one group per image, or none");
  if (p.resamples < 100) throw std::invalid_argument("paired comparison: at least 100 resamples");
  if (!(p.level > 0 && p.level < 1)) throw std::invalid_argument("paired comparison: level must be in (0, 1)");
  for (size_t i = 0; i < truth.size(); ++i)
    for (int64_t label : {truth[i], pred_a[i], pred_b[i]})
      if (label < 0 || label >= k)
        throw std::invalid_argument("paired comparison: label " + std::to_string(label) + " of image " +
                                    std::to_string(i) + " is not one of the " + std::to_string(k) + " classes");
  PairedComparison r;
  r.params = p;
  r.n = static_cast<int64_t>(truth.size());
  for (size_t i = 0; i < truth.size(); ++i) {
    const bool ra = pred_a[i] == truth[i], rb = pred_b[i] == truth[i];
    r.only_a_right += ra && !rb;
    r.only_b_right += rb && !ra;
  }
  r.mcnemar_p = mcnemar_exact_p(r.only_a_right, r.only_b_right);

  std::vector<size_t> all(truth.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  // The units resampled: each image alone, or the images of each group.
  std::vector<std::vector<size_t>> units;
  if (p.groups.empty()) {
    for (size_t i : all) units.push_back({i});
  } else {
    std::map<int64_t, std::vector<size_t>> by_group;
    for (size_t i : all) by_group[p.groups[i]].push_back(i);
    for (auto& [g, members] : by_group) units.push_back(std::move(members));
  }
  r.groups = static_cast<int64_t>(units.size());
  const std::vector<double> fa = figures(metrics_of(truth, pred_a, all, k));
  const std::vector<double> fb = figures(metrics_of(truth, pred_b, all, k));

  std::vector<std::vector<double>> deltas(fa.size());
  std::mt19937_64 rng(p.seed);
  std::uniform_int_distribution<size_t> draw(0, units.size() - 1);
  std::vector<size_t> pick;
  for (int s = 0; s < p.resamples; ++s) {
    pick.clear();
    for (size_t u = 0; u < units.size(); ++u) {
      const std::vector<size_t>& members = units[draw(rng)];
      pick.insert(pick.end(), members.begin(), members.end());
    }
    const std::vector<double> a = figures(metrics_of(truth, pred_a, pick, k));
    const std::vector<double> b = figures(metrics_of(truth, pred_b, pick, k));
    for (size_t f = 0; f < a.size(); ++f) deltas[f].push_back(b[f] - a[f]);
  }
  std::vector<PairedFigure> out(fa.size());
  for (size_t f = 0; f < fa.size(); ++f) {
    out[f] = {fa[f], fb[f], quantile(deltas[f], (1 - p.level) / 2), quantile(deltas[f], (1 + p.level) / 2)};
  }
  r.accuracy = out[0];
  r.balanced_accuracy = out[1];
  const auto kk = static_cast<size_t>(k);
  r.recall.assign(out.begin() + 2, out.begin() + 2 + static_cast<std::ptrdiff_t>(kk));
  r.precision.assign(out.begin() + 2 + static_cast<std::ptrdiff_t>(kk), out.end());
  return r;
}

namespace {
nlohmann::json figure_json(const PairedFigure& f) {
  return {{"a", f.a}, {"b", f.b}, {"delta", f.delta()}, {"low", f.low}, {"high", f.high}};
}
std::string figure_line(const std::string& name, const PairedFigure& f) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %-22s %.4f -> %.4f  %+6.2f points (%+.2f .. %+.2f)%s\n", name.c_str(), f.a, f.b,
                f.delta() * 100, f.low * 100, f.high * 100, f.significant() ? "  *" : "");
  return buf;
}
}  // namespace

nlohmann::json PairedComparison::to_json(const std::vector<std::string>& classes) const {
  nlohmann::json pc = nlohmann::json::object();
  for (size_t c = 0; c < recall.size() && c < classes.size(); ++c)
    pc[classes[c]] = {{"recall", figure_json(recall[c])}, {"precision", figure_json(precision[c])}};
  return {{"n", n},
          {"only_a_right", only_a_right},
          {"only_b_right", only_b_right},
          {"mcnemar_p", mcnemar_p},
          {"interval",
           {{"method", "percentile bootstrap over images"},
            {"level", params.level},
            {"resamples", params.resamples},
            {"seed", params.seed}}},
          {"accuracy", figure_json(accuracy)},
          {"balanced_accuracy", figure_json(balanced_accuracy)},
          {"per_class", pc}};
}

std::string PairedComparison::table(const std::vector<std::string>& classes) const {
  const std::string units = params.groups.empty() ? "" : " (" + std::to_string(groups) + " groups resampled)";
  char head[256];
  std::snprintf(head, sizeof head,
                "  %lld images: only A right %lld, only B right %lld, McNemar p = %.3g; B - A with %.0f%% intervals%s, "
                "* = excludes 0\n",
                static_cast<long long>(n), static_cast<long long>(only_a_right), static_cast<long long>(only_b_right),
                mcnemar_p, params.level * 100, units.c_str());
  std::string s = head;
  s += figure_line("accuracy", accuracy);
  s += figure_line("balanced accuracy", balanced_accuracy);
  for (size_t c = 0; c < recall.size() && c < classes.size(); ++c) s += figure_line(classes[c] + " recall", recall[c]);
  for (size_t c = 0; c < precision.size() && c < classes.size(); ++c)
    s += figure_line(classes[c] + " precision", precision[c]);
  return s;
}

}  // namespace moodtune
