// moodtune bench: repeatable measurements with median and spread. Each
// benchmark runs a warm-up, then N timed repetitions, in this process.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cli/commands.h"
#include "common/stats.h"
#include "music/csv_import.h"
#include "music/music_eval.h"
#include "music/recommender.h"
#include "training/augment.h"
#include "training/dataset.h"
#include "vision/emotion_net.h"
#include "vision/face_crop.h"
#include "vision/face_tracker.h"
#include "vision/model_file.h"
#include "vision/net_input.h"
#include "vision/pipeline.h"
#include "vision/test_frame.h"

namespace moodtune::cli {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {
double ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

// Classification alone (batch 1, one thread) of the same face by each model,
// in interleaved rounds so that the machine's noise falls on all alike:
// the float-vs-int8 comparison of docs/edge.md.
nlohmann::json compare_classify(const std::vector<std::string>& models, const cv::Mat& frame, int reps) {
  std::vector<std::shared_ptr<const EmotionClassifier>> clfs;
  for (const auto& m : models) clfs.push_back(EmotionClassifier::load(m));
  const FrameResult found = EmotionPipeline(clfs[0], {}).process(frame);
  if (found.faces.empty()) throw std::runtime_error("no face in the benchmark frame to classify");
  std::vector<cv::Mat> crops;
  for (const auto& c : clfs) crops.push_back(crop_face(frame, found.faces[0].box, c->preprocess()));
  std::vector<std::vector<double>> t(clfs.size());
  for (int i = 0; i < reps + 20; ++i)
    for (size_t k = 0; k < clfs.size(); ++k) {
      const auto a = Clock::now();
      clfs[k]->classify({crops[k]});
      if (i >= 20) t[k].push_back(ms(a, Clock::now()));
    }
  std::printf("\n%-40s %8s %9s %10s %10s %8s\n", "model (classify only)", "MB", "params", "median ms", "p95 ms",
              "speed-up");
  nlohmann::json out = nlohmann::json::array();
  const double base = summarise(t[0]).median;
  for (size_t k = 0; k < clfs.size(); ++k) {
    const Summary s = summarise(t[k]);
    double mb = 0;
    for (size_t start = 0; start <= models[k].size();) {  // an ensemble: its files together
      const size_t comma = std::min(models[k].find(',', start), models[k].size());
      mb += static_cast<double>(fs::file_size(models[k].substr(start, comma - start))) / 1e6;
      start = comma + 1;
    }
    const int64_t params = clfs[k]->model().net->parameter_count();
    std::printf("%-40s %8.1f %9lld %10.3f %10.3f %7.2fx\n", models[k].c_str(), mb, static_cast<long long>(params),
                s.median, s.p95, base / s.median);
    nlohmann::json j = s.to_json();
    j.update({{"model", models[k]},
              {"precision", clfs[k]->info().precision},
              {"file_mb", mb},
              {"parameters", params},
              {"speedup_vs_first", base / s.median}});
    out.push_back(j);
  }
  return out;
}

int bench_pipeline(const std::string& model, const std::string& image, const std::string& fer, int reps,
                   const std::string& json_path, const DetectorParams& base, const std::vector<std::string>& compare) {
  // One core: batch-1 inference is fastest on one intra-op thread, and the
  // target is stated per core (parallelism goes across frames instead).
  torch::set_num_threads(1);
  cv::setNumThreads(1);
  auto clf = EmotionClassifier::load(model);
  cv::Mat frame = bench_frame(image, fer);
  nlohmann::json out = {
      {"frame", {{"width", frame.cols}, {"height", frame.rows}}}, {"reps", reps}, {"threads", 1}, {"model", model}};
  // A face that drifts a few pixels per frame, like a listener at a webcam.
  std::vector<cv::Mat> moving;
  for (int k = 0; k < 30; ++k) {
    cv::Mat m, shift = (cv::Mat_<double>(2, 3) << 1, 0, 12 * std::sin(k * 0.21), 0, 1, 6 * std::cos(k * 0.21));
    cv::warpAffine(frame, m, shift, frame.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    moving.push_back(m);
  }
  std::printf("%-6s %-7s %-10s %10s %10s %10s\n", "det", "mode", "stage", "median ms", "p95 ms", "stddev");
  // No face at all: the cascades' worst case (the coarse pass finds nothing,
  // so the fine scan runs too).
  const cv::Mat empty = compose_frame({}, frame.size(), 1).image;
  for (const std::string kind : {"haar", "lbp", "dlib"}) {
    // Modes: "single" (every frame scanned whole, as for photos, with the
    // defaults), "video" (the face moves a few pixels per frame; the
    // tracker's hints limit detection to where the face was, with a full
    // scan every 10th frame, as `watch` and `serve` run), and for the
    // cascades "fine" (coarse pass off: the baseline for "single") and
    // "no_face" (a frame without a face: coarse and fine scans both run).
    const bool cascade = kind != "dlib";
    std::vector<std::string> modes = {"single", "video"};
    if (cascade) modes.insert(modes.end(), {"fine", "no_face"});
    nlohmann::json dj;
    for (const std::string& mode : modes) {
      PipelineParams pp;
      pp.detector = base;
      pp.detector.kind = kind;
      if (mode == "fine") pp.detector.coarse_face = 0;
      const bool video = mode == "video";
      EmotionPipeline pipe(clf, pp);
      FaceTracker tracker;
      std::vector<double> det, crop, cls, total;
      int64_t faces = 0, full_scans = 0;
      for (int i = 0; i < reps + 10; ++i) {
        const cv::Mat& f = video ? moving[static_cast<size_t>(i) % moving.size()] : mode == "no_face" ? empty : frame;
        FrameResult r = pipe.process(f, video ? tracker.search_hints() : std::vector<cv::Rect>{});
        if (video) track_faces(tracker, r);
        if (i < 10) continue;  // warm-up
        faces += static_cast<int64_t>(r.faces.size());
        full_scans += r.times.full_scan;
        det.push_back(r.times.detect_ms);
        crop.push_back(r.times.crop_ms);
        cls.push_back(r.times.classify_ms);
        total.push_back(r.times.total_ms);
      }
      nlohmann::json mj = summarise(total).to_json();
      mj["faces_per_frame"] = static_cast<double>(faces) / reps;
      mj["full_scan_share"] = static_cast<double>(full_scans) / reps;
      for (auto [name, v] : {std::pair{"detect", &det}, {"crop", &crop}, {"classify", &cls}, {"end_to_end", &total}}) {
        if (mode == "no_face" && name != std::string("detect") && name != std::string("end_to_end")) continue;
        Summary s = summarise(*v);
        mj[name] = s.to_json();
        std::printf("%-6s %-7s %-10s %10.3f %10.3f %10.3f\n", kind.c_str(), mode.c_str(), name, s.median, s.p95,
                    s.stddev);
      }
      if (mode == "single")
        dj.update(mj);  // single-frame figures at the top level, as before
      else
        dj[mode] = mj;
    }
    out[kind] = dj;
  }
  for (const char* k : {"haar", "lbp"})
    out[std::string(k) + "_single_vs_fine_median_ratio"] =
        out[k]["median_ms"].get<double>() / out[k]["fine"]["median_ms"].get<double>();
  for (const char* k : {"lbp", "dlib"})
    out[std::string(k) + "_vs_haar_median_ratio"] =
        out[k]["median_ms"].get<double>() / out["haar"]["median_ms"].get<double>();
  for (const char* k : {"haar", "lbp", "dlib"})
    out[std::string(k) + "_video_vs_single_median_ratio"] =
        out[k]["video"]["median_ms"].get<double>() / out[k]["median_ms"].get<double>();
  if (!compare.empty()) {
    std::vector<std::string> models = {model};
    models.insert(models.end(), compare.begin(), compare.end());
    out["classify_compared"] = compare_classify(models, frame, reps);
  }
  write_json(json_path, out);
  return 0;
}

int bench_train(const std::string& fer, int batches, const std::string& json_path) {
  torch::set_num_threads(2);
  LoadReport rep;
  auto classes = discover_classes((fs::path(fer) / "train").string());
  FaceDataset data = load_folder((fs::path(fer) / "val").string(), classes, 48, rep);
  if (data.size() < 64) throw std::runtime_error(fer + ": too few images for the training benchmark");
  nlohmann::json out = {{"batch", 64}, {"threads", 2}, {"batches", batches}};
  const int64_t bs = 64;
  // Data path alone: batch assembly + augmentation, per image.
  for (bool aug : {false, true}) {
    AugmentParams ap;
    ap.enabled = aug;
    std::vector<double> per_batch;
    std::mt19937 rng(1);
    for (int b = 0; b < batches * 4; ++b) {
      auto t0 = Clock::now();
      torch::Tensor idx = torch::randint(data.size(), {bs}, torch::kLong);
      torch::Tensor u8 = data.images.index_select(0, idx).contiguous();
      augment_batch(u8, ap, rng);
      torch::Tensor x = normalise_u8(u8, {});
      per_batch.push_back(ms(t0, Clock::now()));
    }
    Summary s = summarise(per_batch);
    double ips = 1000.0 * bs / s.median;
    std::printf("data path   augment=%-3s  %8.0f images/s  (median %.3f ms per batch of 64)\n", aug ? "on" : "off", ips,
                s.median);
    out["data_path"][aug ? "augment_on" : "augment_off"] = {{"images_per_s", ips}, {"batch", s.to_json()}};
  }
  for (const std::string arch : {"resnet-compact", "resnet-wide"}) {
    for (bool aug : {true, false}) {
      NetConfig cfg;
      cfg.arch = arch;
      EmotionNet net = make_emotion_net(cfg);
      torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9).nesterov(true));
      AugmentParams ap;
      ap.enabled = aug;
      std::mt19937 rng(1);
      std::vector<double> per_batch;
      for (int b = 0; b < batches + 3; ++b) {
        auto t0 = Clock::now();
        torch::Tensor idx = torch::randint(data.size(), {bs}, torch::kLong);
        torch::Tensor u8 = data.images.index_select(0, idx).contiguous();
        augment_batch(u8, ap, rng);
        torch::Tensor y =
            torch::tensor(std::vector<int64_t>(data.labels.begin(), data.labels.begin() + bs), torch::kLong);
        opt.zero_grad();
        torch::Tensor loss = torch::cross_entropy_loss(net->forward(normalise_u8(u8, {})), y);
        loss.backward();
        opt.step();
        if (b >= 3) per_batch.push_back(ms(t0, Clock::now()));
      }
      Summary s = summarise(per_batch);
      double ips = 1000.0 * bs / s.median;
      std::printf("train step  %-15s augment=%-3s %7.0f images/s  (median %.1f ms, p95 %.1f ms per batch)\n",
                  arch.c_str(), aug ? "on" : "off", ips, s.median, s.p95);
      out["train"][arch][aug ? "augment_on" : "augment_off"] = {
          {"images_per_s", ips}, {"batch", s.to_json()}, {"parameters", net->parameter_count()}};
    }
  }
  write_json(json_path, out);
  return 0;
}
// Import speed (3 fresh imports of the 32,833-row catalog) and
// recommendation latency on one store; `fresh` gives a new empty location.
// Leaves the last imported catalog at the location it returns.
std::string bench_store(const std::string& label, const std::function<std::string()>& fresh, const std::string& songs,
                        int reps, nlohmann::json& out) {
  std::vector<double> import_s;
  std::string where;
  for (int i = 0; i < 3; ++i) {
    where = fresh();
    Catalog cat(where);
    auto t0 = Clock::now();
    ImportReport r = import_csv(cat, songs);
    import_s.push_back(ms(t0, Clock::now()) / 1000.0);
    out["import"]["tracks"] = r.inserted;
  }
  Summary is = summarise(import_s);
  out["import"]["seconds"] = is.to_json("_s");
  std::printf("%-10s import spotify_songs.csv   median %.2f s (min %.2f, max %.2f, n=%zu)\n", label.c_str(), is.median,
              is.min, is.max, is.n);
  // Recommendation latency on the 28k catalog, a listener with preferences.
  Catalog cat(where);
  for (int64_t id = 1; id <= 30; ++id)
    cat.record_feedback("bench", id * 97, id % 3 ? FeedbackAction::kLike : FeedbackAction::kSkip);
  Recommender rec(cat);
  std::mt19937 rng(7);
  for (Strategy st : {Strategy::kMatch, Strategy::kUplift, Strategy::kCalm}) {
    std::vector<double> lat;
    for (int i = 0; i < reps; ++i) {
      RecommendParams rp;
      rp.strategy = st;
      rp.listener = "bench";
      auto t0 = Clock::now();
      auto list = rec.recommend(kEmotionVA[rng() % kEmotionVA.size()], rp);
      lat.push_back(ms(t0, Clock::now()));
    }
    Summary s = summarise(lat);
    out["recommend"][strategy_name(st)] = s.to_json();
    std::printf("%-10s recommend 10 (%-6s)      median %.2f ms  p95 %.2f ms  (%zu tracks, n=%d)\n", label.c_str(),
                strategy_name(st), s.median, s.p95, rec.size(), reps);
  }
  // Feedback: one acknowledged like (a committed transaction) per call.
  std::vector<double> fb;
  for (int i = 0; i < std::min(reps, 200); ++i) {
    auto t0 = Clock::now();
    cat.record_feedback("bench-fb", 1 + i % 500, FeedbackAction::kLike);
    fb.push_back(ms(t0, Clock::now()));
  }
  Summary f = summarise(fb);
  out["feedback"] = f.to_json();
  std::printf("%-10s feedback (committed)       median %.2f ms  p95 %.2f ms\n", label.c_str(), f.median, f.p95);
  return where;
}

int bench_music(const std::string& shared, int reps, const std::string& json_path, const std::string& postgres) {
  const fs::path dir = fs::temp_directory_path() / ("moodtune-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string songs = shared + "/catalog/spotify_songs.csv", moods = shared + "/catalog/data_moods.csv";
  nlohmann::json out;
  const std::string sqlite_at = bench_store(
      "sqlite",
      [&] {
        fs::remove(dir / "songs.db");
        fs::remove(dir / "songs.db-wal");
        fs::remove(dir / "songs.db-shm");
        return (dir / "songs.db").string();
      },
      songs, reps, out);
  // The same benchmark on PostgreSQL, side by side: the given (scratch!)
  // database is emptied before each import (moodtune-dev all starts a
  // throwaway server for it).
  if (!postgres.empty()) {
    if (!is_postgres_url(postgres))
      throw std::invalid_argument("--postgres takes a postgresql:// URL of a scratch database");
    nlohmann::json pg;
    bench_store(
        "postgresql",
        [&] {
          open_database(postgres)->exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
          return postgres;
        },
        songs, reps, pg);
    pg["import"]["ratio_to_sqlite"] =
        pg["import"]["seconds"]["median_s"].get<double>() / out["import"]["seconds"]["median_s"].get<double>();
    pg["recommend"]["match"]["ratio_to_sqlite"] =
        pg["recommend"]["match"]["median_ms"].get<double>() / out["recommend"]["match"]["median_ms"].get<double>();
    pg["feedback"]["ratio_to_sqlite"] =
        pg["feedback"]["median_ms"].get<double>() / out["feedback"]["median_ms"].get<double>();
    out["postgresql"] = pg;
  }
  Catalog cat(sqlite_at);
  // Quality: mood agreement and the simulated skipper.
  {
    fs::remove(dir / "moods.db");
    Catalog mc((dir / "moods.db").string());
    import_csv(mc, moods);
    for (const auto& row : mood_agreement(mc, 10)) {
      out["mood_agreement"][row.emotion] = {{"share", row.share()}, {"fitting_labels", row.fitting_labels}};
      std::printf("mood agreement %-9s %.1f  (labels:", row.emotion.c_str(), row.share());
      for (const auto& l : row.fitting_labels) std::printf(" %s", l.c_str());
      std::printf(")\n");
    }
  }
  SkipSimulation sim = simulate_genre_skipper(cat, "rock", 20);
  out["skipper"] = {{"genre", sim.genre},
                    {"skips", sim.skips},
                    {"share_before", sim.share_before},
                    {"share_after", sim.share_after},
                    {"bystander_unchanged", sim.other_unchanged}};
  std::printf("skipper: rock share %.3f -> %.3f after %d skips; bystander unchanged: %s\n", sim.share_before,
              sim.share_after, sim.skips, sim.other_unchanged ? "yes" : "no");
  fs::remove_all(dir);
  write_json(json_path, out);
  return 0;
}
}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("bench", "Measure speed (median and spread over repetitions)");
  cmd->require_subcommand(1);
  struct Opts {
    std::string model = default_model_path(), image, fer, json;
    int reps = 200, batches = 20;
    DetectorParams det;
    std::vector<std::string> compare;
  };
  auto o = std::make_shared<Opts>();
  auto* pipe =
      cmd->add_subcommand("pipeline", "Per-stage and end-to-end time per 640x480 frame with one face, per detector");
  pipe->add_option("--model", o->model, kModelOptionHelp)->capture_default_str();
  pipe->add_option("--image", o->image, "Frame to use (default: a FER2013 val face in a 640x480 frame)");
  pipe->add_option("--fer", o->fer, "FER2013 folder (default: the cache made by scripts/fer2013.sh)");
  pipe->add_option("--reps", o->reps, "Timed repetitions per detector")->capture_default_str();
  pipe->add_option("--json", o->json, "Write results as JSON");
  pipe->add_option("--compare", o->compare,
                   "Also time classification alone by these models against --model, in the same run (repeatable)");
  add_detector_options(pipe, o->det);  // --detector is ignored: every detector is measured
  pipe->callback([o, &exit_code] {
    guarded(exit_code,
            [&] { return bench_pipeline(o->model, o->image, fer_root(o->fer), o->reps, o->json, o->det, o->compare); });
  });
  auto shared = std::make_shared<std::string>(default_shared_dir());
  auto* mu =
      cmd->add_subcommand("music", "Catalog import speed, recommendation latency and quality on the shared catalogs");
  mu->add_option("--shared", *shared, "The shared data folder")->capture_default_str();
  mu->add_option("--reps", o->reps, "Recommendations per strategy")->capture_default_str();
  mu->add_option("--json", o->json, "Write results as JSON");
  auto postgres = std::make_shared<std::string>();
  mu->add_option("--postgres", *postgres,
                 "Also measure PostgreSQL, on the postgresql:// URL of a scratch database (it is emptied)");
  mu->callback([o, shared, postgres, &exit_code] {
    guarded(exit_code, [&] { return bench_music(*shared, o->reps, o->json, *postgres); });
  });
  auto* tr = cmd->add_subcommand("train", "Training throughput per architecture, with and without augmentation");
  tr->add_option("--fer", o->fer, "FER2013 folder (default: the cache made by scripts/fer2013.sh)");
  tr->add_option("--batches", o->batches, "Timed batches per configuration")->capture_default_str();
  tr->add_option("--json", o->json, "Write results as JSON");
  tr->callback(
      [o, &exit_code] { guarded(exit_code, [&] { return bench_train(fer_root(o->fer), o->batches, o->json); }); });
}

}  // namespace moodtune::cli
