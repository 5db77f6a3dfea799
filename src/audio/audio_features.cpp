#include "audio/audio_features.h"

#include <aubio/aubio.h>
#include <ebur128.h>
#include <qm-dsp/dsp/keydetection/GetKeyMode.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <mutex>

namespace moodtune {
namespace {

// aubio plans its FFTs with FFTW, whose planner is not thread safe.
std::mutex& aubio_setup_mutex() {
  static std::mutex m;
  return m;
}

template <typename T, void (*Del)(T*)>
struct AubioDeleter {
  void operator()(T* p) const {
    std::lock_guard<std::mutex> lock(aubio_setup_mutex());
    Del(p);
  }
};
using FvecPtr = std::unique_ptr<fvec_t, AubioDeleter<fvec_t, del_fvec>>;
using CvecPtr = std::unique_ptr<cvec_t, AubioDeleter<cvec_t, del_cvec>>;
using TempoPtr = std::unique_ptr<aubio_tempo_t, AubioDeleter<aubio_tempo_t, del_aubio_tempo>>;
using OnsetPtr = std::unique_ptr<aubio_onset_t, AubioDeleter<aubio_onset_t, del_aubio_onset>>;
using PvocPtr = std::unique_ptr<aubio_pvoc_t, AubioDeleter<aubio_pvoc_t, del_aubio_pvoc>>;
using SpecPtr = std::unique_ptr<aubio_specdesc_t, AubioDeleter<aubio_specdesc_t, del_aubio_specdesc>>;

// Typical gap between the best major and best minor correlation of a piece
// with a clear mode; the difference is squashed with tanh on this scale.
constexpr double kModeScale = 0.05;

double clamp01(double x) { return std::clamp(x, 0.0, 1.0); }

void measure_loudness(const AudioBuffer& a, AudioFeatures& f) {
  ebur128_state* st = ebur128_init(1, static_cast<unsigned long>(a.sample_rate), EBUR128_MODE_I | EBUR128_MODE_LRA);
  if (!st) throw AudioError("libebur128: out of memory");
  ebur128_add_frames_float(st, a.samples.data(), a.samples.size());
  double v = 0;
  if (ebur128_loudness_global(st, &v) == EBUR128_SUCCESS && std::isfinite(v)) f.loudness_lufs = v;
  if (ebur128_loudness_range(st, &v) == EBUR128_SUCCESS && std::isfinite(v)) f.loudness_range_lu = v;
  ebur128_destroy(&st);
}

// One pass over the signal in hops feeds tempo, onsets and the centroid.
void measure_rhythm_and_timbre(const AudioBuffer& a, AudioFeatures& f) {
  const uint_t win = 1024, hop = 512, sr = static_cast<uint_t>(a.sample_rate);
  FvecPtr in, beat, onset_out, desc;
  CvecPtr grain;
  TempoPtr tempo;
  OnsetPtr onset;
  PvocPtr pvoc;
  SpecPtr centroid;
  {
    std::lock_guard<std::mutex> lock(aubio_setup_mutex());
    in.reset(new_fvec(hop));
    beat.reset(new_fvec(1));
    onset_out.reset(new_fvec(1));
    desc.reset(new_fvec(1));
    grain.reset(new_cvec(win));
    tempo.reset(new_aubio_tempo("default", win, hop, sr));
    onset.reset(new_aubio_onset("default", win, hop, sr));
    pvoc.reset(new_aubio_pvoc(win, hop));
    centroid.reset(new_aubio_specdesc("centroid", win));
  }
  if (!in || !tempo || !onset || !pvoc || !centroid) throw AudioError("aubio: cannot create analysers");

  size_t onsets = 0;
  double centroid_sum = 0, weight_sum = 0;
  for (size_t pos = 0; pos + hop <= a.samples.size(); pos += hop) {
    std::copy_n(a.samples.data() + pos, hop, in->data);
    aubio_tempo_do(tempo.get(), in.get(), beat.get());
    aubio_onset_do(onset.get(), in.get(), onset_out.get());
    if (onset_out->data[0] > 0) ++onsets;
    aubio_pvoc_do(pvoc.get(), in.get(), grain.get());
    aubio_specdesc_do(centroid.get(), grain.get(), desc.get());
    // Weight frames by energy so silence between movements does not pull
    // the brightness towards whatever noise it holds.
    double energy = 0;
    for (uint_t i = 0; i < grain->length; ++i) energy += grain->norm[i] * grain->norm[i];
    if (energy > 1e-6 && std::isfinite(desc->data[0])) {
      centroid_sum += energy * desc->data[0];
      weight_sum += energy;
    }
  }
  f.tempo_bpm = std::max(0.0, double(aubio_tempo_get_bpm(tempo.get())));
  f.onset_rate = a.duration_s() > 0 ? onsets / a.duration_s() : 0;
  // aubio reports the centroid as an FFT bin index.
  if (weight_sum > 0) f.centroid_hz = centroid_sum / weight_sum * sr / win;
}

void measure_key(const AudioBuffer& a, AudioFeatures& f) {
  // qm-dsp's key detector gives different answers when two instances run at
  // once (shared state inside the library, seen as run-to-run differences
  // with two scan threads), so instances take turns.
  static std::mutex key_mutex;
  std::lock_guard<std::mutex> lock(key_mutex);
  // Tuning 440 Hz and 10-frame averaging are qm-dsp's key detector defaults.
  GetKeyMode detector(a.sample_rate, 440.0f, 10, 10);
  const size_t block = detector.getBlockSize(), hop = detector.getHopSize();
  if (a.samples.size() < block) return;
  // The detector's own answer is a per-frame running median, which short
  // pieces never warm up for; summing its 24 key correlations over the whole
  // piece gives one track-level estimate (a long-window Krumhansl-style
  // profile match).
  std::vector<double> buf(block);
  std::array<double, 24> strength{};
  int frames = 0;
  for (size_t pos = 0; pos + block <= a.samples.size(); pos += hop) {
    std::copy_n(a.samples.data() + pos, block, buf.begin());
    detector.process(buf.data());
    const double* ks = detector.getKeyStrengths();
    for (size_t k = 0; k < 24; ++k)
      if (std::isfinite(ks[k])) strength[k] += ks[k];
    ++frames;
  }
  if (frames == 0) return;
  for (double& s : strength) s /= frames;
  // Order: C..B major, then C..B minor.
  auto best_major = std::max_element(strength.begin(), strength.begin() + 12);
  auto best_minor = std::max_element(strength.begin() + 12, strength.end());
  const bool major = *best_major >= *best_minor;
  f.mode = major ? 1 : 0;
  f.key = static_cast<int>((major ? best_major : best_minor) - (major ? strength.begin() : strength.begin() + 12));
  f.key_clarity = std::max(*best_major, *best_minor);
  f.mode_score = std::tanh((*best_major - *best_minor) / kModeScale);
}

}  // namespace

AudioFeatures analyse_audio(const AudioBuffer& a) {
  if (a.samples.empty() || a.sample_rate <= 0) throw AudioError("no audio to analyse");
  AudioFeatures f;
  f.duration_s = a.duration_s();
  measure_loudness(a, f);
  measure_rhythm_and_timbre(a, f);
  // Near-silence has no key; a guess would only add noise to the valence.
  if (f.loudness_lufs > -50) measure_key(a, f);
  return f;
}

MoodEstimate estimate_mood(const AudioFeatures& f) {
  // Each cue is mapped onto [0, 1] over the range where real music lies.
  const double loud = clamp01((f.loudness_lufs + 35.0) / 25.0);                        // -35 .. -10 LUFS
  const double tempo = f.tempo_bpm > 0 ? clamp01((f.tempo_bpm - 60.0) / 100.0) : 0.5;  // 60 .. 160 BPM
  const double density = clamp01(f.onset_rate / 5.0);                                  // 0 .. 5 onsets/s
  const double bright = clamp01((f.centroid_hz - 500.0) / 2500.0);                     // 500 .. 3000 Hz
  MoodEstimate m;
  m.arousal = 2.0 * (0.35 * loud + 0.25 * density + 0.2 * tempo + 0.2 * bright) - 1.0;
  m.valence = std::clamp(0.55 * f.mode_score + 0.25 * (2 * tempo - 1) + 0.2 * (2 * bright - 1), -1.0, 1.0);
  return m;
}

}  // namespace moodtune
