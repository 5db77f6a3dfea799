#include <algorithm>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "vision/face_tracker.h"
#include "vision/pipeline.h"
#include "vision/video_source.h"

namespace moodtune::cli {

void add_watch_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("watch", "Follow faces in a video file or camera and print their smoothed emotion");
  struct Opts {
    std::string source, model = default_model_path(), baseline;
    DetectorParams det;
    int max_frames = 0;
    float alpha = TrackerParams{}.alpha;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--source", o->source, "Video file, or a camera index such as 0")->required();
  cmd->add_option("--model", o->model, kModelOptionHelp)->capture_default_str();
  add_detector_options(cmd, o->det);
  add_baseline_option(cmd, o->baseline);
  cmd->add_option("--max-frames", o->max_frames, "Stop after N frames (0 = until the source ends)");
  cmd->add_option("--smoothing", o->alpha, "EMA weight of the newest frame, 0..1 (1 = no smoothing)")
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "JSON lines, one per frame");
  cmd->callback([o, &exit_code] {
    guarded(exit_code, [&] {
      PipelineParams pp;
      pp.detector = o->det;
      EmotionPipeline pipe(EmotionClassifier::load(o->model), pp);
      if (const int n = apply_baseline(pipe, o->baseline); n > 0 && !o->json)
        std::cout << "calibrated to the relaxed face in " << n << (n == 1 ? " photo" : " photos") << "\n";
      VideoSource cap(o->source);
      if (!cap.is_open()) throw std::runtime_error(cap.open_problem());
      TrackerParams tp;
      tp.alpha = std::clamp(o->alpha, 0.01f, 1.0f);
      FaceTracker tracker(tp);
      const auto& classes = pipe.classifier().classes();
      const double fps = cap.fps(30);
      int frame_no = 0;
      cv::Mat frame;
      while ((o->max_frames <= 0 || frame_no < o->max_frames) && cap.read(frame)) {
        FrameResult r = pipe.process(frame, tracker.search_hints());
        std::vector<FaceTrack> tracks = track_faces(tracker, r);
        const double t = frame_no / fps;
        if (o->json) {
          nlohmann::json fj = {{"frame", frame_no},
                               {"t", std::round(t * 1000) / 1000},
                               {"faces", nlohmann::json::array()},
                               {"ms", r.times.total_ms}};
          for (const FaceTrack& tr : tracks) {
            int top = top_class(tr.smoothed);
            fj["faces"].push_back(
                {{"id", tr.id},
                 {"box", {{"x", tr.box.x}, {"y", tr.box.y}, {"w", tr.box.width}, {"h", tr.box.height}}},
                 {"emotion", classes[static_cast<size_t>(top)]},
                 {"probs", probs_json(tr.smoothed, classes)},
                 {"raw_emotion", classes[static_cast<size_t>(top_class(tr.probs))]}});
          }
          std::cout << fj.dump() << "\n";
        } else {
          char head[64];
          std::snprintf(head, sizeof head, "frame %5d  t=%7.2fs  ", frame_no, t);
          if (tracks.empty()) std::cout << head << "no face\n";
          for (const FaceTrack& tr : tracks)
            std::cout << head << "face #" << tr.id << " " << probs_text(tr.smoothed, classes) << "\n";
        }
        ++frame_no;
      }
      if (frame_no == 0) {
        std::cerr << "error: " << o->source << ": no frames could be read\n";
        return 1;
      }
      std::cerr << "processed " << frame_no << " frames\n";
      return 0;
    });
  });
}

}  // namespace moodtune::cli
