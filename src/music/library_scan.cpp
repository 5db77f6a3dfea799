#include "music/library_scan.h"

#include <taglib/fileref.h>
#include <taglib/tag.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "audio/audio_features.h"
#include "common/progress.h"
#include "mood/affect.h"

namespace fs = std::filesystem;

namespace moodtune {
namespace {

bool is_audio_extension(std::string ext) {
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const char* kExts[] = {".ogg", ".oga", ".opus", ".mp3", ".flac", ".wav", ".m4a", ".aac"};
  return std::any_of(std::begin(kExts), std::end(kExts), [&](const char* e) { return ext == e; });
}

// "the_city_falls" -> "The city falls": a readable title for untagged files.
std::string title_from_filename(const fs::path& p) {
  std::string s = p.stem().string();
  std::replace(s.begin(), s.end(), '_', ' ');
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

struct FileStamp {
  int64_t size = 0, mtime_ns = 0;
};

FileStamp stamp_of(const std::string& path) {
  FileStamp s;
  s.size = static_cast<int64_t>(fs::file_size(path));
  s.mtime_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(fs::last_write_time(path).time_since_epoch()).count();
  return s;
}

struct Analysed {
  std::string path;
  FileStamp stamp;
  std::optional<Track> track;
  std::string features_json, error;
  double audio_seconds = 0, analysis_seconds = 0;
};

Analysed analyse_file(const std::string& path) {
  Analysed r;
  r.path = path;
  auto t0 = std::chrono::steady_clock::now();
  try {
    r.stamp = stamp_of(path);
    Track t;
    t.source = "local";
    t.external_id = path;
    {
      TagLib::FileRef ref(path.c_str());
      if (!ref.isNull() && ref.tag()) {
        TagLib::Tag* tag = ref.tag();
        t.title = tag->title().to8Bit(true);
        t.artist = tag->artist().to8Bit(true);
        t.album = tag->album().to8Bit(true);
        std::string genre = tag->genre().to8Bit(true);
        if (!genre.empty()) t.genres.push_back(genre);
      }
      if (!ref.isNull() && ref.audioProperties()) t.duration_ms = ref.audioProperties()->lengthInMilliseconds();
    }
    fs::path p(path);
    if (t.title.empty()) t.title = title_from_filename(p);
    if (t.artist.empty()) t.artist = "Unknown artist";
    if (t.album.empty()) t.album = p.parent_path().filename().string();
    if (t.genres.empty()) t.genres.push_back("local");

    AudioBuffer audio = decode_audio(path);
    AudioFeatures f = analyse_audio(audio);
    MoodEstimate m = estimate_mood(f);
    if (t.duration_ms == 0)
      t.duration_ms =
          static_cast<int64_t>(1000 * (audio.source_duration_s > 0 ? audio.source_duration_s : f.duration_s));
    // Stored on Spotify's [0, 1] scale so one mapping serves both sources.
    const UnitVA unit = va_to_unit({m.valence, m.arousal});
    t.valence = unit.valence;
    t.energy = unit.energy;
    t.loudness = f.loudness_lufs;
    if (f.tempo_bpm > 0) t.tempo = f.tempo_bpm;
    if (f.key >= 0) t.key = f.key;
    if (f.mode >= 0) t.mode = f.mode;
    r.track = std::move(t);
    r.features_json = nlohmann::json{
        {"duration_s", f.duration_s},
        {"loudness_lufs", f.loudness_lufs},
        {"loudness_range_lu", f.loudness_range_lu},
        {"tempo_bpm", f.tempo_bpm},
        {"onset_rate", f.onset_rate},
        {"centroid_hz", f.centroid_hz},
        {"key", f.key},
        {"mode", f.mode},
        {"mode_score", f.mode_score},
        {"key_clarity", f.key_clarity},
        {"truncated", audio.truncated},
        {"valence", m.valence},
        {"arousal",
         m.arousal}}.dump();
    r.audio_seconds = f.duration_s;
  } catch (const std::exception& e) {
    r.error = e.what();
    // AudioError already names the file; filesystem errors do too.
    const std::string prefix = path + ": ";
    if (r.error.rfind(prefix, 0) == 0) r.error = r.error.substr(prefix.size());
  }
  r.analysis_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace

std::vector<std::string> find_audio_files(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw std::runtime_error(dir + ": not a folder");
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && is_audio_extension(it->path().extension().string()))
      out.push_back(fs::absolute(it->path()).lexically_normal().string());
  }
  if (ec) throw std::runtime_error(dir + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

LibraryScanResult scan_library(Catalog& catalog, const std::string& dir, const LibraryScanParams& params) {
  auto start = std::chrono::steady_clock::now();
  LibraryScanResult result;
  std::vector<std::string> files = find_audio_files(dir);
  result.found = static_cast<int>(files.size());
  catalog.add_library_root(fs::canonical(dir).string());  // what the server may serve from

  std::vector<std::string> todo;
  for (const auto& path : files) {
    if (!params.force) {
      auto known = catalog.library_file(path);
      std::error_code ec;
      if (known && known->analysis_version == kAudioAnalysisVersion) {
        try {
          FileStamp s = stamp_of(path);
          if (s.size == known->size && s.mtime_ns == known->mtime_ns) {
            ++result.unchanged;
            continue;
          }
        } catch (const std::exception&) {
          // unreadable now: let the analysis report it
        }
      }
    }
    todo.push_back(path);
  }

  int threads =
      params.threads > 0 ? params.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min<int>(threads, std::max<size_t>(1, todo.size()));
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::condition_variable cv;
  std::map<size_t, Analysed> ready;  // by file index: results are written in file order
  std::vector<std::thread> workers;
  for (int w = 0; w < threads && !todo.empty(); ++w) {
    workers.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < todo.size();) {
        Analysed a = analyse_file(todo[i]);
        std::lock_guard<std::mutex> lock(mu);
        ready.emplace(i, std::move(a));
        cv.notify_one();
      }
    });
  }

  std::optional<ProgressBar> bar;
  if (params.progress && !todo.empty()) bar.emplace("scan", static_cast<int64_t>(todo.size()));
  try {
    for (size_t done = 0; done < todo.size(); ++done) {
      Analysed a;
      {
        std::unique_lock<std::mutex> lock(mu);
        // Written in file order, so track ids do not depend on thread timing.
        cv.wait(lock, [&] { return ready.count(done) > 0; });
        a = std::move(ready.at(done));
        ready.erase(done);
      }
      result.analysis_seconds += a.analysis_seconds;
      if (!a.track) {
        ++result.failed;
        result.errors.push_back({a.path, a.error});
      } else {
        Transaction tx = catalog.transaction();
        auto up = catalog.upsert_track(*a.track);
        catalog.record_library_file({a.path, a.stamp.size, a.stamp.mtime_ns, kAudioAnalysisVersion, up.id},
                                    a.features_json);
        tx.commit();
        ++result.analysed;
        result.audio_seconds += a.audio_seconds;
      }
      if (bar) bar->advance(1, fs::path(a.path).filename().string());
    }
  } catch (...) {
    next = todo.size();  // stop handing out work, then let workers finish
    for (auto& t : workers) t.join();
    throw;
  }
  for (auto& t : workers) t.join();
  if (bar) bar->finish();
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace moodtune
