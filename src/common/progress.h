// progress.h — a terminal progress bar for long work (training, evaluation).
//
//   moodtune::ProgressBar bar("epoch 3", total_images);
//   for (...) { bar.advance(batch, "loss 0.91 acc 0.64"); }
//   bar.finish();
//
// Draws to stderr, only when stderr is a terminal (logs and CI stay clean:
// there it prints one summary line at finish). Not thread-safe: one owner.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace moodtune {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total);
  ~ProgressBar();
  void advance(int64_t n, const std::string& status = {});
  void finish(const std::string& status = {});
  double rate() const;  // items per second so far
  int64_t done() const { return done_; }

 private:
  void draw(const std::string& status, bool final_line);
  std::string label_;
  int64_t total_;
  int64_t done_ = 0;
  bool tty_;
  bool finished_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

std::string format_duration(double seconds);  // "1h02m", "3m05s", "12s"

}  // namespace moodtune
