// plot.h — small chart renderer (OpenCV images) for reports: line charts,
// grouped bar charts and confusion-matrix heat maps.
//
//   moodtune::LineChart c{"Accuracy", "epoch", "accuracy"};
//   c.series.push_back({"train", xs, train_acc});
//   c.series.push_back({"val", xs, val_acc});
//   moodtune::write_image("accuracy.png", moodtune::render(c));  // vision/image_io.h
//
// Pure functions (drawing only; writing files is image_io's job); thread-safe.
#pragma once
#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace moodtune {

struct Series {
  std::string name;
  std::vector<double> x, y;
};

struct LineChart {
  std::string title, x_label, y_label;
  std::vector<Series> series;
  cv::Size size{800, 480};
};

struct BarChart {
  std::string title, y_label;
  std::vector<std::string> categories;
  std::vector<Series> groups;  // y[i] is the bar of categories[i]; x unused
  cv::Size size{800, 480};
};

cv::Mat render(const LineChart& chart);
cv::Mat render(const BarChart& chart);
// Rows = true class, columns = predicted; cells coloured by row share and
// labelled with count and row percentage.
cv::Mat render_confusion(const std::vector<std::vector<int64_t>>& m, const std::vector<std::string>& classes,
                         const std::string& title);

}  // namespace moodtune
