#include "training/distill.h"

#include <stdexcept>

namespace moodtune {

void check_distill_params(const DistillParams& p) {
  if (p.weight < 0 || p.weight > 1) throw std::invalid_argument("--distill-weight must be in [0,1]");
  if (!(p.temperature > 0)) throw std::invalid_argument("--distill-temperature must be positive");
}

Distiller::Distiller(const DistillParams& p, const ModelInfo& student) : p_(p) {
  check_distill_params(p);
  teacher_ = load_models(p.teacher);
  if (teacher_.info.classes != student.classes)
    throw std::invalid_argument(p.teacher + ": the teacher's classes differ from the training data's (names and order)");
  if (teacher_.info.net.input_size != student.net.input_size)
    throw std::invalid_argument(p.teacher + ": the teacher's input size " + std::to_string(teacher_.info.net.input_size) +
                                " differs from the student's " + std::to_string(student.net.input_size));
  teacher_.net->eval();
}

torch::Tensor Distiller::loss(const torch::Tensor& student_logits, const torch::Tensor& x,
                              const Normalisation& student_norm) {
  torch::Tensor soft_target;
  {
    torch::NoGradGuard no_grad;
    // Undo the student's normalisation, apply the teacher's.
    const Normalisation& tn = teacher_.info.norm;
    const torch::Tensor xt = (x * student_norm.std + student_norm.mean - tn.mean) / tn.std;
    soft_target = torch::softmax(teacher_.net->forward(xt) / p_.temperature, 1);
  }
  const torch::Tensor log_student = torch::log_softmax(student_logits / p_.temperature, 1);
  const torch::Tensor kl = (soft_target * (torch::log(soft_target.clamp_min(1e-8)) - log_student)).sum(1).mean();
  return kl * (p_.temperature * p_.temperature);
}

}  // namespace moodtune
