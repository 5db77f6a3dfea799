#include "server/audio_route.h"

#include <unistd.h>

#include <algorithm>
#include <memory>

namespace moodtune {

std::optional<std::pair<uint64_t, uint64_t>> choose_range(const httplib::Ranges& ranges, uint64_t size) {
  if (ranges.size() != 1) return std::nullopt;
  const auto [a, b] = ranges.front();
  if (a < 0) {  // "-N": the last N bytes
    if (b <= 0 || size == 0) throw RangeNotSatisfiable{};
    const uint64_t n = std::min<uint64_t>(static_cast<uint64_t>(b), size);
    return std::make_pair(size - n, size - 1);
  }
  const auto first = static_cast<uint64_t>(a);
  if (first >= size) throw RangeNotSatisfiable{};
  const uint64_t last = b < 0 ? size - 1 : std::min<uint64_t>(static_cast<uint64_t>(b), size - 1);
  if (last < first) throw RangeNotSatisfiable{};
  return std::make_pair(first, last);
}

void send_audio_file(const AudioFile& f, const httplib::Request& req, httplib::Response& res) {
  // cpp-httplib applies req.ranges to the answer after this handler; the
  // request object is ours for this call (httplib owns a mutable one and
  // hands it out const), so the checked range replaces what the client sent.
  auto& ranges = const_cast<httplib::Request&>(req).ranges;
  std::optional<std::pair<uint64_t, uint64_t>> range;
  try {
    range = choose_range(ranges, f.size);
  } catch (const RangeNotSatisfiable&) {
    ranges.clear();
    res.status = 416;
    res.set_header("Content-Range", "bytes */" + std::to_string(f.size));
    res.set_content(R"({"error":"the requested range is outside the file"})", "application/json");
    return;
  }
  ranges.clear();
  if (range) ranges.emplace_back(static_cast<ssize_t>(range->first), static_cast<ssize_t>(range->second));
  res.set_header("Accept-Ranges", "bytes");
  res.set_header("Cache-Control", "private, max-age=3600");
  std::shared_ptr<const int> fd = f.fd;
  res.set_content_provider(static_cast<size_t>(f.size), f.content_type.c_str(),
                           [fd](size_t offset, size_t length, httplib::DataSink& sink) {
                             char buf[64 * 1024];
                             const size_t n = std::min(length, sizeof buf);
                             const ssize_t got = ::pread(*fd, buf, n, static_cast<off_t>(offset));
                             if (got <= 0) return false;
                             return sink.write(buf, static_cast<size_t>(got));
                           });
}

}  // namespace moodtune
