#include "training/evaluate.h"

#include "common/progress.h"
#include "training/augment.h"
#include "vision/net_input.h"

namespace moodtune {

EvalResult evaluate_dataset(EmotionNet& net, const Normalisation& norm, const FaceDataset& data,
                            const EvalOptions& opt) {
  bool was_training = net->is_training();
  net->eval();
  EvalResult r;
  Confusion cm(static_cast<int>(data.classes.size()));
  double loss_sum = 0;
  {
    torch::InferenceMode guard;
    ProgressBar bar(opt.label, data.size());
    torch::Tensor labels = torch::tensor(data.labels, torch::kLong);
    for (int64_t start = 0; start < data.size(); start += opt.batch_size) {
      int64_t n = std::min<int64_t>(opt.batch_size, data.size() - start);
      torch::Tensor x = normalise_u8(data.images.narrow(0, start, n), norm);
      torch::Tensor probs = predict_probs(net, x, opt.tta).contiguous();
      if (opt.baseline.faces > 0) {
        const int64_t c = probs.size(1);
        float* d = probs.data_ptr<float>();
        for (int64_t i = 0; i < n; ++i) {
          const Probs p = calibrate(Probs(d + i * c, d + (i + 1) * c), opt.baseline, opt.calibration);
          std::copy(p.begin(), p.end(), d + i * c);
        }
      }
      torch::Tensor y = labels.narrow(0, start, n);
      loss_sum += torch::nll_loss(probs.clamp_min(1e-12).log(), y, {}, at::Reduction::Sum).item<double>();
      torch::Tensor pred = probs.argmax(1);
      auto pa = pred.accessor<int64_t, 1>();
      for (int64_t i = 0; i < n; ++i) {
        r.predicted.push_back(pa[i]);
        cm.add(data.labels[static_cast<size_t>(start + i)], pa[i]);
      }
      if (opt.progress) bar.advance(n);
    }
    if (opt.progress) bar.finish();
  }
  if (was_training) net->train();
  r.metrics = cm.metrics();
  r.loss = data.size() > 0 ? loss_sum / static_cast<double>(data.size()) : 0.0;
  return r;
}

std::vector<LightingResult> lighting_robustness(EmotionNet& net, const Normalisation& norm, const FaceDataset& data,
                                                bool tta) {
  EvalOptions eo;
  eo.tta = tta;
  std::vector<LightingResult> out;
  const double base = evaluate_dataset(net, norm, data, eo).metrics.accuracy;
  out.push_back({"original", base, 0.0});
  for (Lighting l :
       {Lighting::kDark, Lighting::kBright, Lighting::kLowContrast, Lighting::kGammaHigh, Lighting::kGammaLow}) {
    FaceDataset changed = data;
    changed.images = apply_lighting(data.images, l);
    double acc = evaluate_dataset(net, norm, changed, eo).metrics.accuracy;
    out.push_back({lighting_name(l), acc, base - acc});
  }
  return out;
}

}  // namespace moodtune
