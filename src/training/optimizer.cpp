#include "training/optimizer.h"

#include <cmath>
#include <stdexcept>

#include "training/trainer.h"

namespace moodtune {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::string& kind, std::vector<torch::Tensor> params,
                                                        double lr, double momentum, double weight_decay) {
  if (kind == "sgd")
    return std::make_unique<torch::optim::SGD>(
        std::move(params), torch::optim::SGDOptions(lr).momentum(momentum).nesterov(true).weight_decay(weight_decay));
  if (kind == "adamw")
    return std::make_unique<torch::optim::AdamW>(std::move(params),
                                                 torch::optim::AdamWOptions(lr).weight_decay(weight_decay));
  throw std::invalid_argument("unknown optimizer '" + kind + "' (sgd, adamw)");
}

void set_learning_rate(torch::optim::Optimizer& opt, double lr) {
  // Every optimiser's options derive from OptimizerOptions, which carries lr.
  for (auto& g : opt.param_groups()) g.options().set_lr(lr);
}

double scheduled_lr(const TrainParams& p, int64_t step, int64_t total) {
  if (p.schedule == "constant" || p.schedule == "plateau") return p.lr;
  const double t = total > 0 ? static_cast<double>(step) / static_cast<double>(total) : 1.0;
  const double w = p.warmup_fraction;
  const double kPi = 3.14159265358979323846;
  if (p.schedule == "onecycle") {
    // Warm up from lr/25, then anneal to lr/1e4.
    const double start = p.lr / 25.0, end = p.lr / 1e4;
    if (t < w) return start + (p.lr - start) * (1 - std::cos(kPi * t / w)) / 2;
    return end + (p.lr - end) * (1 + std::cos(kPi * (t - w) / (1 - w))) / 2;
  }
  if (p.schedule == "cosine") {
    if (t < w) return p.lr * (t / w);
    return p.lr * (1 + std::cos(kPi * (t - w) / (1 - w))) / 2;
  }
  throw std::invalid_argument("unknown schedule '" + p.schedule + "' (onecycle, cosine, plateau, constant)");
}

}  // namespace moodtune
