#include "vision/rebalance.h"

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace moodtune {

std::vector<double> training_class_prior(const ModelInfo& info) {
  const auto it = info.meta.find("class_prior");
  if (it == info.meta.end() || !it->is_array())
    throw std::invalid_argument(
        "the model does not record the class distribution it was trained on (models trained before "
        "2026-12-05); give it as counts per class in the model's class order, e.g. --class-prior "
        "3995,3608,4097,7215,4965,4830,3608 (FER2013's training split oversampled to half the largest class)");
  return it->get<std::vector<double>>();
}

void rebalance_model(LoadedModel& m, const RebalanceParams& p) {
  if (!(p.strength >= 0)) throw std::invalid_argument("the rebalancing strength must be 0 or more");
  if (m.net->is_ensemble())
    throw std::invalid_argument("rebalance one model at a time: rebalance each member of an ensemble");
  if (m.info.precision != "float32")
    throw std::invalid_argument("rebalance the float model, then quantize it: an int8 model's head is fixed");
  if (m.info.meta.contains("rebalanced")) throw std::invalid_argument("the model is rebalanced already");
  std::vector<double> prior = p.class_prior.empty() ? training_class_prior(m.info) : p.class_prior;
  const size_t n = m.info.classes.size();
  if (prior.size() != n)
    throw std::invalid_argument("the class prior has " + std::to_string(prior.size()) + " values; the model has " +
                                std::to_string(n) + " classes");
  for (double v : prior)
    if (!(v > 0) || !std::isfinite(v)) throw std::invalid_argument("every class needs a positive prior share");
  const double total = std::accumulate(prior.begin(), prior.end(), 0.0);
  std::vector<double> log_prior(n);
  double mean_log = 0;
  for (size_t c = 0; c < n; ++c) {
    prior[c] /= total;
    log_prior[c] = std::log(prior[c]);
    mean_log += log_prior[c] / static_cast<double>(n);
  }
  // Centred: the shift only moves classes against each other, so the
  // logits' scale (which calibration baselines and explanations read) stays put.
  std::vector<float> delta(n);
  for (size_t c = 0; c < n; ++c) delta[c] = static_cast<float>(-p.strength * (log_prior[c] - mean_log));
  m.net->shift_logits(torch::tensor(delta));
  m.info.meta["rebalanced"] = {{"strength", p.strength}, {"class_prior", prior}};
}

}  // namespace moodtune
