#include "plot/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace moodtune {
namespace {
const cv::Scalar kInk(40, 40, 40), kGrid(225, 225, 225), kWhite(255, 255, 255);
// Colour-blind-safe palette (Okabe & Ito), BGR.
const std::vector<cv::Scalar> kPalette = {{178, 114, 0}, {0, 159, 230},  {115, 158, 0}, {167, 121, 204},
                                          {0, 94, 213},  {233, 180, 86}, {66, 228, 240}};
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

void text(cv::Mat& img, const std::string& s, cv::Point p, double scale = 0.45, cv::Scalar c = kInk,
          bool centre = false) {
  int base = 0;
  cv::Size ts = cv::getTextSize(s, kFont, scale, 1, &base);
  if (centre) p.x -= ts.width / 2;
  cv::putText(img, s, p, kFont, scale, c, 1, cv::LINE_AA);
}

std::string fmt(double v) {
  char b[32];
  if (std::fabs(v) >= 1000)
    std::snprintf(b, sizeof b, "%.0f", v);
  else if (std::fabs(v) >= 10)
    std::snprintf(b, sizeof b, "%.1f", v);
  else
    std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

// "Nice" tick step for a range (1, 2, 5 x 10^k).
double nice_step(double range, int target) {
  double raw = range / std::max(1, target);
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

struct Frame {
  cv::Rect area;
  double x0, x1, y0, y1;
  cv::Point map(double x, double y) const {
    double fx = x1 > x0 ? (x - x0) / (x1 - x0) : 0.5;
    double fy = y1 > y0 ? (y - y0) / (y1 - y0) : 0.5;
    return {area.x + static_cast<int>(fx * area.width), area.y + area.height - static_cast<int>(fy * area.height)};
  }
};

Frame axes(cv::Mat& img, const std::string& title, const std::string& xl, const std::string& yl, double x0, double x1,
           double y0, double y1, bool x_ticks) {
  Frame f{cv::Rect(70, 40, img.cols - 90 - 130, img.rows - 100), x0, x1, y0, y1};
  text(img, title, {img.cols / 2, 25}, 0.6, kInk, true);
  double ys = nice_step(y1 - y0, 6);
  for (double v = std::ceil(y0 / ys) * ys; v <= y1 + 1e-9; v += ys) {
    cv::Point p = f.map(x0, v);
    cv::line(img, {f.area.x, p.y}, {f.area.x + f.area.width, p.y}, kGrid);
    text(img, fmt(v), {8, p.y + 4});
  }
  if (x_ticks) {
    double xs = nice_step(x1 - x0, 8);
    for (double v = std::ceil(x0 / xs) * xs; v <= x1 + 1e-9; v += xs) {
      cv::Point p = f.map(v, y0);
      cv::line(img, {p.x, f.area.y + f.area.height}, {p.x, f.area.y + f.area.height + 4}, kInk);
      text(img, fmt(v), {p.x, p.y + 20}, 0.45, kInk, true);
    }
  }
  cv::rectangle(img, f.area, kInk);
  text(img, xl, {f.area.x + f.area.width / 2, img.rows - 15}, 0.5, kInk, true);
  text(img, yl, {8, 30}, 0.45);
  return f;
}

void legend(cv::Mat& img, const std::vector<Series>& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    cv::Point p(img.cols - 140, 60 + static_cast<int>(i) * 22);
    cv::rectangle(img, cv::Rect(p.x, p.y - 9, 14, 10), kPalette[i % kPalette.size()], cv::FILLED);
    text(img, s[i].name, {p.x + 20, p.y});
  }
}
}  // namespace

cv::Mat render(const LineChart& c) {
  cv::Mat img(c.size, CV_8UC3, kWhite);
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const auto& s : c.series)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      x0 = std::min(x0, s.x[i]), x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, s.y[i]), y1 = std::max(y1, s.y[i]);
    }
  if (x0 > x1) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  double pad = (y1 - y0) * 0.05 + 1e-6;
  Frame f = axes(img, c.title, c.x_label, c.y_label, x0, x1, y0 - pad, y1 + pad, true);
  for (size_t k = 0; k < c.series.size(); ++k) {
    const auto& s = c.series[k];
    std::vector<cv::Point> pts;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) pts.push_back(f.map(s.x[i], s.y[i]));
    cv::polylines(img, pts, false, kPalette[k % kPalette.size()], 2, cv::LINE_AA);
    if (pts.size() == 1) cv::circle(img, pts[0], 3, kPalette[k % kPalette.size()], cv::FILLED);
  }
  legend(img, c.series);
  return img;
}

