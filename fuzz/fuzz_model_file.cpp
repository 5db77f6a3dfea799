// libFuzzer target: the model file loader (magic, version, JSON header,
// payload, CRC-32, shape checks). Anything wrong must be a ModelFileError.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "vision/model_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/dev/shm/moodtune-fuzz-" + std::to_string(getpid()) + ".mtm";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    moodtune::load_model_file(path);
  } catch (const moodtune::ModelFileError&) {
  }
  return 0;
}
