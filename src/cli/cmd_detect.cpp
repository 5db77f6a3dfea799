#include <filesystem>
#include <iostream>
#include <opencv2/imgcodecs.hpp>

#include "cli/commands.h"
#include "server/api_json.h"
#include "vision/image_io.h"
#include "vision/pipeline.h"

namespace moodtune::cli {

void add_detect_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("detect", "Find faces in images and name the emotion each shows");
  struct Opts {
    std::vector<std::string> images;
    std::string model = default_model_path();
    DetectorParams det;
    std::string annotate, baseline;
    bool json = false, tta = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("images", o->images, "Image files")->required();
  cmd->add_option("--model", o->model, kModelOptionHelp)->capture_default_str();
  add_detector_options(cmd, o->det);
  add_baseline_option(cmd, o->baseline);
  cmd->add_option("--annotate", o->annotate, "Write a copy of each image with boxes and labels into this folder");
  cmd->add_flag("--json", o->json, "One JSON document on stdout");
  cmd->add_flag("--tta", o->tta, "Test-time augmentation (slower, slightly more accurate)");
  cmd->callback([o, &exit_code] {
    guarded(exit_code, [&] {
      PipelineParams pp;
      pp.detector = o->det;
      pp.tta = o->tta;
      std::unique_ptr<EmotionPipeline> pipe;
      pipe = std::make_unique<EmotionPipeline>(EmotionClassifier::load(o->model), pp);
      const int baseline_faces = apply_baseline(*pipe, o->baseline);
      if (!o->annotate.empty()) std::filesystem::create_directories(o->annotate);
      const auto& classes = pipe->classifier().classes();
      nlohmann::json head = {{"model", o->model}, {"detector", pipe->detector_name()}};
      if (baseline_faces > 0) head["baseline"] = {{"path", o->baseline}, {"photos", baseline_faces}};
      return for_each_image(o->images, o->json, head, [&](const std::string& path, nlohmann::json& ij) {
        cv::Mat img = read_image(path);
        FrameResult r = pipe->process(img);
        ij["width"] = img.cols;
        ij["height"] = img.rows;
        ij["faces"] = nlohmann::json::array();
        if (!o->json) std::cout << path << ": " << r.faces.size() << (r.faces.size() == 1 ? " face" : " faces") << "\n";
        for (const FaceResult& f : r.faces) {
          ij["faces"].push_back({{"box", {{"x", f.box.x}, {"y", f.box.y}, {"w", f.box.width}, {"h", f.box.height}}},
                                 {"emotion", classes[static_cast<size_t>(f.emotion)]},
                                 {"confidence", f.probs[static_cast<size_t>(f.emotion)]},
                                 {"probs", probs_json(f.probs, classes)},
                                 {"quality", quality_json(f.quality)},
                                 {"calibrated", f.calibrated}});
          if (!o->json)
            std::cout << "  box " << f.box.x << "," << f.box.y << " " << f.box.width << "x" << f.box.height << "  "
                      << probs_text(f.probs, classes) << (f.calibrated ? "  (calibrated)" : "")
                      << (f.quality.ok() ? "" : "  (" + f.quality.hint() + ")") << "\n";
        }
        if (!o->annotate.empty()) {
          draw_faces(img, r.faces, classes);
          std::string dst = (std::filesystem::path(o->annotate) / std::filesystem::path(path).filename()).string();
          write_image(dst, img);
          ij["annotated"] = dst;
        }
      });
    });
  });
}

}  // namespace moodtune::cli
