// quantize.h — makes an int8 model from a trained float one (post-training
// static quantization).
//
//   moodtune::LoadedModel f = moodtune::load_model_file("models/default.mtm");
//   torch::Tensor faces = moodtune::to_input(crops, f.info.norm);   // calibration faces
//   moodtune::QuantizeResult r = moodtune::quantize_model(f, faces, {});
//   moodtune::save_model_file("models/default-int8.mtm", r.model.net, r.model.info);
//
// How: every convolution gets its batch norm folded in (exact in eval mode),
// then its weights go to int8 per output channel. The activation between
// layers is uint8 with one scale per tensor, chosen from the values the float
// net produces on the calibration faces (a few hundred training faces are
// enough; never the test split). The input needs no calibration: its 256 grey
// levels map exactly onto uint8. Research notes and the measured choice of
// observer: docs/edge.md.
//
// Pure function of its arguments; safe to call from any thread.
#pragma once
#include <torch/torch.h>

#include <string>

#include "vision/model_file.h"

namespace moodtune {

struct QuantizeParams {
  // How an activation's range is chosen from the calibration values:
  // "minmax" (the extremes) or "percentile" (clips the rare outliers that
  // would otherwise waste most of the 256 levels).
  std::string observer = "percentile";
  double percentile = 99.99;  // for "percentile": share of values kept inside the range
  int batch = 128;            // calibration faces per forward pass
};

struct QuantizeResult {
  LoadedModel model;         // precision "int8", in eval mode
  int64_t faces = 0;         // calibration faces used
  double agreement = 0;      // share of calibration faces where both nets pick the same class
  double max_prob_diff = 0;  // largest difference of any class probability between the two
};

// float_model: one float net (not an ensemble, not already int8: those throw
// std::invalid_argument with what to do instead). calibration: normalised
// faces [N,1,S,S], N >= 1.
QuantizeResult quantize_model(const LoadedModel& float_model, const torch::Tensor& calibration,
                              const QuantizeParams& params = {});

}  // namespace moodtune
