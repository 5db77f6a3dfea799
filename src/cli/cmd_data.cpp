#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "training/report.h"
#include "training/trainer.h"

namespace moodtune::cli {

void add_data_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("data", "Inspect training data");
  cmd->require_subcommand(1);
  struct Opts {
    std::string data, out = "data-stats", balance = "oversample";
    double oversample_to = TrainParams{}.oversample_to;
  };
  auto o = std::make_shared<Opts>();
  auto* stats = cmd->add_subcommand("stats", "Class distribution per split, before and after resampling (table + PNG)");
  stats->add_option("--data", o->data, "Folder with train/ and val/, or a FER2013 CSV")->required();
  stats->add_option("--out", o->out, "Folder for class_distribution.png")->capture_default_str();
  stats->add_option("--balance", o->balance, "oversample | weights | none")->capture_default_str();
  stats->add_option("--oversample-to", o->oversample_to, "Share of the largest class")->capture_default_str();
  stats->callback([o, &exit_code] {
    try {
      LoadReport rep;
      DataSplits d = load_splits(o->data, 48, rep);
      for (const auto& p : rep.problems) std::cerr << "warning: " << p << "\n";
      auto counts = d.train.class_counts();
      nlohmann::json j = {{"classes", d.train.classes}, {"train", counts},
                          {"train_resampled", resampled_counts(counts, o->balance, o->oversample_to)},
                          {"val", d.val.class_counts()}, {"balance", o->balance}};
      std::filesystem::create_directories(o->out);
      std::string png = (std::filesystem::path(o->out) / "class_distribution.png").string();
      std::cout << write_class_distribution(j, png) << "picture: " << png << "\n";
      exit_code = rep.problems.empty() ? 0 : 1;
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      exit_code = 2;
    }
  });
}

}  // namespace moodtune::cli
