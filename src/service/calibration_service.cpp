// MoodService's calibration: a listener's baseline captured from frames,
// stored with consent, cached per listener and applied to their frames.
#include <fstream>
#include <sstream>

#include "service/mood_service_impl.h"
#include "vision/baseline_photos.h"

namespace moodtune {

std::string model_fingerprint(const std::string& paths) {
  // FNV-1a over the bytes of every member: a baseline belongs to exactly
  // the weights that saw the face (the int8 model reads faces a little
  // differently from its float original; a retrained model very differently).
  uint64_t h = 1469598103934665603ull;
  std::stringstream list(paths);
  for (std::string path; std::getline(list, path, ',');) {
    std::ifstream in(path, std::ios::binary);
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0)
      for (std::streamsize i = 0; i < in.gcount(); ++i) h = (h ^ static_cast<unsigned char>(buf[i])) * 1099511628211ull;
  }
  char hex[32];
  std::snprintf(hex, sizeof hex, "fnv1a64:%016llx", static_cast<unsigned long long>(h));
  return hex;
}

std::shared_ptr<const Baseline> MoodService::Impl::baseline_of(const std::string& listener) {
  const auto now = std::chrono::steady_clock::now();
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(baselines_mu);
    auto it = baselines.find(listener);
    if (it != baselines.end() && now - it->second.read_at < kBaselineTtl) return it->second.baseline;
    generation = baselines_generation;
  }
  std::shared_ptr<const Baseline> b;
  try {
    const auto stored = catalogs->acquire(std::chrono::milliseconds(200))->listener_baseline(listener);
    if (stored && stored->model == model_id)
      b = std::make_shared<const Baseline>(Baseline::from_json(nlohmann::json::parse(stored->json)));
  } catch (const std::exception& e) {
    // Frames go on uncalibrated rather than fail: the listener keeps their camera.
    std::cerr << "calibration: baseline not read: " << e.what() << "\n";
  }
  std::lock_guard<std::mutex> lock(baselines_mu);
  // A save or removal while we read may have made our read stale: use it
  // for this frame, but do not cache it.
  if (generation != baselines_generation) return b;
  if (baselines.size() > 1000) {  // bounded: drop what is stale, or all
    std::erase_if(baselines, [&](const auto& kv) { return now - kv.second.read_at >= kBaselineTtl; });
    if (baselines.size() > 1000) baselines.clear();
  }
  baselines[listener] = {b, now};
  return b;
}

void MoodService::Impl::forget_cached_baseline(const std::string& listener) {
  std::lock_guard<std::mutex> lock(baselines_mu);
  baselines.erase(listener);
  ++baselines_generation;
}

CalibrationProgress MoodService::add_calibration_frame(Session& s, const cv::Mat& frame, bool restart) {
  // Where the live view tracks faces: a calibration sees the faces the
  // listener sees boxed (a full scan can add a cascade's false face, which
  // would refuse the frame as "2 faces"). The pipeline is a plain one: a
  // baseline is made of uncalibrated probabilities.
  std::vector<cv::Rect> hints;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    hints = s.tracker.search_hints();
  }
  const FrameResult r = impl_->process(frame, hints);
  CalibrationProgress p;
  p.needed = kCalibrationFrames;
  p.problem = baseline_frame_problem(r, impl_->clf->classes());
  std::lock_guard<std::mutex> lock(s.mu);
  const auto now = std::chrono::steady_clock::now();
  if (restart || now - s.calibration_last > kCalibrationIdle) s.calibration_faces.clear();
  s.calibration_last = now;
  if (p.problem.empty() && s.calibration_faces.size() < static_cast<size_t>(kCalibrationMaxFrames))
    s.calibration_faces.push_back(r.faces[0].probs);
  p.accepted = static_cast<int>(s.calibration_faces.size());
  return p;
}

CalibrationStatus MoodService::save_calibration(Session& s, const std::string& listener, bool consent) {
  using K = ServiceError::Kind;
  std::vector<Probs> faces;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    faces.swap(s.calibration_faces);
  }
  if (!consent)
    throw ServiceError(K::kBadInput, "calibration is kept only with your consent (\"consent\": true); nothing was saved");
  if (faces.size() < static_cast<size_t>(kCalibrationFrames))
    throw ServiceError(K::kBadInput, "only " + std::to_string(faces.size()) + " of the " +
                                         std::to_string(kCalibrationFrames) +
                                         " frames a calibration needs showed one relaxed face in good light; "
                                         "look at the camera, relaxed, and calibrate again");
  const Baseline b = baseline_from_probs(faces);
  if (const std::string why = expression_problem(b.probs, impl_->clf->classes()); !why.empty())
    throw ServiceError(K::kBadInput, "your face " + why + " over the capture, not relaxed; calibrate again looking relaxed");
  with_catalog_errors("calibration not saved: ", [&] {
    impl_->catalogs->acquire()->set_listener_baseline(listener, impl_->model_id, b.to_json().dump());
  });
  impl_->forget_cached_baseline(listener);
  return calibration(listener);
}

CalibrationStatus MoodService::calibration(const std::string& listener) {
  const auto stored = with_catalog_errors("calibration unavailable: ",
                                          [&] { return impl_->catalogs->acquire()->listener_baseline(listener); });
  CalibrationStatus c;
  if (!stored) return c;
  c.created_at = stored->created_at;
  c.other_model = stored->model != impl_->model_id;
  try {
    const Baseline b = Baseline::from_json(nlohmann::json::parse(stored->json));
    c.faces = b.faces;
    if (!c.other_model) c.probs = b.probs;
    c.active = !c.other_model;
  } catch (const std::exception&) {
    c.other_model = true;  // unreadable: as good as another model's; a new calibration replaces it
  }
  return c;
}

bool MoodService::remove_calibration(const std::string& listener) {
  const bool deleted = with_catalog_errors("calibration not removed: ", [&] {
    return impl_->catalogs->acquire()->delete_listener_baseline(listener);
  });
  impl_->forget_cached_baseline(listener);
  return deleted;
}

}  // namespace moodtune
