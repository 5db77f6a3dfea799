#include "service/mood_service.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "service/mood_service_impl.h"

namespace moodtune {
namespace fs = std::filesystem;

namespace {

const char* audio_content_type(std::string ext) {
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".ogg" || ext == ".oga" || ext == ".opus") return "audio/ogg";
  if (ext == ".mp3") return "audio/mpeg";
  if (ext == ".flac") return "audio/flac";
  if (ext == ".wav") return "audio/wav";
  if (ext == ".m4a" || ext == ".aac") return "audio/mp4";
  return "application/octet-stream";
}

}  // namespace

void check_probs(const std::vector<float>& probs) {
  using K = ServiceError::Kind;
  if (probs.size() != static_cast<size_t>(kNumEmotions))
    throw ServiceError(K::kBadInput, "probs must have " + std::to_string(kNumEmotions) + " values");
  double sum = 0;
  for (float p : probs) {
    if (!std::isfinite(p) || p < 0) throw ServiceError(K::kBadInput, "probs must be finite and non-negative");
    sum += p;
  }
  if (!(sum > 0)) throw ServiceError(K::kBadInput, "probs must not all be zero");
}

int64_t catalog_retries() { return static_cast<int64_t>(transient_retries()); }

MoodService::MoodService(ServiceParams p, std::string default_listener)
    : impl_(std::make_unique<Impl>()), default_listener_(std::move(default_listener)) {
  Impl& s = *impl_;
  s.p = std::move(p);
  s.clf = EmotionClassifier::load(s.p.model_path);
  const int n = s.p.pipelines > 0 ? s.p.pipelines : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) s.pool.push_back(std::make_unique<EmotionPipeline>(s.clf, s.p.pipeline));
  if (!is_postgres_url(s.p.db_path)) {
    fs::path db(s.p.db_path);
    if (db.has_parent_path()) fs::create_directories(db.parent_path());
  }
  s.catalogs = std::make_unique<CatalogPool>(s.p.db_path, s.p.db_connections);
  s.track_index.get(*s.catalogs->acquire());  // built now, not on the first request
  s.model_id = model_fingerprint(s.p.model_path);
}

MoodService::~MoodService() = default;

const std::vector<std::string>& MoodService::classes() const { return impl_->clf->classes(); }
std::shared_ptr<const EmotionClassifier> MoodService::classifier() const { return impl_->clf; }

FrameObservation MoodService::observe_frame(Session& s, const cv::Mat& frame) {
  std::vector<cv::Rect> hints;
  std::string listener;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    hints = s.tracker.search_hints();
    listener = s.listener.empty() ? default_listener_ : s.listener;
  }
  // The slow part runs without the session lock.
  FrameResult r = impl_->process(frame, hints);
  FrameObservation o;
  o.times = r.times;
  // The listener's own neutral face as the zero point of the main (largest,
  // first) face; the pooled pipelines are shared, so not set on them.
  if (auto b = impl_->baseline_of(listener); b && !r.faces.empty()) {
    FaceResult& main = r.faces.front();
    main.probs = calibrate(main.probs, *b, impl_->p.pipeline.calibration);
    main.emotion = top_class(main.probs);
    main.calibrated = o.calibrated = true;
  }
  std::vector<float> sample;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    o.tracks = track_faces(s.tracker, r);
    if (int m = main_face(o.tracks); m >= 0) {
      s.camera_mood = o.tracks[static_cast<size_t>(m)].smoothed;
      s.record(s.camera_mood);
      const auto now = std::chrono::steady_clock::now();
      if (now - s.last_mood_sample >= std::chrono::seconds(kMoodSampleSeconds)) {
        s.last_mood_sample = now;
        sample = s.camera_mood;
      }
    }
    o.mood = s.mood();
    o.mood_source = s.mood_source();
  }
  if (!sample.empty()) impl_->keep_mood_sample(listener, sample);
  return o;
}

std::vector<FaceExplanation> MoodService::explain_frame(const cv::Mat& frame, const ExplainParams& p) {
  return impl_->with_pipeline([&](EmotionPipeline& pipe) { return explain_image(pipe, frame, p, false); });
}

void MoodService::set_manual_mood(Session& s, std::optional<std::vector<float>> probs) {
  if (probs) check_probs(*probs);
  std::lock_guard<std::mutex> lock(s.mu);
  s.manual = std::move(probs);
}

RecommendAnswer MoodService::recommend_for(Session* s, const RecommendQuery& q) {
  RecommendAnswer a;
  a.strategy = q.strategy;
  a.listener = q.listener.empty() ? default_listener_ : q.listener;
  if (q.probs) {
    check_probs(*q.probs);
    a.probs = *q.probs;
    a.mood_source = "query";
  } else if (s) {
    std::lock_guard<std::mutex> lock(s->mu);
    a.probs = s->mood();
    a.mood_source = s->mood_source();
  }
  if (a.probs.empty()) {  // no face seen and nothing chosen: start from neutral
    a.probs.assign(kNumEmotions, 0.0f);
    a.probs[static_cast<size_t>(emotion_index("neutral"))] = 1.0f;
    a.mood_source = "default";
  }
  const auto& classes = impl_->clf->classes();
  RecommendParams rp;
  rp.strategy = q.strategy;
  rp.n = q.n;
  rp.listener = a.listener;
  rp.mood_name = classes[static_cast<size_t>(top_class(a.probs))];
  const VA mood = mood_from_probs(a.probs, classes);
  a.tracks = with_catalog_errors("recommendations unavailable: ", [&] {
    std::shared_ptr<const TrackIndex> index;
    ListenerProfile who;
    {
      auto cat = impl_->catalogs->acquire();
      index = impl_->track_index.get(*cat);
      who = cat->listener_profile(rp.listener, rp.recent_window);
    }
    if (index->size() == 0)
      throw ServiceError(ServiceError::Kind::kUnavailable,
                         "the catalog has no tracks with mood features: import a CSV or scan a music folder first");
    return index->rank(mood, rp, who);
  });
  return a;
}