cv::Mat render(const BarChart& c) {
  cv::Mat img(c.size, CV_8UC3, kWhite);
  double y1 = 0;
  for (const auto& g : c.groups)
    for (double v : g.y) y1 = std::max(y1, v);
  Frame f = axes(img, c.title, "", c.y_label, 0, 1, 0, y1 * 1.1 + 1e-9, false);
  const size_t n = c.categories.size(), k = std::max<size_t>(1, c.groups.size());
  const double slot = static_cast<double>(f.area.width) / std::max<size_t>(1, n);
  const double bw = slot * 0.8 / static_cast<double>(k);
  for (size_t i = 0; i < n; ++i) {
    int cx = f.area.x + static_cast<int>(slot * (static_cast<double>(i) + 0.5));
    text(img, c.categories[i], {cx, f.area.y + f.area.height + 18}, 0.45, kInk, true);
    for (size_t g = 0; g < c.groups.size(); ++g) {
      if (i >= c.groups[g].y.size()) continue;
      double v = c.groups[g].y[i];
      int x = f.area.x + static_cast<int>(slot * static_cast<double>(i) + slot * 0.1 + bw * static_cast<double>(g));
      cv::Point top = f.map(0, v);
      cv::rectangle(img, cv::Rect(x, top.y, std::max(1, static_cast<int>(bw) - 2), f.area.y + f.area.height - top.y),
                    kPalette[g % kPalette.size()], cv::FILLED);
      text(img, fmt(v), {x + static_cast<int>(bw / 2), top.y - 4}, 0.35, kInk, true);
    }
  }
  legend(img, c.groups);
  return img;
}

cv::Mat render_confusion(const std::vector<std::vector<int64_t>>& m, const std::vector<std::string>& classes,
                         const std::string& title) {
  const int n = static_cast<int>(m.size());
  const int cell = 80, left = 110, top = 70;
  cv::Mat img(top + cell * n + 60, left + cell * n + 20, CV_8UC3, kWhite);
  text(img, title, {img.cols / 2, 25}, 0.6, kInk, true);
  text(img, "predicted", {left + cell * n / 2, 50}, 0.5, kInk, true);
  for (int r = 0; r < n; ++r) {
    int64_t row = 0;
    for (int64_t v : m[static_cast<size_t>(r)]) row += v;
    text(img, classes[static_cast<size_t>(r)], {8, top + r * cell + cell / 2 + 5}, 0.5);
    for (int c = 0; c < n; ++c) {
      const int64_t v = m[static_cast<size_t>(r)][static_cast<size_t>(c)];
      const double share = row > 0 ? static_cast<double>(v) / static_cast<double>(row) : 0.0;
      // White to deep blue by row share.
      cv::Scalar col(255 - share * 75, 255 - share * 190, 255 - share * 230);
      cv::Rect rc(left + c * cell, top + r * cell, cell, cell);
      cv::rectangle(img, rc, col, cv::FILLED);
      cv::rectangle(img, rc, kGrid);
      cv::Scalar ink = share > 0.5 ? kWhite : kInk;
      text(img, std::to_string(v), {rc.x + cell / 2, rc.y + cell / 2 - 2}, 0.5, ink, true);
      char pct[16];
      std::snprintf(pct, sizeof pct, "%.0f%%", share * 100);
      text(img, pct, {rc.x + cell / 2, rc.y + cell / 2 + 18}, 0.4, ink, true);
    }
  }
  for (int c = 0; c < n; ++c)
    text(img, classes[static_cast<size_t>(c)], {left + c * cell + cell / 2, top + cell * n + 20}, 0.45, kInk, true);
  text(img, "rows: true class", {8, img.rows - 12}, 0.45);
  return img;
}

}  // namespace moodtune
