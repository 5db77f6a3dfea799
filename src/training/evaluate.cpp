#include "training/evaluate.h"

#include "common/progress.h"

namespace moodtune {

torch::Tensor predict_probs(EmotionNet& net, const torch::Tensor& x, bool tta) {
  if (!tta) return torch::softmax(net->forward(x), 1);
  // Shifts use edge replication so no artificial black border appears.
  auto shifted = [&](int dy, int dx) {
    torch::Tensor p = torch::replication_pad2d(x, {2, 2, 2, 2});
    const int64_t s = x.size(2);
    return p.narrow(2, 2 + dy, s).narrow(3, 2 + dx, s);
  };
  std::vector<torch::Tensor> views = {x, x.flip({3}), shifted(-2, 0), shifted(2, 0), shifted(0, -2), shifted(0, 2)};
  torch::Tensor sum = torch::zeros({x.size(0), net->config().num_classes});
  for (auto& v : views) sum += torch::softmax(net->forward(v.contiguous()), 1);
  return sum / static_cast<double>(views.size());
}

EvalResult evaluate_dataset(EmotionNet& net, const Normalisation& norm, const FaceDataset& data, const EvalOptions& opt) {
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
      torch::Tensor probs = predict_probs(net, x, opt.tta);
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

}  // namespace moodtune
