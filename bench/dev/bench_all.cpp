// moodtune-dev all: every benchmark of the project in one run, each in its
// own child process (so one cannot warm or pollute another), then one JSON
// and one markdown table with median, spread and ratios to the baselines
// measured in the same run.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "common/atomic_file.h"
#include "dev/dev_commands.h"
#include "kit/scratch_postgres.h"
#include "kit/server_process.h"

namespace moodtune::dev {
using namespace moodtune::cli;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

struct AllOpts {
  std::string out = "bench/results/all", fer, music = kDefaultMusicDir;
  int serve_seconds = 60, reps = 200, batches = 10, tta_per_class = 60;
};

// `program`: "moodtune" or "moodtune-dev", both beside this executable.
// `env`: variable assignments for the child only (e.g. LD_LIBRARY_PATH=...).
json run_child(const std::string& program, const std::string& args, const fs::path& json_file,
               const std::string& env = {}) {
  // Resolved here: inside std::system's shell, /proc/self/exe is the shell.
  const std::string bin = kit::sibling_binary(program);
  fs::remove(json_file);
  std::string cmd =
      env + " '" + bin + "' " + args + " --json '" + json_file.string() + "' >'" + json_file.string() + ".log' 2>&1";
  std::fprintf(stderr, "running: %s %s\n", program.c_str(), args.c_str());
  int rc = std::system(cmd.c_str());
  if (!fs::exists(json_file))
    throw std::runtime_error("`" + program + " " + args + "` failed (exit " + std::to_string(rc) + "); see " +
                             json_file.string() + ".log");
  std::ifstream in(json_file);
  return json::parse(in);
}

std::string num(double v, int prec = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  return buf;
}

int bench_all(const AllOpts& o) {
  fs::create_directories(o.out);
  const fs::path out(o.out);
  std::string fer = o.fer.empty() ? "" : " --fer '" + o.fer + "'";
  json all;
  // The int8 model beside the float one, timed in the same run (docs/edge.md).
  const fs::path int8 = fs::path(default_model_path()).parent_path() / "default-int8.mtm";
  const std::string compare = fs::exists(int8) ? " --compare '" + int8.string() + "'" : "";
  all["pipeline"] =
      run_child("moodtune", "bench pipeline --reps " + std::to_string(o.reps) + fer + compare, out / "pipeline.json");
  all["train"] = run_child("moodtune", "bench train --batches " + std::to_string(o.batches) + fer, out / "train.json");
  {  // SQLite and PostgreSQL side by side, on a throwaway PostgreSQL server
    ScratchPostgres pg;
    all["music"] =
        run_child("moodtune", "bench music --postgres '" + pg.fresh_database("bench") + "'", out / "music.json");
  }
  all["serve"] =
      run_child("moodtune-dev", "serve --music '" + o.music + "' --seconds " + std::to_string(o.serve_seconds) + fer,
                out / "serve.json");
  const fs::path db = out / "library.db";
  fs::remove(db);
  all["library"] =
      run_child("moodtune", "library scan '" + o.music + "' --db '" + db.string() + "'", out / "library.json");
  fs::remove(db);
  for (const char* ext : {"-wal", "-shm"}) fs::remove(db.string() + ext);

  // Baseline: the same pipeline on the reference BLAS. libtorch calls
  // whatever libblas.so.3 the loader finds first, so the child gets the
  // reference library's folder first on its path (no system change).
  for (const char* dir : {"/usr/lib/x86_64-linux-gnu/blas", "/usr/lib/aarch64-linux-gnu/blas"})
    if (fs::exists(fs::path(dir) / "libblas.so.3")) {
      all["pipeline_reference_blas"] =
          run_child("moodtune", "bench pipeline --reps " + std::to_string(std::min(o.reps, 30)) + fer,
                    out / "pipeline_reference_blas.json", std::string("LD_LIBRARY_PATH=") + dir);
      break;
    }

  // TTA on against off: accuracy and time on the first images of each
  // validation class (a fixed subset, linked, not copied).
  const fs::path subset = out / "tta_subset";
  fs::remove_all(subset);
  const fs::path val = fs::path(fer_root(o.fer)) / "val";
  for (const auto& cls : default_class_names()) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(val / cls)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    fs::create_directories(subset / cls);
    for (size_t i = 0; i < files.size() && i < static_cast<size_t>(o.tta_per_class); ++i)
      fs::create_symlink(fs::absolute(files[i]), subset / cls / files[i].filename());
  }
  for (const char* mode : {"off", "on"}) {
    auto t0 = std::chrono::steady_clock::now();
    json r =
        run_child("moodtune", "evaluate --data '" + subset.string() + "'" + (std::string(mode) == "on" ? " --tta" : ""),
                  out / (std::string("tta_") + mode + ".json"));
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    all["tta"][mode] = {{"accuracy", r["accuracy"]},
                        {"n", r["n"]},
                        {"seconds", s},
                        {"ms_per_image", 1000.0 * s / r["n"].get<double>()}};
  }
  fs::remove_all(subset);

