#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "common/emotions.h"
#include "training/report.h"
#include "training/trainer.h"
#include "vision/test_frame.h"

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "vision/face_crop.h"
#include "vision/pipeline.h"

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

namespace {
// Y4M (raw 4:2:0 frames) is what Chromium's fake camera reads.
class Y4mWriter {
 public:
  Y4mWriter(const std::string& path, cv::Size size, int fps) : out_(path, std::ios::binary) {
    out_ << "YUV4MPEG2 W" << size.width << " H" << size.height << " F" << fps << ":1 Ip A1:1 C420jpeg\n";
  }
  bool ok() const { return static_cast<bool>(out_); }
  void write(const cv::Mat& bgr) {
    cv::Mat yuv;
    cv::cvtColor(bgr, yuv, cv::COLOR_BGR2YUV_I420);
    out_ << "FRAME\n";
    out_.write(reinterpret_cast<const char*>(yuv.data), static_cast<std::streamsize>(yuv.total() * yuv.elemSize()));
  }

 private:
  std::ofstream out_;
};
}  // namespace

namespace {
// One emotion's face for the demo clip, composed into its frame. Without a
// model: the first readable file. With one: the faces the model reads as
// `cls` on their own, most confident first (one batch over the first 300),
// checked through the whole pipeline on the composed frame (the detector
// must find the face and the model still agree): the first at 80% or more,
// else the best of the ten checked, so a model with softer outputs still
// gets every emotion. An empty frame: none qualified.
struct DemoFace {
  cv::Mat frame;
  std::filesystem::path file;
  float confidence = -1;
};

DemoFace pick_demo_face(const std::vector<std::filesystem::path>& files, const std::string& cls,
                        const EmotionClassifier* clf, EmotionPipeline* pipeline, uint32_t seed) {
  std::vector<cv::Mat> faces;
  std::vector<size_t> file_of;
  for (size_t i = 0; i < files.size() && faces.size() < (pipeline ? 300u : 1u); ++i) {
    cv::Mat f = cv::imread(files[i].string(), cv::IMREAD_GRAYSCALE);
    if (f.empty()) continue;
    faces.push_back(f);
    file_of.push_back(i);
  }
  std::vector<std::pair<float, size_t>> order;  // (confidence on the face alone, index)
  if (!pipeline) {
    if (!faces.empty()) order.push_back({1.0f, 0});
  } else if (!faces.empty()) {
    std::vector<cv::Mat> crops;
    for (const auto& f : faces) crops.push_back(prepare_for_model(f, clf->preprocess()));
    const auto probs = clf->classify(crops);
    for (size_t i = 0; i < probs.size(); ++i) {
      const int top = top_class(probs[i]);
      if (clf->classes()[static_cast<size_t>(top)] == cls) order.push_back({probs[i][static_cast<size_t>(top)], i});
    }
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    if (order.size() > 10) order.resize(10);
  }
  DemoFace best;
  for (size_t k = 0; k < order.size() && best.confidence < 0.8f; ++k) {
    const size_t i = order[k].second;
    cv::Mat frame = compose_frame({faces[i]}, {640, 480}, seed).image;
    float confidence = 1;
    if (pipeline) {
      auto found = pipeline->process(frame).faces;
      if (found.size() != 1) continue;
      const Probs& p = found.front().probs;
      const int top = top_class(p);
      if (clf->classes()[static_cast<size_t>(top)] != cls) continue;
      confidence = p[static_cast<size_t>(top)];
    }
    if (confidence > best.confidence) best = {frame, files[file_of[i]], confidence};
  }
  return best;
}
}  // namespace

void add_demo_video_command(CLI::App* data, int& exit_code) {
  struct Opts {
    std::string fer, out = "demo.avi", model;
    std::vector<std::string> emotions;
    int seconds_per_face = 2, fps = 15;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = data->add_subcommand("demo-video",
                                   "Make a demo clip: FER2013 validation faces in a 640x480 frame, one per emotion");
  cmd->add_option("--fer", o->fer, "FER2013 folder with val/<class>/ (scripts/fer2013.sh prints it)")->required();
  cmd->add_option("--out", o->out, "Output video: .avi (MJPEG) or .y4m (raw, for Chromium's fake camera)")
      ->capture_default_str();
  cmd->add_option("--seconds", o->seconds_per_face, "Seconds per face")->capture_default_str();
  cmd->add_option("--fps", o->fps, "Frames per second")->capture_default_str();
  cmd->add_option("--emotions", o->emotions, "Emotions in order (default: all 7)")->delimiter(',');
  cmd->add_option("--model", o->model,
                  "Pick, per emotion, the first face this model recognises confidently (a clear demo), "
                  "instead of the first file");
  cmd->callback([o, &exit_code] {
    namespace fs = std::filesystem;
    const bool y4m = fs::path(o->out).extension() == ".y4m";
    std::unique_ptr<Y4mWriter> yw;
    cv::VideoWriter w;
    if (y4m)
      yw = std::make_unique<Y4mWriter>(o->out, cv::Size(640, 480), o->fps);
    else
      w.open(o->out, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), o->fps, cv::Size(640, 480));
    if (y4m ? !yw->ok() : !w.isOpened()) {
      std::cerr << "error: cannot write video " << o->out << "\n";
      exit_code = 2;
      return;
    }
    std::shared_ptr<const EmotionClassifier> clf;
    std::unique_ptr<EmotionPipeline> pipeline;
    if (!o->model.empty()) {
      clf = EmotionClassifier::load(o->model);
      pipeline = std::make_unique<EmotionPipeline>(clf);
    }
    std::vector<std::string> emotions = o->emotions.empty() ? default_class_names() : o->emotions;
    int n = 0;
    for (const auto& cls : emotions) {
      fs::path dir = fs::path(o->fer) / "val" / cls;
      if (emotion_index(cls) < 0 || !fs::is_directory(dir)) {
        std::cerr << "error: no faces for '" << cls << "' under " << dir.string() << "\n";
        exit_code = 2;
        return;
      }
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      const DemoFace pick = pick_demo_face(files, cls, clf.get(), pipeline.get(), static_cast<uint32_t>(n + 1));
      if (pick.frame.empty()) {  // a demo missing an emotion would mislead: say so
        std::cerr << "warning: no face of '" << cls << "' in the first 300 of " << dir.string()
                  << (pipeline ? " that the detector finds and the model reads as " + cls : std::string(" is readable"))
                  << "; left out\n";
        continue;
      }
      ++n;
      for (int i = 0; i < o->seconds_per_face * o->fps; ++i) {
        if (yw)
          yw->write(pick.frame);
        else
          w.write(pick.frame);
      }
      std::cout << "  " << cls << ": " << pick.file.string();
      if (pipeline) std::cout << " (" << static_cast<int>(std::lround(pick.confidence * 100)) << "%)";
      std::cout << "\n";
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
