// demo_clip.h — `moodtune data demo-video`: a clip of real FER2013
// validation faces, one per emotion, each composed into a 640x480 frame and
// held for a few seconds. The browser tests feed it to Chromium as a fake
// camera (.y4m); the server plays it as a video source (.avi, MJPEG).
//
//   moodtune::DemoClipParams p;
//   p.fer = "~/.cache/moodtune/fer2013";  p.out = "demo.y4m";
//   p.model = "models/default.mtm";        // pick faces this model reads clearly
//   moodtune::DemoClip clip = moodtune::make_demo_clip(p);
//   for (const auto& f : clip.faces) std::cout << f.emotion << ": " << f.file << "\n";
//
// Writes only `out` (whole, or not at all); safe from any thread.
#pragma once
#include <string>
#include <vector>

namespace moodtune {

struct DemoClipParams {
  std::string fer;                    // FER2013 folder with val/<class>/
  std::string out = "demo.avi";       // .avi (MJPEG) or .y4m (raw 4:2:0, what Chromium's fake camera reads)
  std::string model;                  // "": the first readable file per emotion; else one this model reads clearly
  std::vector<std::string> emotions;  // in order; empty: all 7
  int seconds_per_face = 2, fps = 15;
};

struct DemoClipFace {
  std::string emotion, file;
  float confidence = -1;  // the model's, through the whole pipeline on the composed frame; -1 without a model
};

struct DemoClip {
  std::vector<DemoClipFace> faces;    // in the clip's order
  std::vector<std::string> left_out;  // an emotion without a usable face, with why
  double seconds = 0;
};

// Throws std::invalid_argument for an unknown emotion or one without a
// folder under fer/val/, an `out` that is not .avi/.y4m or whose folder is
// missing, or fps/seconds outside 1..60; std::runtime_error when the video
// cannot be written or no face at all qualified. Nothing is left at `out`
// when it throws.
DemoClip make_demo_clip(const DemoClipParams& p);

}  // namespace moodtune
