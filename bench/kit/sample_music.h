// sample_music.h — where the real music the tests and benchmarks use lives.
//
//   std::string dir = moodtune::kit::kWesnothMusic;  // 41 Ogg Vorbis files
//
// Debian's free Wesnoth soundtrack (wesnoth-1.16-music, installed by
// scripts/setup.sh), which scripts/run.sh also scans as the default library.
#pragma once

namespace moodtune::kit {

inline constexpr const char* kWesnothMusic = "/usr/share/games/wesnoth/1.16/data/core/music";

}  // namespace moodtune::kit
