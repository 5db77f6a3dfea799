// optimizer.h — the optimiser and learning-rate schedule of a training run.
//
//   auto opt = moodtune::make_optimizer("sgd", params, 0.05, 0.9, 5e-4);
//   for (step...) moodtune::set_learning_rate(*opt, moodtune::scheduled_lr(p, step, total));
//
// One-cycle follows Smith & Topin (2017); the shapes of all schedules are in
// docs/training.md. Pure functions apart from the optimiser they build.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace moodtune {

struct TrainParams;

// "sgd" (Nesterov momentum) or "adamw"; throws std::invalid_argument otherwise.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::string& kind, std::vector<torch::Tensor> params,
                                                        double lr, double momentum, double weight_decay);
void set_learning_rate(torch::optim::Optimizer& opt, double lr);
// Learning rate at a global step for onecycle/cosine/constant (plateau:
// the peak, scaled by the caller). Throws std::invalid_argument for an
// unknown schedule.
double scheduled_lr(const TrainParams& p, int64_t step, int64_t total_steps);

}  // namespace moodtune
