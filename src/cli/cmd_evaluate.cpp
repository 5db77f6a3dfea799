#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "training/folder_evaluation.h"

namespace moodtune::cli {

void add_evaluate_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("evaluate", "Measure a model on a class-folder tree (DIR/<class>/*)");
  struct Opts {
    FolderEvaluationParams p;
    std::string json_path;
  };
  auto o = std::make_shared<Opts>();
  o->p.model = default_model_path();
  cmd->add_option("--data", o->p.data, "Folder with one sub-folder per class")->required();
  cmd->add_option("--model", o->p.model, kModelOptionHelp)->capture_default_str();
  cmd->add_flag("--detect", o->p.detect, "Run the face detector on whole photos first");
  add_detector_options(cmd, o->p.detector);
  cmd->add_flag("--tta", o->p.tta, "Test-time augmentation: flip and small shifts averaged");
  cmd->add_flag("--lighting", o->p.lighting,
                "Also report accuracy under darkening, brightening, low contrast and gamma");
  cmd->add_option("--unseen-by", o->p.unseen_by,
                  "Training folder: leave out images whose pixels equal one there (faces the model never saw)");
  cmd->add_option("--against", o->p.against,
                  "Another model (or a,b ensemble) to compare with image by image: differences with 95% intervals "
                  "and McNemar's test");
  cmd->add_option("--json", o->json_path, "Write the metrics as JSON to this file");
  add_baseline_option(cmd, o->p.baseline);
  cmd->callback([o, &exit_code] {
    guarded(exit_code, [&] {
      const FolderEvaluation r = evaluate_folder(o->p);
      for (const auto& p : r.problems) std::cerr << "warning: " << p << "\n";
      if (!o->p.unseen_by.empty())
        std::cout << "left out " << r.seen_left_out << " image(s) also found in " << o->p.unseen_by << "\n";
      std::cout << r.metrics.table(r.classes) << r.metrics.confusion_table(r.classes);
      if (o->p.detect)
        std::cout << "no face found in " << r.no_face << " of " << r.metrics.n << " images (counted as wrong)\n";
      if (r.baseline_photos > 0)
        std::printf(
            "calibrated to %d baseline photo(s): accuracy %.4f (without: %.4f), balanced %.4f (without: %.4f)\n",
            r.baseline_photos, r.metrics.accuracy, r.uncalibrated.accuracy, r.metrics.balanced_accuracy,
            r.uncalibrated.balanced_accuracy);
      if (r.comparison)
        std::cout << "against " << o->p.against << " (A) -> this model (B), on the same images\n"
                  << r.comparison->table(r.classes);
      if (!r.lighting.empty()) {
        std::cout << "lighting robustness (accuracy, drop in points)\n";
        for (const auto& l : r.lighting)
          std::printf("  %-34s %.4f  %+.2f\n", l.condition.c_str(), l.accuracy, -l.drop * 100);
      }
      if (!o->json_path.empty()) write_json(o->json_path, r.to_json());
      return r.problems.empty() ? 0 : 1;
    });
  });
}

}  // namespace moodtune::cli
