#include "vision/face_tracker.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <tuple>

namespace moodtune {

float iou(const cv::Rect& a, const cv::Rect& b) {
  const int inter = (a & b).area();
  const int uni = a.area() + b.area() - inter;
  return uni > 0 ? static_cast<float>(inter) / static_cast<float>(uni) : 0.0f;
}

namespace {
float centre_dist(const cv::Rect& a, const cv::Rect& b) {
  const float dx = (a.x + a.width * 0.5f) - (b.x + b.width * 0.5f);
  const float dy = (a.y + a.height * 0.5f) - (b.y + b.height * 0.5f);
  const float side = 0.5f * static_cast<float>(std::max(a.width, b.width) + std::max(a.height, b.height)) * 0.5f;
  return side > 0 ? std::sqrt(dx * dx + dy * dy) / side : 1e9f;
}
}  // namespace

std::vector<FaceTrack> FaceTracker::update(const std::vector<cv::Rect>& boxes,
                                           const std::vector<std::vector<float>>& probs,
                                           const std::vector<FaceQuality>& qualities) {
  if (boxes.size() != probs.size()) throw std::invalid_argument("tracker: one probability vector per box is needed");
  if (!qualities.empty() && qualities.size() != boxes.size())
    throw std::invalid_argument("tracker: one quality per box is needed");
  auto quality_of = [&](size_t b) { return qualities.empty() ? FaceQuality{} : qualities[b]; };
  ++updates_;
  // Candidate pairs ranked by IoU, then by closeness for the fallback.
  std::vector<std::tuple<float, size_t, size_t>> pairs;  // (score, track, box)
  for (size_t t = 0; t < tracks_.size(); ++t)
    for (size_t b = 0; b < boxes.size(); ++b) {
      float o = iou(tracks_[t].box, boxes[b]);
      if (o >= p_.min_iou) {
        pairs.emplace_back(1.0f + o, t, b);
      } else {
        float d = centre_dist(tracks_[t].box, boxes[b]);
        if (d <= p_.max_centre_dist) pairs.emplace_back(1.0f - d, t, b);
      }
    }
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
  std::vector<bool> t_used(tracks_.size(), false), b_used(boxes.size(), false);
  std::vector<int> match_of_box(boxes.size(), -1);
  for (const auto& [score, t, b] : pairs) {
    if (t_used[t] || b_used[b]) continue;
    t_used[t] = b_used[b] = true;
    match_of_box[b] = static_cast<int>(t);
  }
  for (size_t t = 0; t < tracks_.size(); ++t)
    if (!t_used[t]) tracks_[t].missed++;
  std::vector<size_t> matched;
  for (size_t b = 0; b < boxes.size(); ++b) {
    if (match_of_box[b] >= 0) {
      FaceTrack& tr = tracks_[static_cast<size_t>(match_of_box[b])];
      tr.box = boxes[b];
      tr.probs = probs[b];
      tr.quality = quality_of(b);
      if (tr.smoothed.size() != probs[b].size()) tr.smoothed = probs[b];
      const float a = p_.alpha * tr.quality.weight;
      for (size_t c = 0; c < probs[b].size(); ++c) tr.smoothed[c] = a * probs[b][c] + (1 - a) * tr.smoothed[c];
      tr.frames++;
      tr.missed = 0;
      matched.push_back(static_cast<size_t>(tr.id));
    } else {
      FaceTrack tr;
      tr.id = next_id_++;
      tr.box = boxes[b];
      tr.probs = tr.smoothed = probs[b];
      tr.quality = quality_of(b);
      tr.frames = 1;
      tracks_.push_back(tr);
      matched.push_back(static_cast<size_t>(tr.id));
    }
  }
  tracks_.erase(
      std::remove_if(tracks_.begin(), tracks_.end(), [&](const FaceTrack& t) { return t.missed > p_.max_missed; }),
      tracks_.end());
  std::vector<FaceTrack> out;
  for (size_t id : matched)
    for (const FaceTrack& t : tracks_)
      if (static_cast<size_t>(t.id) == id) out.push_back(t);
  return out;
}

std::vector<cv::Rect> FaceTracker::search_hints() const {
  std::vector<cv::Rect> hints;
  if (p_.full_scan_every <= 1 || updates_ % p_.full_scan_every == 0) return hints;
  for (const FaceTrack& t : tracks_) {
    if (t.missed > 0) return {};  // a face just vanished: look everywhere
    hints.push_back(t.box);
  }
  return hints;
}

}  // namespace moodtune
