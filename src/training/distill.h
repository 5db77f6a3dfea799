// distill.h — knowledge distillation: the student learns the soft class
// probabilities of a teacher (one model or an ensemble) as well as the
// labels (Hinton, Vinyals & Dean, "Distilling the Knowledge in a Neural
// Network", 2015).
//
//   moodtune::DistillParams dp;  dp.teacher = "models/default.mtm,models/fer-e100.mtm";
//   moodtune::Distiller d(dp, student_info);             // loads the teacher; throws if it does not fit
//   torch::Tensor soft = d.loss(student_logits, x, norm); // x: the batch as the student sees it (norm)
//   loss = (1 - dp.weight) * hard + dp.weight * soft;
//
// The teacher sees the same (augmented, mixed) images as the student, so
// its soft targets fit CutMix/MixUp batches without a label rule. Its own
// normalisation is applied. Not thread-safe (one trainer at a time).
#pragma once
#include <torch/torch.h>

#include <string>

#include "vision/model_file.h"

namespace moodtune {

struct DistillParams {
  std::string teacher;         // model file(s), comma-separated; empty = no distillation
  double weight = 0.5;         // share of the soft loss in the total (0..1)
  double temperature = 2.0;    // softens both distributions (> 0)
};

// Throws std::invalid_argument for a weight outside [0,1] or a temperature <= 0.
void check_distill_params(const DistillParams& p);

class Distiller {
 public:
  // Throws std::invalid_argument when the teacher's classes (names, order)
  // or input size differ from the student's, or the parameters are out of range.
  Distiller(const DistillParams& p, const ModelInfo& student);
  // T^2 * KL(teacher || student) at temperature T, mean over the batch;
  // `x` is normalised with the student's normalisation.
  torch::Tensor loss(const torch::Tensor& student_logits, const torch::Tensor& x, const Normalisation& student_norm);

 private:
  DistillParams p_;
  LoadedModel teacher_;
};

}  // namespace moodtune
