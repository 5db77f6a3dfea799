// audio_features.h — what a piece of music sounds like, measured from its
// samples, and where that puts it in the valence/arousal plane.
//
//   moodtune::AudioBuffer a = moodtune::decode_audio("song.ogg");
//   moodtune::AudioFeatures f = moodtune::analyse_audio(a);
//   moodtune::MoodEstimate m = moodtune::estimate_mood(f);   // in [-1, 1]
//
// Measurements: integrated loudness and loudness range (EBU R128, libebur128),
// tempo and onset density (aubio), key and mode (qm-dsp's chroma key
// detector) and spectral centroid (aubio's phase vocoder).
//
// The mood estimate is a fixed linear model of these cues, weighted by the
// music-emotion literature rather than fitted to one collection; the formula,
// its sources and how well it does on real tracks are in docs/music.md
// ("Local library").
//
// Thread safety: analyse_audio may run on several threads at once (library
// set-up that is not thread safe is serialised inside).
#pragma once
#include "audio/audio_decode.h"

namespace moodtune {

struct AudioFeatures {
  double duration_s = 0;
  double loudness_lufs = -70;  // EBU R128 integrated loudness
  double loudness_range_lu = 0;
  double tempo_bpm = 0;    // 0 when no beat was found
  double onset_rate = 0;   // note onsets per second
  double centroid_hz = 0;  // mean spectral centroid, a brightness measure
  int key = -1;            // pitch class of the tonic, C = 0 (Spotify's convention)
  int mode = -1;           // 1 major, 0 minor (Spotify's convention)
  double mode_score = 0;   // in [-1, 1]: how much better major fits than minor
  double key_clarity = 0;  // correlation of the chroma with the best key profile
};

struct MoodEstimate {
  double valence = 0, arousal = 0;  // in [-1, 1]
};

AudioFeatures analyse_audio(const AudioBuffer& audio);
MoodEstimate estimate_mood(const AudioFeatures& f);

}  // namespace moodtune
