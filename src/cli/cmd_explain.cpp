// explain: a Grad-CAM heat map per face, over the photo, showing where the
// model found the evidence for the emotion it named (or the one asked for).
#include <filesystem>
#include <iostream>
#include <opencv2/imgcodecs.hpp>

#include "cli/commands.h"
#include "common/split.h"
#include "vision/explain.h"
#include "vision/image_io.h"

namespace moodtune::cli {
namespace fs = std::filesystem;

void add_explain_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("explain", "Heat maps of where the model looked for each face's emotion (Grad-CAM)");
  struct Opts {
    std::vector<std::string> images;
    std::string model = default_model_path(), out, cls;
    DetectorParams det;
    bool json = false, whole = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("images", o->images, "Image files")->required();
  cmd->add_option("--out", o->out, "Folder for the heat-map pictures (PNG, one per face)")->required();
  cmd->add_option("--class", o->cls, "Explain this emotion instead of the predicted one");
  cmd->add_flag("--whole-image", o->whole, "Each image is one face crop (like `evaluate` without --detect)");
  cmd->add_flag("--json", o->json, "One JSON document on stdout");
  cmd->add_option("--model", o->model, kModelOptionHelp)->capture_default_str();
  add_detector_options(cmd, o->det);
  cmd->callback([o, &exit_code] {
    guarded(exit_code, [&] {
      PipelineParams pp;
      pp.detector = o->det;
      EmotionPipeline pipe(EmotionClassifier::load(o->model), pp);
      if (pipe.classifier().info().precision == "int8")
        throw std::invalid_argument(o->model +
                                    " is an int8 model, which has no gradients to explain with: use the float model "
                                    "it was quantized from (e.g. models/default.mtm)");
      const auto& classes = pipe.classifier().classes();
      ExplainParams ep;
      if (!o->cls.empty()) {
        const auto it = std::find(classes.begin(), classes.end(), o->cls);
        if (it == classes.end())
          throw std::invalid_argument("unknown class '" + o->cls + "' (this model's: " + join(classes, ", ") + ")");
        ep.class_index = static_cast<int>(it - classes.begin());
      }
      fs::create_directories(o->out);
      return for_each_image(
          o->images, o->json, {{"model", o->model}}, [&](const std::string& path, nlohmann::json& ij) {
            ij["faces"] = nlohmann::json::array();
            const cv::Mat img = read_image(path);
            const auto faces = explain_image(pipe, img, ep, o->whole);
            if (faces.empty()) throw std::runtime_error(path + ": no face found (try --whole-image for a face crop)");
            for (size_t i = 0; i < faces.size(); ++i) {
              const FaceExplanation& f = faces[i];
              const std::string dst =
                  (fs::path(o->out) / (fs::path(path).stem().string() + "-face" + std::to_string(i + 1) + ".png"))
                      .string();
              write_image(dst, draw_explanation(img, f.box, o->whole ? 0.0f : pipe.margin(), f.why, classes));
              const std::string& name = classes[static_cast<size_t>(f.why.class_index)];
              const float prob = f.why.probs[static_cast<size_t>(f.why.class_index)];
              ij["faces"].push_back({{"box", {{"x", f.box.x}, {"y", f.box.y}, {"w", f.box.width}, {"h", f.box.height}}},
                                     {"class", name},
                                     {"probability", prob},
                                     {"predicted", classes[static_cast<size_t>(top_class(f.why.probs))]},
                                     {"weak_evidence", f.why.weak},
                                     {"heat_map", dst}});
              if (!o->json)
                std::cout << path << ": face " << i + 1 << " at " << f.box.x << "," << f.box.y << " " << f.box.width
                          << "x" << f.box.height << ": " << name << " " << static_cast<int>(prob * 100 + 0.5f)
                          << "% -> " << dst << "\n";
            }
          });
    });
  });
}

}  // namespace moodtune::cli
