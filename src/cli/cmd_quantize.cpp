// quantize: an int8 copy of a float model (smaller file, faster on CPUs),
// calibrated on real faces. See vision/model_tools.h and docs/edge.md.
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "vision/model_tools.h"

namespace moodtune::cli {

void add_quantize_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("quantize", "Make an int8 model (smaller, faster on CPUs) from a float one");
  auto p = std::make_shared<QuantizeFileParams>();
  p->model = default_model_path();
  cmd->add_option("--model", p->model, "The float model to quantize")->capture_default_str();
  cmd->add_option("--out", p->out, "Where to write the int8 model")->required();
  cmd->add_option("--calibration", p->calibration,
                  "Folder of face crops (any depth, e.g. a training split) to set the activation ranges; default: "
                  "the training data the model names, if it is on this machine");
  cmd->add_option("--images", p->images, "Calibration faces to use, spread over the folder")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--observer", p->quantize.observer, "Activation range: percentile or minmax")
      ->capture_default_str()
      ->check(CLI::IsMember({"percentile", "minmax"}));
  cmd->add_option("--percentile", p->quantize.percentile, "Share of activation values inside the range (percentile)")
      ->capture_default_str()
      ->check(CLI::Range(50.0, 100.0));
  cmd->callback([p, &exit_code] {
    guarded(exit_code, [&] {
      const QuantizeFileReport r = quantize_model_file(*p);
      for (const auto& u : r.unreadable) std::cerr << "warning: skipped " << u << "\n";
      std::printf("int8 model written to %s (%.1f MB; the float model: %.1f MB)\n", p->out.c_str(),
                  static_cast<double>(r.out_bytes) / 1e6, static_cast<double>(r.model_bytes) / 1e6);
      std::printf(
          "calibrated on %lld faces from %s%s; same top emotion as the float model on %.1f%% of them\n",
          static_cast<long long>(r.faces), r.calibration.c_str(),
          r.unreadable.empty() ? "" : (" (" + std::to_string(r.unreadable.size()) + " unreadable skipped)").c_str(),
          100.0 * r.agreement);
      std::printf("check its accuracy: moodtune evaluate --model %s --data DIR\n", p->out.c_str());
      return 0;
    });
  });
}

}  // namespace moodtune::cli
