#include "common/progress.h"

#include <unistd.h>

#include <cstdio>

namespace moodtune {

std::string format_duration(double s) {
  if (s < 0 || s != s) return "?";
  char buf[32];
  long t = static_cast<long>(s + 0.5);
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t % 3600) / 60);
  else if (t >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", t);
  return buf;
}

ProgressBar::ProgressBar(std::string label, int64_t total)
    : label_(std::move(label)), total_(total), tty_(isatty(STDERR_FILENO) != 0) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

ProgressBar::~ProgressBar() {
  if (!finished_ && drawn_) std::fputc('\n', stderr);
}

double ProgressBar::rate() const {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return secs > 0 ? static_cast<double>(done_) / secs : 0.0;
}

void ProgressBar::advance(int64_t n, const std::string& status) {
  done_ += n;
  auto now = std::chrono::steady_clock::now();
  // Redrawing is cheap but a tight loop would flood the terminal.
  if (tty_ && now - last_draw_ > std::chrono::milliseconds(100)) {
    last_draw_ = now;
    draw(status, false);
  }
}

void ProgressBar::finish(const std::string& status) {
  if (finished_) return;
  finished_ = true;
  draw(status, true);
}

void ProgressBar::draw(const std::string& status, bool final_line) {
  constexpr int kWidth = 28;
  double frac = total_ > 0 ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  if (frac > 1) frac = 1;
  int filled = static_cast<int>(frac * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '-');
  double r = rate();
  double eta = r > 0 ? static_cast<double>(total_ - done_) / r : -1;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (!tty_ && !final_line) return;
  drawn_ = true;
  std::fprintf(stderr, "%s%s [%s] %3d%% %lld/%lld %.0f/s %s %s%s", tty_ ? "\r\033[K" : "", label_.c_str(), bar.c_str(),
               static_cast<int>(frac * 100), static_cast<long long>(done_), static_cast<long long>(total_), r,
               final_line ? ("in " + format_duration(elapsed)).c_str() : ("ETA " + format_duration(eta)).c_str(),
               status.c_str(), final_line ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace moodtune
