// evaluate.h — run a model over an in-memory face dataset.
//
//   moodtune::EvalOptions eo;  eo.tta = true;
//   moodtune::EvalResult r = moodtune::evaluate_dataset(net, norm, val, eo);
//   std::cout << r.metrics.table(val.classes);
//
// Puts the net in eval mode and runs under InferenceMode. Not thread-safe
// for the same net while it is being trained.
#pragma once
#include <torch/torch.h>

#include "training/dataset.h"
#include "training/metrics.h"
#include "vision/calibration.h"
#include "vision/emotion_net.h"
#include "vision/preprocess.h"

namespace moodtune {

struct EvalOptions {
  bool tta = false;  // average softmax over flip and +-2 px shifts
  int batch_size = 256;
  bool progress = false;  // a progress bar on stderr
  std::string label = "evaluate";
  // One person's neutral face (calibration.h): when set, every face is
  // judged against it (a folder of that person's faces).
  Baseline baseline;
  CalibrationParams calibration;
};

struct EvalResult {
  ClassMetrics metrics;
  double loss = 0;                 // mean cross-entropy (no smoothing)
  std::vector<int64_t> predicted;  // per image
};

EvalResult evaluate_dataset(EmotionNet& net, const Normalisation& norm, const FaceDataset& data,
                            const EvalOptions& opt = {});

// Accuracy on `data` unchanged and under each Lighting transform.
std::vector<LightingResult> lighting_robustness(EmotionNet& net, const Normalisation& norm, const FaceDataset& data,
                                                bool tta);

}  // namespace moodtune