  std::ostringstream md;
  md << "# moodtune benchmarks\n\nOne run of `moodtune-dev all`; each benchmark in its own process. Medians over "
        "repetitions; spread as p95 (or stddev); ratios against a baseline measured in this same run.\n\n"
     << "| benchmark | median | spread | baseline (same run) | ratio |\n|---|---:|---:|---|---:|\n";
  const json& p = all["pipeline"];
  for (const char* det : {"haar", "lbp", "dlib"}) {
    const json& d = p[det];
    md << "| pipeline " << det << ", single frame, end-to-end | " << num(d["median_ms"]) << " ms | p95 "
       << num(d["p95_ms"]) << " ms | haar single | "
       << num(d["median_ms"].get<double>() / p["haar"]["median_ms"].get<double>()) << " |\n";
    md << "| pipeline " << det << ", video, end-to-end | " << num(d["video"]["median_ms"]) << " ms | p95 "
       << num(d["video"]["p95_ms"]) << " ms | " << det << " single | "
       << num(d["video"]["median_ms"].get<double>() / d["median_ms"].get<double>()) << " |\n";
    if (d.contains("fine")) {  // cascades: the coarse pass against the fine scan alone, and the no-face worst case
      md << "| pipeline " << det << ", single frame, fine scan only | " << num(d["fine"]["median_ms"]) << " ms | p95 "
         << num(d["fine"]["p95_ms"]) << " ms | " << det << " single | "
         << num(d["fine"]["median_ms"].get<double>() / d["median_ms"].get<double>()) << " |\n";
      md << "| pipeline " << det << ", frame without a face | " << num(d["no_face"]["median_ms"]) << " ms | p95 "
         << num(d["no_face"]["p95_ms"]) << " ms | " << det << " single | "
         << num(d["no_face"]["median_ms"].get<double>() / d["median_ms"].get<double>()) << " |\n";
    }
  }
  md << "| batch-1 classification (haar run), float model on oneDNN | " << num(p["haar"]["classify"]["median_ms"])
     << " ms | p95 " << num(p["haar"]["classify"]["p95_ms"]) << " ms | | |\n";
  if (p.contains("classify_compared")) {
    const json& f = p["classify_compared"][0];
    for (size_t k = 1; k < p["classify_compared"].size(); ++k) {
      const json& m = p["classify_compared"][k];
      // The float model on libtorch's own layers is the reference its oneDNN path is checked against.
      const std::string what = m.value("engine", "") == "libtorch" ? "float model on libtorch's layers (reference)"
                                                                   : m["precision"].get<std::string>() + " model";
      const double speedup = m["speedup_vs_first"];
      md << "| batch-1 classification alone, " << what << " (" << num(m["file_mb"], 1) << " MB) | "
         << num(m["median_ms"]) << " ms | p95 " << num(m["p95_ms"]) << " ms | float model (" << num(f["median_ms"])
         << " ms, " << num(f["file_mb"], 1) << " MB) | "
         << (speedup >= 1 ? num(speedup) + "x faster" : num(1 / speedup) + "x slower") << " |\n";
    }
  }
  if (all.contains("pipeline_reference_blas")) {
    const json& rb = all["pipeline_reference_blas"]["haar"];
    md << "| batch-1 classification, reference BLAS | " << num(rb["classify"]["median_ms"]) << " ms | p95 "
       << num(rb["classify"]["p95_ms"]) << " ms | OpenBLAS | "
       << num(rb["classify"]["median_ms"].get<double>() / p["haar"]["classify"]["median_ms"].get<double>()) << " |\n";
    md << "| pipeline haar, single frame, reference BLAS | " << num(rb["median_ms"]) << " ms | p95 "
       << num(rb["p95_ms"]) << " ms | OpenBLAS | "
       << num(rb["median_ms"].get<double>() / p["haar"]["median_ms"].get<double>()) << " |\n";
  }
  const json& tta = all["tta"];
  md << "| val subset (" << tta["on"]["n"] << " faces), accuracy with TTA | "
     << num(100 * tta["on"]["accuracy"].get<double>(), 1) << "% | | TTA off ("
     << num(100 * tta["off"]["accuracy"].get<double>(), 1) << "%) | "
     << num(tta["on"]["accuracy"].get<double>() / tta["off"]["accuracy"].get<double>()) << " |\n";
  md << "| evaluation time per face with TTA | " << num(tta["on"]["ms_per_image"]) << " ms | | TTA off ("
     << num(tta["off"]["ms_per_image"]) << " ms) | "
     << num(tta["on"]["ms_per_image"].get<double>() / tta["off"]["ms_per_image"].get<double>()) << " |\n";
  const json& t = all["train"];
  for (const auto& [arch, a] : t["train"].items()) {
    double on = a["augment_on"]["images_per_s"], off = a["augment_off"]["images_per_s"];
    md << "| training " << arch << ", augmentation on | " << num(on, 0) << " img/s | stddev "
       << num(a["augment_on"]["batch"]["stddev_ms"], 1) << " ms/batch | augmentation off (" << num(off, 0)
       << " img/s) | " << num(on / off) << " |\n";
  }
  const json& m = all["music"];
  md << "| import spotify_songs.csv | " << num(m["import"]["seconds"]["median_s"]) << " s | p95 "
     << num(m["import"]["seconds"]["p95_s"]) << " s | | |\n";
  for (const char* s : {"match", "uplift", "calm"})
    md << "| 10-track recommendation, " << s << " | " << num(m["recommend"][s]["median_ms"]) << " ms | p95 "
       << num(m["recommend"][s]["p95_ms"]) << " ms | match | "
       << num(m["recommend"][s]["median_ms"].get<double>() / m["recommend"]["match"]["median_ms"].get<double>())
       << " |\n";
  md << "| feedback (committed), SQLite | " << num(m["feedback"]["median_ms"]) << " ms | p95 "
     << num(m["feedback"]["p95_ms"]) << " ms | | |\n";
  if (m.contains("postgresql")) {
    const json& pg = m["postgresql"];
    md << "| import spotify_songs.csv, PostgreSQL | " << num(pg["import"]["seconds"]["median_s"]) << " s | p95 "
       << num(pg["import"]["seconds"]["p95_s"]) << " s | SQLite | " << num(pg["import"]["ratio_to_sqlite"]) << " |\n";
    md << "| 10-track recommendation, match, PostgreSQL | " << num(pg["recommend"]["match"]["median_ms"])
       << " ms | p95 " << num(pg["recommend"]["match"]["p95_ms"]) << " ms | SQLite | "
       << num(pg["recommend"]["match"]["ratio_to_sqlite"]) << " |\n";
    md << "| feedback (committed), PostgreSQL | " << num(pg["feedback"]["median_ms"]) << " ms | p95 "
       << num(pg["feedback"]["p95_ms"]) << " ms | SQLite | " << num(pg["feedback"]["ratio_to_sqlite"]) << " |\n";
  }
  const json& sv = all["serve"];
  md << "| frame round trip, 1 client | " << num(sv["roundtrip"]["median_ms"]) << " ms | p95 "
     << num(sv["roundtrip"]["p95_ms"]) << " ms | pipeline haar video (" << num(p["haar"]["video"]["median_ms"])
     << " ms) | " << num(sv["roundtrip"]["median_ms"].get<double>() / p["haar"]["video"]["median_ms"].get<double>())
     << " |\n";
  md << "| load: " << sv["load"]["clients"] << " clients x " << sv["load"]["fps_per_client"] << " fps, "
     << sv["load"]["seconds"] << " s | " << num(sv["load"]["latency"]["median_ms"]) << " ms | p95 "
     << num(sv["load"]["latency"]["p95_ms"]) << " ms | round trip | "
     << num(sv["load"]["latency"]["median_ms"].get<double>() / sv["roundtrip"]["median_ms"].get<double>()) << " |\n";
  md << "| load: errors, server RSS peak | " << sv["load"]["errors"] << " errors | "
     << num(sv["load"]["rss_mb_peak"], 0) << " MB | RSS at start " << num(sv["load"]["rss_mb_start"], 0) << " MB | "
     << num(sv["load"]["rss_mb_peak"].get<double>() / sv["load"]["rss_mb_start"].get<double>()) << " |\n";
  md << "| library analysis (" << fs::path(o.music).filename().string() << ", " << all["library"]["found"]
     << " files) | " << num(all["library"]["realtime_factor_per_core"], 0) << "x real time per core | "
     << num(all["library"]["wall_seconds"], 1) << " s wall | | |\n";
  md << "\nEvaluation times include starting the process and loading the model. Reproduce: `bench/run` "
        "(= `moodtune bench all`).\n";
  write_file_atomically((out / "all.md").string(), md.str());
  write_file_atomically((out / "all.json").string(), all.dump(2) + "\n");
  std::printf("%s", md.str().c_str());
  std::fprintf(stderr, "wrote %s and %s\n", (out / "all.json").c_str(), (out / "all.md").c_str());
  return 0;
}

}  // namespace

void add_all_bench(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<AllOpts>();
  auto* cmd = app.add_subcommand("all", "Every benchmark, one JSON and one markdown table (takes ~5 minutes)");
  cmd->add_option("--out", o->out, "Folder for all.json, all.md and each benchmark's JSON")->capture_default_str();
  cmd->add_option("--fer", o->fer, "FER2013 folder (default: the cache made by scripts/fer2013.sh)");
  cmd->add_option("--music", o->music, "Music folder for the library-analysis benchmark")->capture_default_str();
  cmd->add_option("--serve-seconds", o->serve_seconds, "Length of the web load phase")->capture_default_str();
  cmd->add_option("--reps", o->reps, "Pipeline repetitions")->capture_default_str();
  cmd->add_option("--batches", o->batches, "Training batches per configuration")->capture_default_str();
  cmd->add_option("--tta-per-class", o->tta_per_class, "Validation faces per class for TTA on/off")
      ->capture_default_str();
  cmd->callback([o, &exit_code] { guarded(exit_code, [&] { return bench_all(*o); }); });
}

}  // namespace moodtune::dev
