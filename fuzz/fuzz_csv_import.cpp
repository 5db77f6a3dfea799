// libFuzzer target: the CSV importer (libcsv, format detection, row
// validation) into an in-memory SQLite catalog. Bad rows are reported, not
// fatal; whole-file problems throw std::runtime_error.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "music/csv_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/dev/shm/moodtune-fuzz-" + std::to_string(getpid()) + ".csv";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    moodtune::Catalog cat(":memory:");
    auto report = moodtune::import_csv(cat, path, "auto");
    (void)report;
  } catch (const std::runtime_error&) {
  }
  return 0;
}
