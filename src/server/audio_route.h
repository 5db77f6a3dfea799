// audio_route.h — streams a local track's file to a client, with one HTTP
// byte range at most.
//
//   moodtune::AudioFile f = service.audio_file(id);   // opened safely by the service
//   moodtune::send_audio_file(f, req, res);
//
// Ranges are checked here before cpp-httplib sees them: one range, ends
// clamped to the file, an unsatisfiable one (start past the end, "-0") is
// 416 with "Content-Range: bytes */SIZE"; several ranges get the whole file
// (200), as RFC 9110 allows, instead of a multipart answer that could repeat
// the file hundreds of times. The file is read in 64 KiB pieces as the
// client takes them, so a long track costs no memory. Thread-safe.
#pragma once
#include <httplib.h>

#include <optional>
#include <utility>

#include "service/mood_service.h"

namespace moodtune {

// The one range to serve of a file of `size` bytes, as [first, last]; empty
// optional = the whole file. Throws RangeNotSatisfiable.
struct RangeNotSatisfiable {};
std::optional<std::pair<uint64_t, uint64_t>> choose_range(const httplib::Ranges& ranges, uint64_t size);

void send_audio_file(const AudioFile& f, const httplib::Request& req, httplib::Response& res);

}  // namespace moodtune
