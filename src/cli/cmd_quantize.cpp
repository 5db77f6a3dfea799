// quantize: an int8 copy of a float model (smaller file, faster on CPUs),
// calibrated on real faces. See vision/quantize.h and docs/edge.md.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "vision/image_io.h"
#include "vision/net_input.h"
#include "vision/quantize.h"

namespace moodtune::cli {
namespace fs = std::filesystem;

namespace {
// Up to `count` face crops spread evenly over every image under `dir`
// (sorted, so a class-folder tree gives each class its share).
torch::Tensor calibration_faces(const std::string& dir, int count, const ModelInfo& info, int& unreadable) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw std::invalid_argument("calibration folder " + dir + " does not exist");
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file() && is_image_file(it->path().string())) files.push_back(it->path().string());
  if (files.empty()) throw std::invalid_argument("no images in calibration folder " + dir);
  std::sort(files.begin(), files.end());
  const size_t want = std::min(files.size(), static_cast<size_t>(count));
  std::vector<cv::Mat> faces;
  unreadable = 0;
  for (size_t k = 0; k < want; ++k) {
    const std::string& f = files[k * files.size() / want];
    try {
      faces.push_back(prepare_crop(read_image(f), info.net.input_size));
    } catch (const std::exception& e) {
      ++unreadable;
      std::cerr << "warning: skipped " << e.what() << "\n";
    }
  }
  if (faces.empty()) throw std::invalid_argument("none of the calibration images in " + dir + " could be read");
  return to_input(faces, info.norm);
}

std::string megabytes(const std::string& path) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(fs::file_size(path)) / 1e6);
  return buf;
}
}  // namespace

void add_quantize_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("quantize", "Make an int8 model (smaller, faster on CPUs) from a float one");
  struct Opts {
    std::string model = default_model_path(), out, calibration;
    int images = 1000;
    QuantizeParams q;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--model", o->model, "The float model to quantize")->capture_default_str();
  cmd->add_option("--out", o->out, "Where to write the int8 model")->required();
  cmd->add_option("--calibration", o->calibration,
                  "Folder of face crops (any depth, e.g. a training split) to set the activation ranges; default: "
                  "the training data the model names, if it is on this machine");
  cmd->add_option("--images", o->images, "Calibration faces to use, spread over the folder")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--observer", o->q.observer, "Activation range: percentile or minmax")
      ->capture_default_str()
      ->check(CLI::IsMember({"percentile", "minmax"}));
  cmd->add_option("--percentile", o->q.percentile, "Share of activation values inside the range (percentile)")
      ->capture_default_str()
      ->check(CLI::Range(50.0, 100.0));
  cmd->callback([o, &exit_code] {
    guarded(exit_code, [&] {
      if (o->model.find(',') != std::string::npos)
        throw std::invalid_argument(
            "quantize one model at a time: quantize each member of an ensemble, then list "
            "the int8 files with commas");
      LoadedModel in = load_model_file(o->model);
      if (in.info.precision == "int8") throw std::invalid_argument(o->model + " is int8 already");
      refuse_overwriting_input(o->model, o->out);
      std::error_code ec;
      std::string calib = o->calibration;
      if (calib.empty()) {
        calib = in.info.meta.value("train_data", "");
        if (calib.empty() || !fs::is_directory(calib, ec))
          throw std::invalid_argument("give --calibration DIR (a folder of face crops, e.g. a training split): " +
                                      (calib.empty() ? std::string("the model names no training data")
                                                     : "its training data " + calib + " is not on this machine"));
      }
      int unreadable = 0;
      torch::Tensor faces = calibration_faces(calib, o->images, in.info, unreadable);
      QuantizeResult r = quantize_model(in, faces, o->q);
      r.model.info.meta["quantization"]["from"] = fs::path(o->model).filename().string();
      r.model.info.meta["quantization"]["calibration_data"] = calib;
      save_model_file(o->out, r.model.net, r.model.info);
      std::printf("int8 model written to %s (%s; the float model: %s)\n", o->out.c_str(), megabytes(o->out).c_str(),
                  megabytes(o->model).c_str());
      std::printf("calibrated on %lld faces from %s%s; same top emotion as the float model on %.1f%% of them\n",
                  static_cast<long long>(r.faces), calib.c_str(),
                  unreadable ? (" (" + std::to_string(unreadable) + " unreadable skipped)").c_str() : "",
                  100.0 * r.agreement);
      std::printf("check its accuracy: moodtune evaluate --model %s --data DIR\n", o->out.c_str());
      return 0;
    });
  });
}

}  // namespace moodtune::cli
