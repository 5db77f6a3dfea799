// audio_route.h — streams a local track's file to a client, with HTTP range
// support (cpp-httplib answers Range headers from the content provider).
//
//   moodtune::AudioFile f = service.audio_file(id);   // validated by the service
//   moodtune::send_audio_file(f, res);
//
// The file is opened here and read in 64 KiB pieces as the client takes
// them, so a long track costs no memory. Thread-safe (no shared state).
#pragma once
#include <httplib.h>

#include "service/mood_service.h"

namespace moodtune {

// Throws ServiceError(kNotFound) when the file cannot be opened.
void send_audio_file(const AudioFile& f, httplib::Response& res);

}  // namespace moodtune
