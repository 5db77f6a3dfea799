// rebalance: a copy of a model whose decisions are adjusted for the class
// distribution it was trained on (vision/rebalance.h, docs/training.md).
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "vision/rebalance.h"

namespace moodtune::cli {
namespace fs = std::filesystem;

void add_rebalance_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "rebalance", "Adjust a model for the class imbalance it was trained on (fewer frequent-class guesses)");
  struct Opts {
    std::string model = default_model_path(), out;
    RebalanceParams p;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--model", o->model, "The float model to adjust")->capture_default_str();
  cmd->add_option("--out", o->out, "Where to write the adjusted model")->required();
  cmd->add_option("--strength", o->p.strength, "0 = unchanged, 1 = the full adjustment (logits - strength * log prior)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 2.0));
  cmd->add_option("--class-prior", o->p.class_prior,
                  "Training counts or shares per class, comma-separated in the model's class order; default: what "
                  "the model records")
      ->delimiter(',');
  cmd->callback([o, &exit_code] {
    guarded(exit_code, [&] {
      refuse_overwriting_input(o->model, o->out);
      LoadedModel m = load_model_file(o->model);
      rebalance_model(m, o->p);
      m.info.meta["rebalanced"]["from"] = fs::path(o->model).filename().string();
      save_model_file(o->out, m.net, m.info);
      std::printf("rebalanced model (strength %.2f) written to %s\n", o->p.strength, o->out.c_str());
      std::printf("check its accuracy: moodtune evaluate --model %s --data DIR\n", o->out.c_str());
      return 0;
    });
  });
}

}  // namespace moodtune::cli
