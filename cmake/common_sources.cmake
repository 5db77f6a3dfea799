# The sources of moodtune_common (helpers that depend on nothing above the
# standard library and nlohmann_json), listed once for the main build and the
# separate sanitize/ and fuzz/ projects: a file added here reaches all three
# (a file missing from one of their copies once failed only their link).
get_filename_component(_moodtune_common_dir ${CMAKE_CURRENT_LIST_DIR}/../src/common ABSOLUTE)
set(MOODTUNE_COMMON_SOURCES
  ${_moodtune_common_dir}/emotions.cpp
  ${_moodtune_common_dir}/progress.cpp
  ${_moodtune_common_dir}/stats.cpp
  ${_moodtune_common_dir}/secure_random.cpp
  ${_moodtune_common_dir}/memory_budget.cpp
  ${_moodtune_common_dir}/atomic_file.cpp
  ${_moodtune_common_dir}/home_path.cpp)
