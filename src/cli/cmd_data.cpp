#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "common/emotions.h"
#include "training/report.h"
#include "training/trainer.h"
#include "vision/demo_clip.h"

namespace moodtune::cli {

void add_demo_video_command(CLI::App* data, int& exit_code);

namespace {
// Read once: a TrainParams temporary inside Opts' initialiser trips GCC 12's
// -Wmaybe-uninitialized on its strings (a false positive).
const TrainParams kTrainDefaults;
}  // namespace

void add_data_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("data", "Inspect training data");
  cmd->require_subcommand(1);
  struct Opts {
    std::string data, out = "data-stats", balance = "oversample";
    double oversample_to = kTrainDefaults.oversample_to;
  };
  auto o = std::make_shared<Opts>();
  auto* stats = cmd->add_subcommand("stats", "Class distribution per split, before and after resampling (table + PNG)");
  stats->add_option("--data", o->data, "Folder with train/ and val/, or a FER2013 CSV")->required();
  stats->add_option("--out", o->out, "Folder for class_distribution.png")->capture_default_str();
  stats->add_option("--balance", o->balance, "oversample | weights | none")->capture_default_str();
  stats->add_option("--oversample-to", o->oversample_to, "Share of the largest class")->capture_default_str();
  add_demo_video_command(cmd, exit_code);
  stats->callback([o, &exit_code] {
    guarded(exit_code, [&] {
      LoadReport rep;
      DataSplits d = load_splits(o->data, 48, rep);
      for (const auto& p : rep.problems) std::cerr << "warning: " << p << "\n";
      auto counts = d.train.class_counts();
      nlohmann::json j = {{"classes", d.train.classes},
                          {"train", counts},
                          {"train_resampled", resampled_counts(counts, o->balance, o->oversample_to)},
                          {"val", d.val.class_counts()},
                          {"balance", o->balance}};
      std::filesystem::create_directories(o->out);
      std::string png = (std::filesystem::path(o->out) / "class_distribution.png").string();
      std::cout << write_class_distribution(j, png) << "picture: " << png << "\n";
      return rep.problems.empty() ? 0 : 1;
    });
  });
}

void add_demo_video_command(CLI::App* data, int& exit_code) {
  auto p = std::make_shared<DemoClipParams>();
  auto* cmd = data->add_subcommand("demo-video",
                                   "Make a demo clip: FER2013 validation faces in a 640x480 frame, one per emotion");
  cmd->add_option("--fer", p->fer, "FER2013 folder with val/<class>/ (scripts/fer2013.sh prints it)")->required();
  cmd->add_option("--out", p->out, "Output video: .avi (MJPEG) or .y4m (raw, for Chromium's fake camera)")
      ->capture_default_str();
  cmd->add_option("--seconds", p->seconds_per_face, "Seconds per face")->capture_default_str()->check(CLI::Range(1, 60));
  cmd->add_option("--fps", p->fps, "Frames per second")->capture_default_str()->check(CLI::Range(1, 60));
  cmd->add_option("--emotions", p->emotions, "Emotions in order (default: all 7)")->delimiter(',');
  cmd->add_option("--model", p->model,
                  "Pick, per emotion, the first face this model recognises confidently (a clear demo), "
                  "instead of the first file");
  cmd->callback([p, &exit_code] {
    guarded(exit_code, [&] {
      const DemoClip clip = make_demo_clip(*p);
      for (const auto& why : clip.left_out) std::cerr << "warning: " << why << "; left out\n";
      for (const auto& f : clip.faces) {
        std::cout << "  " << f.emotion << ": " << f.file;
        if (f.confidence >= 0) std::cout << " (" << static_cast<int>(std::lround(f.confidence * 100)) << "%)";
        std::cout << "\n";
      }
      std::cout << "wrote " << p->out << " (" << clip.faces.size() << " faces, " << clip.seconds << " s)\n";
      return 0;
    });
  });
}

}  // namespace moodtune::cli
