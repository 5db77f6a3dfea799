// rebalance.h — post-hoc prior (logit) adjustment: a model trained on
// imbalanced classes leans towards the frequent ones (FER2013: happy,
// neutral); subtracting strength * log(prior) from its logits moves its
// decisions towards what a class-balanced model would say (Menon et al.,
// "Long-tail learning via logit adjustment", ICLR 2021).
//
//   moodtune::LoadedModel m = moodtune::load_model_file("models/default.mtm");
//   moodtune::RebalanceParams rp;  rp.strength = 0.5;     // rp.class_prior: the model's own
//   moodtune::rebalance_model(m, rp);                      // shifts the head's bias
//   moodtune::save_model_file("rebalanced.mtm", m.net, m.info);
//
// The shift lives in the head's bias, so the adjusted model is an ordinary
// model file: every consumer (detect, serve, explain, quantize, ensembles of
// adjusted members) sees the same decisions without knowing about it.
// Pure functions of their arguments; not for a net another thread uses.
#pragma once
#include <vector>

#include "vision/model_file.h"

namespace moodtune {

struct RebalanceParams {
  double strength = 1.0;            // tau: 0 = unchanged, 1 = the full adjustment
  std::vector<double> class_prior;  // empty: the model's own (meta.class_prior); counts or shares
};

// The class distribution `info` was trained under: meta.class_prior, which
// `moodtune train` records. Throws std::invalid_argument naming what to do
// when the model predates it.
std::vector<double> training_class_prior(const ModelInfo& info);

// Shifts m's logits by -strength * log(prior) (prior normalised to sum 1,
// centred so the shift averages to zero) and records the adjustment in
// m.info.meta["rebalanced"]. Throws std::invalid_argument for a prior of the
// wrong length or with a non-positive share, a negative strength, an
// ensemble, an int8 model or a model adjusted already.
void rebalance_model(LoadedModel& m, const RebalanceParams& p);

}  // namespace moodtune
