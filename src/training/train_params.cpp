// The training parameters as runs and model files record them.
#include "common/home_path.h"
#include "training/trainer.h"

namespace moodtune {
using json = nlohmann::json;

json train_params_to_json(const TrainParams& p) {
  const AugmentParams& a = p.augment;
  return {{"data", p.data},
          {"level_eyes", p.level_eyes},
          {"arch", p.net.arch},
          {"width", p.net.width},
          {"dropout", p.net.dropout},
          {"input_size", p.net.input_size},
          {"epochs", p.epochs},
          {"batch_size", p.batch_size},
          {"optimizer", p.optimizer},
          {"lr", p.lr},
          {"momentum", p.momentum},
          {"weight_decay", p.weight_decay},
          {"schedule", p.schedule},
          {"warmup_fraction", p.warmup_fraction},
          {"plateau_factor", p.plateau_factor},
          {"plateau_patience", p.plateau_patience},
          {"label_smoothing", p.label_smoothing},
          {"balance", p.balance},
          {"oversample_to", p.oversample_to},
          {"early_stop_patience", p.early_stop_patience},
          {"seed", p.seed},
          {"threads", p.threads},
          {"init_model", p.init_model},
          {"freeze_backbone", p.freeze_backbone},
          {"max_per_class", p.max_per_class},
          {"augment",
           {{"enabled", a.enabled},
            {"flip", a.flip},
            {"rotate_deg", a.rotate_deg},
            {"scale", a.scale},
            {"shift", a.shift},
            {"brightness", a.brightness},
            {"contrast", a.contrast},
            {"gamma", a.gamma},
            {"erase_prob", a.erase_prob}}},
          {"mix", mix_mode_name(p.mix.mode)},
          {"mix_alpha", p.mix.alpha},
          {"mix_prob", p.mix.prob},
          {"teacher", p.distill.teacher},
          {"distill_weight", p.distill.weight},
          {"distill_temperature", p.distill.temperature}};
}

json train_params_for_model_file(const TrainParams& p) {
  json j = train_params_to_json(p);
  for (const char* key : {"data", "init_model", "teacher"}) j[key] = tilde_home(j[key].get<std::string>());
  return j;
}

}  // namespace moodtune
