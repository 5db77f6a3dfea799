// rebalance: a copy of a model whose decisions are adjusted for the class
// distribution it was trained on (vision/rebalance.h, docs/training.md).
#include <cstdio>

#include "cli/commands.h"
#include "vision/model_tools.h"

namespace moodtune::cli {

void add_rebalance_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "rebalance", "Adjust a model for the class imbalance it was trained on (fewer frequent-class guesses)");
  auto p = std::make_shared<RebalanceFileParams>();
  p->model = default_model_path();
  cmd->add_option("--model", p->model, "The float model to adjust")->capture_default_str();
  cmd->add_option("--out", p->out, "Where to write the adjusted model")->required();
  cmd->add_option("--strength", p->rebalance.strength,
                  "0 = unchanged, 1 = the full adjustment (logits - strength * log prior)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 2.0));
  cmd->add_option("--class-prior", p->rebalance.class_prior,
                  "Training counts or shares per class, comma-separated in the model's class order; default: what "
                  "the model records")
      ->delimiter(',');
  cmd->callback([p, &exit_code] {
    guarded(exit_code, [&] {
      rebalance_model_file(*p);
      std::printf("rebalanced model (strength %.2f) written to %s\n", p->rebalance.strength, p->out.c_str());
      std::printf("check its accuracy: moodtune evaluate --model %s --data DIR\n", p->out.c_str());
      return 0;
    });
  });
}

}  // namespace moodtune::cli
