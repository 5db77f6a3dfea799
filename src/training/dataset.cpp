#include "training/dataset.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "common/emotions.h"
#include "common/progress.h"
#include "common/split.h"
#include "vision/face_crop.h"
#include "vision/image_io.h"
#include "vision/preprocess.h"

namespace moodtune {
namespace fs = std::filesystem;

std::vector<int64_t> FaceDataset::class_counts() const {
  std::vector<int64_t> counts(classes.size(), 0);
  for (int64_t l : labels) counts[static_cast<size_t>(l)]++;
  return counts;
}

FaceDataset FaceDataset::subset(const std::vector<int64_t>& idx) const {
  FaceDataset out;
  out.classes = classes;
  out.images = images.index_select(0, torch::tensor(idx, torch::kLong)).contiguous();
  for (int64_t i : idx) {
    out.labels.push_back(labels[static_cast<size_t>(i)]);
    out.sources.push_back(sources[static_cast<size_t>(i)]);
  }
  return out;
}

FaceDataset FaceDataset::take_per_class(int64_t per_class) const {
  std::vector<int64_t> taken(classes.size(), 0), idx;
  for (int64_t i = 0; i < size(); ++i) {
    auto c = static_cast<size_t>(labels[static_cast<size_t>(i)]);
    if (taken[c] < per_class) {
      taken[c]++;
      idx.push_back(i);
    }
  }
  return subset(idx);
}

std::vector<std::string> discover_classes(const std::string& split_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(split_dir, ec))
    if (e.is_directory()) names.push_back(e.path().filename().string());
  if (ec) throw std::runtime_error(split_dir + ": cannot list folder: " + ec.message());
  std::sort(names.begin(), names.end());
  if (names.empty()) throw std::runtime_error(split_dir + ": no class folders found (expected <dir>/<class>/*.jpg)");
  bool all_emotions =
      std::all_of(names.begin(), names.end(), [](const std::string& n) { return emotion_index(n) >= 0; });
  return all_emotions ? default_class_names() : names;
}

namespace {
void append_image(std::vector<uint8_t>& pixels, const cv::Mat& face) {
  for (int r = 0; r < face.rows; ++r)
    pixels.insert(pixels.end(), face.ptr<uint8_t>(r), face.ptr<uint8_t>(r) + face.cols);
}
torch::Tensor to_tensor(std::vector<uint8_t>& pixels, int64_t n, int s) {
  return torch::from_blob(pixels.data(), {n, s, s}, torch::kUInt8).clone();
}
}  // namespace

FaceDataset load_folder(const std::string& dir, const std::vector<std::string>& classes, int s, LoadReport& report) {
  if (!fs::is_directory(dir)) throw std::runtime_error(dir + ": not a folder");
  FaceDataset ds;
  ds.classes = classes;
  std::vector<uint8_t> pixels;
  std::vector<fs::path> class_dirs;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory()) class_dirs.push_back(e.path());
  std::sort(class_dirs.begin(), class_dirs.end());
  for (const auto& cdir : class_dirs) {
    std::string cname = cdir.filename().string();
    auto it = std::find(classes.begin(), classes.end(), cname);
    if (it == classes.end()) {
      report.problems.push_back(cdir.string() + ": unknown class '" + cname + "' (known: " +
                                join(classes, ", ") + "); folder skipped");
      continue;
    }
    auto label = static_cast<int64_t>(it - classes.begin());
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(cdir))
      if (f.is_regular_file()) files.push_back(f.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      if (!is_image_file(f.string())) {
        report.problems.push_back(f.string() + ": not an image file (by extension); skipped");
        continue;
      }
      cv::Mat img = cv::imread(f.string(), cv::IMREAD_GRAYSCALE);
      if (img.empty()) {
        report.problems.push_back(f.string() + ": unreadable or corrupt image; skipped");
        continue;
      }
      append_image(pixels, prepare_crop(img, s));
      ds.labels.push_back(label);
      ds.sources.push_back(f.string());
    }
  }
  ds.images = to_tensor(pixels, ds.size(), s);
  return ds;
}

namespace {
std::vector<std::string> split_csv_simple(const std::string& line) {
  // FER2013's CSV has no quoted fields (pixels are space-separated), so a
  // plain split is exact for it; quoted fields are reported as malformed.
  std::vector<std::string> out;
  std::string cur;
  std::istringstream ss(line);
  while (std::getline(ss, cur, ',')) out.push_back(cur);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}
std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '"')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '"')) ++i;
  return s.substr(i);
}
}  // namespace

