// home_path.h — paths written into files that travel (model files) with the
// user's home folder said as "~", and read back on any machine.
//
//   info.meta["train_data"] = moodtune::tilde_home("/home/ana/.cache/moodtune/fer2013/train");
//       // -> "~/.cache/moodtune/fer2013/train"
//   std::string dir = moodtune::expand_home(info.meta.value("train_data", ""));
//       // -> "/home/bo/.cache/moodtune/fer2013/train" for bo
//
// Why: a model file records where its data came from (provenance, and the
// default calibration set of `quantize`). As an absolute path that named
// the trainer's account (/home/ana/...) in every model they shared; as
// "~/..." it names nothing personal and still finds the same cache on the
// next machine. Paths outside the home folder are kept as they are.
//
// Contract: HOME is read on each call; an unset, empty or "/" HOME changes
// nothing. A comma-separated list (an ensemble of teachers) is handled item
// by item. Only whole path components match ("/home/ana2" is not under
// "/home/ana"). Thread safety: as safe as getenv (no setenv meanwhile).
#pragma once
#include <string>

namespace moodtune {

// "/home/ana/x" -> "~/x" and "/home/ana" -> "~" when HOME is /home/ana.
std::string tilde_home(const std::string& paths);

// "~/x" -> "$HOME/x" and "~" -> "$HOME"; anything else unchanged.
std::string expand_home(const std::string& paths);

}  // namespace moodtune
