#include "vision/model_tools.h"

#include <algorithm>
#include <filesystem>

#include "common/home_path.h"
#include "vision/image_io.h"
#include "vision/net_input.h"

namespace moodtune {
namespace fs = std::filesystem;

namespace {
// Up to `count` face crops spread evenly over every image under `dir`
// (sorted, so a class-folder tree gives each class its share).
torch::Tensor calibration_faces(const std::string& dir, int count, const ModelInfo& info,
                                std::vector<std::string>& unreadable) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw std::invalid_argument("calibration folder " + dir + " does not exist");
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file() && is_image_file(it->path().string())) files.push_back(it->path().string());
  if (files.empty()) throw std::invalid_argument("no images in calibration folder " + dir);
  std::sort(files.begin(), files.end());
  const size_t want = std::min(files.size(), static_cast<size_t>(std::max(count, 1)));
  std::vector<cv::Mat> faces;
  for (size_t k = 0; k < want; ++k) {
    const std::string& f = files[k * files.size() / want];
    try {
      faces.push_back(prepare_crop(read_image(f), info.net.input_size));
    } catch (const std::exception& e) {
      unreadable.push_back(e.what());
    }
  }
  if (faces.empty()) throw std::invalid_argument("none of the calibration images in " + dir + " could be read");
  return to_input(faces, info.norm);
}
}  // namespace

void refuse_overwriting_input(const std::string& model, const std::string& out) {
  std::error_code ec;
  if (fs::exists(out, ec) && fs::equivalent(model, out, ec))
    throw std::invalid_argument(out + " is the input model: write the new model to a new file");
}

QuantizeFileReport quantize_model_file(const QuantizeFileParams& p) {
  if (p.model.find(',') != std::string::npos)
    throw std::invalid_argument(
        "quantize one model at a time: quantize each member of an ensemble, then list the int8 files with commas");
  LoadedModel in = load_model_file(p.model);
  if (in.info.precision == "int8") throw std::invalid_argument(p.model + " is int8 already");
  refuse_overwriting_input(p.model, p.out);
  QuantizeFileReport rep;
  rep.calibration = p.calibration;
  std::error_code ec;
  if (rep.calibration.empty()) {
    rep.calibration = expand_home(in.info.meta.value("train_data", ""));
    if (rep.calibration.empty() || !fs::is_directory(rep.calibration, ec))
      throw std::invalid_argument("give --calibration DIR (a folder of face crops, e.g. a training split): " +
                                  (rep.calibration.empty()
                                       ? std::string("the model names no training data")
                                       : "its training data " + rep.calibration + " is not on this machine"));
  }
  const torch::Tensor faces = calibration_faces(rep.calibration, p.images, in.info, rep.unreadable);
  QuantizeResult r = quantize_model(in, faces, p.quantize);
  r.model.info.meta["quantization"]["from"] = fs::path(p.model).filename().string();
  r.model.info.meta["quantization"]["calibration_data"] = tilde_home(rep.calibration);
  save_model_file(p.out, r.model.net, r.model.info);
  rep.faces = r.faces;
  rep.agreement = r.agreement;
  rep.model_bytes = fs::file_size(p.model);
  rep.out_bytes = fs::file_size(p.out);
  return rep;
}

void rebalance_model_file(const RebalanceFileParams& p) {
  refuse_overwriting_input(p.model, p.out);
  LoadedModel m = load_model_file(p.model);
  rebalance_model(m, p.rebalance);
  m.info.meta["rebalanced"]["from"] = fs::path(p.model).filename().string();
  save_model_file(p.out, m.net, m.info);
}

}  // namespace moodtune