void MoodService::record_feedback(const std::string& listener, int64_t track, FeedbackAction action,
                                  const std::string& context, const std::string& mood) {
  with_catalog_errors("feedback not saved: ", [&] {
    auto catalog = impl_->catalogs->acquire();
    if (!catalog->find_track(track))
      throw ServiceError(ServiceError::Kind::kNotFound, "unknown track id " + std::to_string(track));
    catalog->record_feedback(listener, track, action, context, mood);
  });
}

MoodHistoryReport MoodService::mood_history(const std::string& listener, int days) {
  if (days < 1 || days > 366) throw ServiceError(ServiceError::Kind::kBadInput, "days must be from 1 to 366");
  return with_catalog_errors("history unavailable: ",
                             [&] { return impl_->catalogs->acquire()->mood_history(listener, days); });
}

void MoodService::set_mood_history_consent(const std::string& listener, bool keep) {
  with_catalog_errors("consent not saved: ",
                      [&] { impl_->catalogs->acquire()->set_mood_history_consent(listener, keep); });
}

ForgetReport MoodService::forget_listener(const std::string& listener) {
  const ForgetReport r =
      with_catalog_errors("nothing deleted: ", [&] { return impl_->catalogs->acquire()->forget_listener(listener); });
  impl_->forget_cached_baseline(listener);
  return r;
}

std::vector<HistoryEntry> MoodService::history(const std::string& listener, int limit) {
  return with_catalog_errors("history unavailable: ",
                             [&] { return impl_->catalogs->acquire()->history(listener, limit); });
}

std::vector<Track> MoodService::played_tracks(const std::string& listener, int limit) {
  return with_catalog_errors("history unavailable: ",
                             [&] { return impl_->catalogs->acquire()->played_tracks(listener, limit); });
}

HealthReport MoodService::health() {
  HealthReport h;
  try {
    auto cat = impl_->catalogs->acquire(std::chrono::milliseconds(500));
    h.tracks = cat->track_count();
    if (!cat->writable()) h.db = "read-only file system: feedback is not saved";
  } catch (const DbError& e) {
    h.degraded = true;
    std::cerr << "health: catalog: " << e.what() << "\n";
    h.db = "unavailable";
  }
  return h;
}

namespace {
// Opens for reading with no symbolic link anywhere on the path (openat2's
// RESOLVE_NO_SYMLINKS, so a folder swapped for a link after the checks
// above is refused too); kernels before 5.6 refuse the last component only.
// O_NONBLOCK: a FIFO put in the file's place must not hang the request.
int open_no_symlinks(const std::string& path) {
  open_how how{};
  how.flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
  how.resolve = RESOLVE_NO_SYMLINKS;
  const long fd = ::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how);
  if (fd >= 0 || errno != ENOSYS) return static_cast<int>(fd);
  return ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
}
}  // namespace

AudioFile MoodService::audio_file(int64_t id) {
  using K = ServiceError::Kind;
  std::optional<Track> t =
      with_catalog_errors("catalog unavailable: ", [&] { return impl_->catalogs->acquire()->find_track(id); });
  // Only files the catalog knows are served: the id is the only input.
  if (!t) throw ServiceError(K::kNotFound, "unknown track id " + std::to_string(id));
  if (t->source != "local") throw ServiceError(K::kNotFound, "track " + std::to_string(id) + " plays through Spotify");
  const std::string what = "the file of track " + std::to_string(id);
  std::error_code ec;
  if (fs::is_symlink(t->external_id, ec)) throw ServiceError(K::kNotFound, what + " is a symbolic link, which is not served");
  const fs::path real = fs::canonical(t->external_id, ec);
  if (ec) throw ServiceError(K::kNotFound, what + " is gone; rescan the library");
  // A path in the catalog is not enough: it must lie, with every folder on
  // the way resolved, under a folder the listener scanned (a CSV import or a
  // swapped parent folder cannot point the server at other files).
  const std::vector<std::string> roots =
      with_catalog_errors("catalog unavailable: ", [&] { return impl_->catalogs->acquire()->library_roots(); });
  const bool under_a_root = std::any_of(roots.begin(), roots.end(), [&](const std::string& r) {
    std::error_code e;
    const fs::path rel = real.lexically_relative(fs::weakly_canonical(r, e));
    return !e && !rel.empty() && *rel.begin() != ".." && rel.is_relative();
  });
  if (!under_a_root)
    throw ServiceError(K::kNotFound, what + " lies outside the scanned music folders; scan its folder with "
                                            "`moodtune library scan DIR`");
  const int fd = open_no_symlinks(real.string());
  if (fd < 0)
    throw ServiceError(K::kNotFound, what + (errno == ELOOP ? " is reached through a symbolic link, which is not served"
                                                            : " is gone; rescan the library"));
  AudioFile f;
  f.fd = std::shared_ptr<const int>(new int(fd), [](const int* p) {
    ::close(*p);
    delete p;
  });
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    throw ServiceError(K::kNotFound, "the file of track " + std::to_string(id) + " is not a regular file");
  f.size = static_cast<uint64_t>(st.st_size);
  f.content_type = audio_content_type(fs::path(t->external_id).extension().string());
  return f;
}

}  // namespace moodtune
