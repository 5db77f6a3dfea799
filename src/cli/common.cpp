#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <opencv2/core/utils/logger.hpp>

#include "cli/commands.h"
#include "common/atomic_file.h"
#include "vision/baseline_photos.h"
#include "vision/emotion_classifier.h"

namespace moodtune::cli {

void add_baseline_option(CLI::App* cmd, std::string& path) {
  cmd->add_option("--baseline", path,
                  "Photos (a file or a folder) of the person looking relaxed: their largest face is then judged "
                  "against their own neutral face");
}

int apply_baseline(EmotionPipeline& pipe, const std::string& path) {
  if (path.empty()) return 0;
  Baseline b = baseline_from_images(pipe, path);
  const int n = b.faces;
  pipe.set_baseline(std::move(b));
  return n;
}

void add_detector_options(CLI::App* cmd, DetectorParams& p) {
  cmd->add_option("--detector", p.kind, "Face detector: haar | lbp | dlib")->capture_default_str();
  cmd->add_option("--min-face", p.min_face, "Smallest face side in pixels")->capture_default_str();
  cmd->add_option("--max-side", p.max_side,
                  "Downscale frames to this longest side before detecting (0 = detector default)")
      ->capture_default_str();
  cmd->add_option("--scale-factor", p.scale_factor, "Cascade pyramid step (haar, lbp)")->capture_default_str();
  cmd->add_option("--min-neighbors", p.min_neighbors, "Cascade: overlapping hits needed (higher = fewer false faces)")
      ->capture_default_str();
  cmd->add_option(
         "--coarse-face", p.coarse_face,
         "Cascades: first look only for faces this big, on a small copy; fine scan if none (0 = fine scan only)")
      ->capture_default_str();
  cmd->add_option("--large-face", p.large_face,
                  "Cascades: before --coarse-face, look for faces at least this big on a smaller copy still (0 = "
                  "skip that pass)")
      ->capture_default_str();
  cmd->add_option("--cascade", p.cascade, "Cascade XML (haar, lbp); default: opencv-data's frontal face");
}

int run_app(CLI::App& app, int argc, char** argv, const int& exit_code) {
  // OpenCV logs its backends' probing (GStreamer, V4L2, image sequences)
  // as warnings and errors on stderr even when moodtune then says what went
  // wrong in one line; OPENCV_LOG_LEVEL still turns them back on.
  if (!std::getenv("OPENCV_LOG_LEVEL")) cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the message; its own codes (104, 105, ...) are folded
    // into the one usage status commands.h promises. --help stays 0.
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
  return exit_code;
}

std::string data_dir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("MOODTUNE_DATA_DIR"); env && *env) return env;
  // Found from where the binary is, never from where it was built: a build
  // tree (build/moodtune beside models/ and web/) or an installed prefix
  // (bin/moodtune with share/moodtune/). Looked up once: every command's
  // option defaults ask for it at start-up.
  static const std::string found = [] {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return std::string();
    const fs::path bin = exe.parent_path();
    for (const fs::path& cand : {bin.parent_path(), bin.parent_path() / "share" / "moodtune", bin})
      if (fs::exists(cand / "models" / "default.mtm", ec) && fs::is_directory(cand / "web", ec)) return cand.string();
    return std::string();
  }();
  return found;
}

std::string default_model_path() {
  if (const char* env = std::getenv("MOODTUNE_MODEL"); env && *env) return env;
  const std::string dir = data_dir();
  return dir.empty() ? "models/default.mtm" : dir + "/models/default.mtm";
}

std::string default_shared_dir() {
  if (const char* env = std::getenv("MOODTUNE_SHARED_DIR"); env && *env) return env;
  const std::string dir = data_dir();
  return (dir.empty() ? std::string("..") : dir + "/..") + "/shared/data";
}

std::string default_web_dir() {
  if (const char* env = std::getenv("MOODTUNE_WEB_DIR"); env && *env) return env;
  const std::string dir = data_dir();
  return dir.empty() ? "web" : dir + "/web";
}

std::string probs_text(const std::vector<float>& probs, const std::vector<std::string>& classes) {
  int top = top_class(probs);
  char buf[64];
  std::string out;
  if (top >= 0) {
    std::snprintf(buf, sizeof buf, "%-8s %.2f |", classes[static_cast<size_t>(top)].c_str(),
                  probs[static_cast<size_t>(top)]);
    out = buf;
  }
  for (size_t i = 0; i < probs.size() && i < classes.size(); ++i) {
    std::snprintf(buf, sizeof buf, " %s %.2f", classes[i].c_str(), probs[i]);
    out += buf;
  }
  return out;
}

std::string fer_root(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* env = std::getenv("MOODTUNE_FER_DIR"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.cache/moodtune/fer2013";
}

void write_json(const std::string& path, const nlohmann::json& j) {
  if (path.empty()) return;
  std::cout.flush();  // `--json /dev/stdout` comes after the table printed before it
  write_file_atomically(path, j.dump(2) + "\n");
}

}  // namespace moodtune::cli
