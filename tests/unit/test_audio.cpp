// Audio analysis on synthesised signals with known answers: the key and
// mode of a triad, loudness of a calibrated sine, onset density of clicks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>

#include "../test_support.h"
#include "audio/audio_features.h"

namespace moodtune {
namespace {

constexpr int kRate = 22050;

// 16-bit PCM WAV, mono.
void write_wav(const std::filesystem::path& path, const std::vector<float>& s, int rate = kRate) {
  std::ofstream out(path, std::ios::binary);
  auto u32 = [&](uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
  const uint32_t bytes = static_cast<uint32_t>(s.size() * 2);
  out.write("RIFF", 4);
  u32(36 + bytes);
  out.write("WAVEfmt ", 8);
  u32(16);
  u16(1);
  u16(1);
  u32(static_cast<uint32_t>(rate));
  u32(static_cast<uint32_t>(rate * 2));
  u16(2);
  u16(16);
  out.write("data", 4);
  u32(bytes);
  for (float v : s) u16(static_cast<uint16_t>(static_cast<int16_t>(std::lround(std::clamp(v, -1.0f, 1.0f) * 32767))));
}

// Repeated arpeggio plus chord of the given MIDI notes, with harmonics.
std::vector<float> triad(std::vector<int> notes, double seconds) {
  std::vector<float> s(static_cast<size_t>(seconds * kRate));
  for (size_t i = 0; i < s.size(); ++i) {
    double t = double(i) / kRate, v = 0;
    for (int n : notes) {
      double f = 440.0 * std::pow(2.0, (n - 69) / 12.0);
      for (int h = 1; h <= 3; ++h) v += std::sin(2 * M_PI * f * h * t) / (h * h);
    }
    s[i] = static_cast<float>(0.15 * v);
  }
  return s;
}

AudioFeatures analyse_file(const std::filesystem::path& p) { return analyse_audio(decode_audio(p.string())); }

TEST(Audio, MajorAndMinorTriadsGiveKeyAndMode) {
  auto dir = test::temp_dir("audio-key");
  write_wav(dir / "cmaj.wav", triad({48, 52, 55, 60, 64, 67}, 12));  // C major
  write_wav(dir / "amin.wav", triad({45, 48, 52, 57, 60, 64}, 12));  // A minor
  AudioFeatures c = analyse_file(dir / "cmaj.wav"), a = analyse_file(dir / "amin.wav");
  EXPECT_EQ(c.key, 0);
  EXPECT_EQ(c.mode, 1);
  EXPECT_EQ(a.key, 9);
  EXPECT_EQ(a.mode, 0);
  EXPECT_GT(c.mode_score, a.mode_score);
  EXPECT_GT(estimate_mood(c).valence, estimate_mood(a).valence);
}

TEST(Audio, LoudnessFollowsLevelAndClicksGiveOnsets) {
  auto dir = test::temp_dir("audio-loud");
  std::vector<float> quiet(kRate * 10), loud(kRate * 10), clicks(kRate * 10, 0.0f);
  for (size_t i = 0; i < quiet.size(); ++i) {
    double x = std::sin(2 * M_PI * 1000.0 * double(i) / kRate);
    quiet[i] = static_cast<float>(0.01 * x);
    loud[i] = static_cast<float>(0.5 * x);
  }
  // 4 clicks per second: short decaying noise bursts over a quiet noise
  // floor (aubio's adaptive threshold needs one, as any recording has).
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  for (float& v : clicks) v = 0.01f * u(rng);
  for (size_t start = 0; start + 400 < clicks.size(); start += kRate / 4)
    for (size_t k = 0; k < 400; ++k) clicks[start + k] += 0.8f * u(rng) * std::exp(-float(k) / 80.0f);
  write_wav(dir / "quiet.wav", quiet);
  write_wav(dir / "loud.wav", loud);
  write_wav(dir / "clicks.wav", clicks);
  AudioFeatures q = analyse_file(dir / "quiet.wav"), l = analyse_file(dir / "loud.wav"),
                c = analyse_file(dir / "clicks.wav");
  // A 0.5-amplitude sine is 34 dB above a 0.01 one.
  EXPECT_NEAR(l.loudness_lufs - q.loudness_lufs, 20 * std::log10(50.0), 1.0);
  EXPECT_NEAR(c.onset_rate, 4.0, 1.0);
  EXPECT_LT(q.onset_rate, 0.5);
  EXPECT_NEAR(c.duration_s, 10.0, 0.1);
  EXPECT_GT(estimate_mood(l).arousal, estimate_mood(q).arousal);
}

TEST(Audio, BadFilesFailWithTheFileName) {
  auto dir = test::temp_dir("audio-bad");
  std::ofstream(dir / "noise.mp3") << "this is not audio at all";
  try {
    decode_audio((dir / "noise.mp3").string());
    FAIL() << "expected AudioError";
  } catch (const AudioError& e) {
    EXPECT_NE(std::string(e.what()).find("noise.mp3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(decode_audio((dir / "missing.ogg").string()), AudioError);
  EXPECT_THROW(analyse_audio(AudioBuffer{}), AudioError);
}

TEST(Audio, DecodingStopsAtTheLimit) {
  auto dir = test::temp_dir("audio-limit");
  write_wav(dir / "long.wav", triad({60}, 5));
  DecodeParams p;
  p.max_seconds = 2;
  AudioBuffer a = decode_audio((dir / "long.wav").string(), p);
  EXPECT_TRUE(a.truncated);
  EXPECT_NEAR(a.duration_s(), 2.0, 0.01);
  EXPECT_NEAR(a.source_duration_s, 5.0, 0.05);
}

}  // namespace
}  // namespace moodtune
