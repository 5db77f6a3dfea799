// rebalance: a copy of a model whose decisions are adjusted for the class
// distribution it was trained on (vision/rebalance.h, docs/training.md).
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "cli/commands.h"
#include "vision/rebalance.h"

namespace moodtune::cli {
namespace fs = std::filesystem;

void add_rebalance_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "rebalance", "Adjust a model for the class imbalance it was trained on (fewer frequent-class guesses)");
  struct Opts {
    std::string model = default_model_path(), out, prior;
    RebalanceParams p;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--model", o->model, "The float model to adjust")->capture_default_str();
  cmd->add_option("--out", o->out, "Where to write the adjusted model")->required();
  cmd->add_option("--strength", o->p.strength, "0 = unchanged, 1 = the full adjustment (logits - strength * log prior)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 2.0));
  cmd->add_option("--class-prior", o->prior,
                  "Training counts or shares per class, comma-separated in the model's class order; default: what "
                  "the model records");
  cmd->callback([o, &exit_code] {
    guarded(exit_code, [&] {
      std::error_code ec;
      if (fs::exists(o->out, ec) && fs::equivalent(o->model, o->out, ec))
        throw std::invalid_argument("--out is the input model: write the adjusted model to a new file");
      std::stringstream ss(o->prior);
      for (std::string v; std::getline(ss, v, ',');) {
        try {
          size_t used = 0;
          o->p.class_prior.push_back(std::stod(v, &used));
          if (used != v.size()) throw std::invalid_argument(v);
        } catch (const std::exception&) {
          throw std::invalid_argument("--class-prior: '" + v + "' is not a number");
        }
      }
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
