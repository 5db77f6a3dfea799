#include "server/audio_route.h"

#include <fstream>
#include <memory>

namespace moodtune {

void send_audio_file(const AudioFile& f, httplib::Response& res) {
  auto file = std::make_shared<std::ifstream>(f.path, std::ios::binary);
  if (!*file)
    throw ServiceError(ServiceError::Kind::kNotFound, "cannot read the file of this track; rescan the library");
  res.set_header("Accept-Ranges", "bytes");
  res.set_header("Cache-Control", "private, max-age=3600");
  res.set_content_provider(static_cast<size_t>(f.size), f.content_type.c_str(),
                           [file](size_t offset, size_t length, httplib::DataSink& sink) {
                             char buf[64 * 1024];
                             file->clear();
                             file->seekg(static_cast<std::streamoff>(offset));
                             const size_t n = std::min(length, sizeof buf);
                             file->read(buf, static_cast<std::streamsize>(n));
                             const auto got = static_cast<size_t>(file->gcount());
                             if (got == 0) return false;
                             return sink.write(buf, got);
                           });
}

}  // namespace moodtune
