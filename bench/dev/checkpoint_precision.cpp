// moodtune-dev checkpoint-precision: a training checkpoint's .pt files
// rewritten at half precision (to carry an unfinished run in the
// repository under the size limit) and back to float before it resumes.
// scripts/training-checkpoint.sh runs it; it is not part of the product.
//
//   moodtune-dev checkpoint-precision --to half RUN/checkpoint/epoch-36.*.pt
//   moodtune-dev checkpoint-precision --to float RUN/checkpoint/epoch-36.*.pt
#include <iostream>

#include "cli/commands.h"
#include "dev/dev_commands.h"
#include "kit/checkpoint_precision.h"

namespace moodtune::dev {

void add_checkpoint_precision(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("checkpoint-precision", "Rewrite checkpoint .pt files at half or float precision");
  auto files = std::make_shared<std::vector<std::string>>();
  auto to = std::make_shared<std::string>();
  cmd->add_option("files", *files, "Archives to rewrite in place")->required()->check(CLI::ExistingFile);
  cmd->add_option("--to", *to, "half: float32 tensors become float16; float: back")
      ->required()
      ->check(CLI::IsMember({"half", "float"}));
  cmd->callback([files, to, &exit_code] {
    cli::guarded(exit_code, [&] {
      const bool half = *to == "half";
      for (const auto& f : *files) {
        const int n = kit::convert_archive_precision(f, f, half ? torch::kFloat : torch::kHalf,
                                                     half ? torch::kHalf : torch::kFloat);
        std::cout << f << ": " << n << " tensors to " << *to << "\n";
      }
      return 0;
    });
  });
}

}  // namespace moodtune::dev
