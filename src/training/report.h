// report.h — the training report: curves, confusion matrix, class
// distribution and lighting robustness as PNGs plus a markdown summary.
//
//   moodtune::write_training_report("runs/fer", "../shared/fer2013");
//   // runs/fer/report/{report.md,report.json,curves_loss.png,curves_accuracy.png,
//   //                  confusion.png,class_distribution.png}
//
// Reads what train_model() left in the run folder (checkpoint/state.json,
// data_stats.json, best.mtm), evaluates best.mtm on the validation split
// (plain and with TTA) and under the lighting changes. Can be run again at
// any time, also while or after a run is resumed.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "training/dataset.h"

namespace moodtune {

// Table and bar chart of class counts per split, before/after resampling.
// `stats` is data_stats.json's content. Returns the markdown table.
std::string write_class_distribution(const nlohmann::json& stats, const std::string& png_path);

// Returns the report folder. Throws std::runtime_error when the run folder
// lacks a finished epoch.
std::string write_training_report(const std::string& run_dir, const DataSplits& data);

}  // namespace moodtune