FaceDataset load_fer_csv(const std::string& path, const std::string& usage, int s, LoadReport& report) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open CSV file");
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error(path + ": empty CSV file");
  auto header = split_csv_simple(line);
  int ce = -1, cp = -1, cu = -1;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string h = trim(header[i]);
    if (h == "emotion") ce = static_cast<int>(i);
    if (h == "pixels") cp = static_cast<int>(i);
    if (h == "Usage") cu = static_cast<int>(i);
  }
  if (ce < 0 || cp < 0)
    throw std::runtime_error(path + ":1: header must have 'emotion' and 'pixels' columns (FER2013 CSV), got: " + line);
  if (!usage.empty() && cu < 0)
    throw std::runtime_error(path + ":1: no 'Usage' column to select split '" + usage + "'");
  FaceDataset ds;
  ds.classes = default_class_names();
  std::vector<uint8_t> pixels;
  int64_t lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (trim(line).empty()) continue;
    auto where = path + ":" + std::to_string(lineno);
    auto cols = split_csv_simple(line);
    if (cols.size() != header.size()) {
      report.problems.push_back(where + ": expected " + std::to_string(header.size()) + " columns, found " +
                                std::to_string(cols.size()));
      continue;
    }
    if (!usage.empty() && trim(cols[static_cast<size_t>(cu)]) != usage) continue;
    int csv_label = -1;
    try {
      size_t used = 0;
      std::string e = trim(cols[static_cast<size_t>(ce)]);
      csv_label = std::stoi(e, &used);
      if (used != e.size()) csv_label = -1;
    } catch (const std::exception&) {
    }
    int label = fer_csv_label_to_index(csv_label);
    if (label < 0) {
      report.problems.push_back(where + ": emotion '" + cols[static_cast<size_t>(ce)] +
                                "' is not a FER2013 label 0..6");
      continue;
    }
    std::vector<uint8_t> px;
    std::istringstream ps(trim(cols[static_cast<size_t>(cp)]));
    std::string tok;
    bool bad = false;
    while (ps >> tok) {
      char* end = nullptr;
      long v = std::strtol(tok.c_str(), &end, 10);
      if (*end != '\0' || v < 0 || v > 255) {
        bad = true;
        break;
      }
      px.push_back(static_cast<uint8_t>(v));
    }
    const size_t side = static_cast<size_t>(std::lround(std::sqrt(static_cast<double>(px.size()))));
    if (bad || px.empty() || side * side != px.size()) {
      report.problems.push_back(
          where + ": pixels must be a square number of integers 0..255" +
          (bad ? std::string(" (found '") + tok + "')" : " (found " + std::to_string(px.size()) + " values)"));
      continue;
    }
    cv::Mat img(static_cast<int>(side), static_cast<int>(side), CV_8UC1, px.data());
    append_image(pixels, prepare_crop(img, s));
    ds.labels.push_back(label);
    ds.sources.push_back(where);
  }
  ds.images = to_tensor(pixels, ds.size(), s);
  return ds;
}

std::vector<std::pair<int64_t, int64_t>> find_duplicates(const FaceDataset& a, const FaceDataset& b) {
  auto hash_of = [](const torch::Tensor& img) {
    const uint8_t* p = img.data_ptr<uint8_t>();
    uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (int64_t i = 0; i < img.numel(); ++i) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
  };
  std::unordered_multimap<uint64_t, int64_t> index;
  for (int64_t i = 0; i < a.size(); ++i) index.emplace(hash_of(a.images[i].contiguous()), i);
  std::vector<std::pair<int64_t, int64_t>> out;
  for (int64_t j = 0; j < b.size(); ++j) {
    torch::Tensor bj = b.images[j].contiguous();
    auto [lo, hi] = index.equal_range(hash_of(bj));
    for (auto it = lo; it != hi; ++it)
      if (torch::equal(a.images[it->second], bj)) out.emplace_back(it->second, j);
  }
  return out;
}

std::vector<int64_t> repeated_images(const std::vector<std::pair<int64_t, int64_t>>& pairs) {
  std::vector<int64_t> out;
  for (const auto& pr : pairs) out.push_back(pr.second);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

DataSplits load_splits(const std::string& root, int s, LoadReport& report) {
  DataSplits sp;
  if (fs::is_regular_file(root)) {
    sp.train = load_fer_csv(root, "Training", s, report);
    sp.val = load_fer_csv(root, "PublicTest", s, report);
    sp.train_source = root + " (Usage=Training)";
    sp.val_source = root + " (Usage=PublicTest)";
  } else if (fs::is_directory(root)) {
    fs::path r(root);
    fs::path val = fs::is_directory(r / "val") ? r / "val" : r / "test";
    if (!fs::is_directory(r / "train"))
      throw std::runtime_error(root + ": expected a train/ folder (layout <root>/<split>/<class>/*.jpg)");
    if (!fs::is_directory(val)) throw std::runtime_error(root + ": expected a val/ (or test/) folder beside train/");
    auto classes = discover_classes((r / "train").string());
    sp.train = load_folder((r / "train").string(), classes, s, report);
    sp.val = load_folder(val.string(), classes, s, report);
    sp.train_source = (r / "train").string();
    sp.val_source = val.string();
  } else {
    throw std::runtime_error(root + ": no such file or folder");
  }
  if (sp.train.size() == 0) throw std::runtime_error(sp.train_source + ": no training images");
  if (sp.val.size() == 0) throw std::runtime_error(sp.val_source + ": no validation images");
  return sp;
}

FaceDataset levelled_for(const FaceDataset& ds, const PreprocessParams& pp, int threads, const std::string& label) {
  if (!pp.level_eyes || ds.size() == 0) return ds;
  FaceDataset out = ds;
  out.images = ds.images.clone();
  const int64_t n = out.size();
  const int s = static_cast<int>(out.images.size(1));
  uint8_t* base = out.images.data_ptr<uint8_t>();
  shared_face_aligner();  // load the landmark model (and report its absence) before the threads
  std::atomic<int64_t> next{0}, done{0};
  std::exception_ptr failure;
  std::mutex failure_mu;
  auto work = [&] {
    try {
      for (int64_t i; (i = next.fetch_add(1)) < n; ++done) {
        cv::Mat face(s, s, CV_8UC1, base + i * s * s);
        prepare_for_model(face, pp).copyTo(face);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mu);
      if (!failure) failure = std::current_exception();
      next = n;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(threads, 1); ++t) pool.emplace_back(work);
  ProgressBar bar(label, n);  // drawn by this thread only (progress.h is single-owner)
  while (done.load() < n) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    bar.advance(done.load() - bar.done());
    std::lock_guard<std::mutex> lock(failure_mu);
    if (failure) break;
  }
  for (auto& th : pool) th.join();
  if (failure) std::rethrow_exception(failure);
  bar.advance(n - bar.done());
  bar.finish();
  return out;
}

}  // namespace moodtune
