// audio_decode.h — decode any audio file FFmpeg understands (ogg, mp3, flac,
// wav, opus, m4a, ...) into mono float samples at a chosen rate.
//
//   moodtune::DecodeParams p;            // 22050 Hz mono, at most 15 minutes
//   moodtune::AudioBuffer a = moodtune::decode_audio("song.ogg", p);
//   double seconds = a.duration_s();
//
// Errors (missing file, not audio, corrupt stream) throw AudioError naming
// the file. Decoding stops at max_seconds so a ten-hour file cannot exhaust
// memory; `truncated` says when that happened. Thread safe: each call owns
// its FFmpeg contexts.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace moodtune {

struct AudioError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct DecodeParams {
  int sample_rate = 22050;       // analysis needs nothing above 11 kHz
  double max_seconds = 15 * 60;  // stop decoding after this much audio
};

struct AudioBuffer {
  std::vector<float> samples;  // mono, in [-1, 1]
  int sample_rate = 0;
  double source_duration_s = 0;  // as the container reports it (0 if unknown)
  bool truncated = false;
  double duration_s() const { return sample_rate ? double(samples.size()) / sample_rate : 0.0; }
};

AudioBuffer decode_audio(const std::string& path, const DecodeParams& params = {});

}  // namespace moodtune
