// dataset.h — labelled face images in memory, loaded from a class-folder
// tree or from the original FER2013 CSV.
//
//   moodtune::LoadReport rep;
//   auto splits = moodtune::load_splits("fer2013/", 48, rep);  // or a .csv
//   std::cout << splits.train.size() << " training faces\n";
//   for (auto& p : rep.problems) std::cerr << p << "\n";      // file[:line]: why
//
// Images are stored as one uint8 tensor [N,S,S] (FER2013 train is 66 MB), so
// epochs never touch the disk. Nothing is dropped silently: every skipped
// file or row becomes a line in LoadReport::problems.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "vision/preprocess.h"

namespace moodtune {

struct LoadReport {
  std::vector<std::string> problems;  // "path[:line]: what is wrong"
};

struct FaceDataset {
  torch::Tensor images;         // uint8 [N,S,S]
  std::vector<int64_t> labels;  // index into classes
  std::vector<std::string> classes;
  std::vector<std::string> sources;  // file path, or "file.csv:LINE"
  int64_t size() const { return static_cast<int64_t>(labels.size()); }
  std::vector<int64_t> class_counts() const;
  // A subset with at most `per_class` images of each class (first ones in
  // load order, which is sorted by path): small real sets for smoke tests.
  FaceDataset take_per_class(int64_t per_class) const;
  FaceDataset subset(const std::vector<int64_t>& indices) const;
};

struct DataSplits {
  FaceDataset train;
  FaceDataset val;
  std::string train_source, val_source;  // where each split came from
};

// Class names for a folder tree: the 7 FER2013 emotions when every class
// folder is one of them (so a tree with a missing class keeps the standard
// order), otherwise the sorted folder names of `split_dir`.
std::vector<std::string> discover_classes(const std::string& split_dir);

// `<dir>/<class>/*` (images of any format OpenCV reads). Folders whose name is
// not in `classes` are reported, not loaded.
FaceDataset load_folder(const std::string& dir, const std::vector<std::string>& classes, int input_size,
                        LoadReport& report);

// FER2013 CSV: columns emotion,pixels,Usage (in any order, header required).
// `usage` selects rows ("Training", "PublicTest", "PrivateTest"); empty = all.
// Labels are converted from the CSV's numbering to the folder order.
FaceDataset load_fer_csv(const std::string& csv_path, const std::string& usage, int input_size, LoadReport& report);

// `root` is either a folder with train/ and val/ (or test/) split folders, or a
// FER2013 CSV (Training -> train, PublicTest -> val). Throws
// std::runtime_error when a split is missing or empty.
DataSplits load_splits(const std::string& root, int input_size, LoadReport& report);

// is_image_file: vision/image_io.h.

// The dataset as a model with these preprocessing parameters sees it: `ds`
// itself unless pp.level_eyes, else a copy whose faces are levelled by their
// eye line (face_crop.h's prepare_for_model, the path inference takes).
// Costs what the levelled crop costs (docs/training.md), spread over
// `threads`; `label` names the progress bar.
FaceDataset levelled_for(const FaceDataset& ds, const PreprocessParams& pp, int threads = 2,
                         const std::string& label = "levelling faces");

// Pairs (i in a, j in b) whose pixels are identical. Training reports these
// between its train and validation splits: a validation image that also
// sits in the training data inflates the reported accuracy.
std::vector<std::pair<int64_t, int64_t>> find_duplicates(const FaceDataset& a, const FaceDataset& b);

// The images of `b` among those pairs, each once, ascending: an image of `b`
// may repeat several of `a`, so this, not the pair count, is how many repeat.
std::vector<int64_t> repeated_images(const std::vector<std::pair<int64_t, int64_t>>& pairs);

}  // namespace moodtune
