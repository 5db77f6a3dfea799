// libFuzzer target: audio files as the library scan reads them: TagLib tags
// (the parser is chosen by extension, so each input is tried as ogg, mp3 and
// flac) and FFmpeg decoding plus analysis of at most 2 seconds.
#include <taglib/fileref.h>
#include <taglib/tag.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "audio/audio_features.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string base = "/dev/shm/moodtune-fuzz-" + std::to_string(getpid());
  for (const char* ext : {".ogg", ".mp3", ".flac"}) {
    const std::string path = base + ext;
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    TagLib::FileRef ref(path.c_str());
    if (!ref.isNull() && ref.tag()) (void)ref.tag()->title().to8Bit(true);
    if (ext[1] != 'o') continue;  // FFmpeg sniffs the content; once is enough
    try {
      moodtune::DecodeParams p;
      p.max_seconds = 2;
      auto audio = moodtune::decode_audio(path, p);
      moodtune::analyse_audio(audio);
    } catch (const moodtune::AudioError&) {
    }
  }
  return 0;
}
