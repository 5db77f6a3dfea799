#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "common/emotions.h"
#include "training/report.h"
#include "training/trainer.h"
#include "vision/test_frame.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

namespace moodtune::cli {

void add_demo_video_command(CLI::App* data, int& exit_code);

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
  add_demo_video_command(cmd, exit_code);
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

void add_demo_video_command(CLI::App* data, int& exit_code) {
  struct Opts {
    std::string fer, out = "demo.avi";
    int seconds_per_face = 2, fps = 15;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = data->add_subcommand("demo-video", "Make a demo clip: one FER2013 validation face per emotion in a 640x480 frame");
  cmd->add_option("--fer", o->fer, "FER2013 folder with val/<class>/ (scripts/fer2013.sh prints it)")->required();
  cmd->add_option("--out", o->out, "Output video (MJPEG in AVI)")->capture_default_str();
  cmd->add_option("--seconds", o->seconds_per_face, "Seconds per face")->capture_default_str();
  cmd->callback([o, &exit_code] {
    namespace fs = std::filesystem;
    cv::VideoWriter w(o->out, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), o->fps, cv::Size(640, 480));
    if (!w.isOpened()) {
      std::cerr << "error: cannot write video " << o->out << "\n";
      exit_code = 2;
      return;
    }
    int n = 0;
    for (const auto& cls : default_class_names()) {
      fs::path dir = fs::path(o->fer) / "val" / cls;
      if (!fs::is_directory(dir)) continue;
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      cv::Mat face = files.empty() ? cv::Mat() : cv::imread(files.front().string(), cv::IMREAD_GRAYSCALE);
      if (face.empty()) continue;
      cv::Mat frame = compose_frame({face}, {640, 480}, static_cast<uint32_t>(++n)).image;
      for (int i = 0; i < o->seconds_per_face * o->fps; ++i) w.write(frame);
      std::cout << "  " << cls << ": " << files.front().string() << "\n";
    }
    if (n == 0) {
      std::cerr << "error: no faces under " << o->fer << "/val/<class>/\n";
      exit_code = 2;
      return;
    }
    std::cout << "wrote " << o->out << " (" << n << " faces, " << n * o->seconds_per_face << " s)\n";
    exit_code = 0;
  });
}

}  // namespace moodtune::cli
