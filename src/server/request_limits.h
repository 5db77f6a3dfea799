// request_limits.h — how much one connection may send and for how long, and
// the check of a request head against it. Free of HTTP libraries so the
// server's parameters and the fuzzer can use it alone.
//
//   moodtune::ConnectionLimits lim;
//   size_t head = 0;
//   if (moodtune::check_request_head(buf, n, lim, &head) == moodtune::HeadCheck::kTooLarge) ...  // 431
//
// Pure functions and a plain struct: thread-safe.
#pragma once
#include <chrono>
#include <cstddef>

namespace moodtune {

struct ConnectionLimits {
  size_t max_head_bytes = 32 << 10;  // request line + all header fields
  size_t max_line_bytes = 8 << 10;   // any one of them
  size_t max_fields = 100;
  std::chrono::seconds head_timeout{10};      // from the first byte wait to the end of the head
  std::chrono::seconds request_timeout{120};  // from then to the end of the body
  int max_per_client = 32;                    // open connections per client address (0 = no cap)
};

// The verdict on a request head (or the part of it received so far).
enum class HeadCheck { kComplete, kNeedMore, kTooLarge };
// Scans `data` for the end of a request head ("\r\n\r\n", or bare LFs).
// kTooLarge when the head, a line or the field count is over the limits;
// kNeedMore when the head has not ended yet but may still fit. `head_size`
// receives the head's length on kComplete. Pure: tested and fuzzed alone.
HeadCheck check_request_head(const char* data, size_t size, const ConnectionLimits& lim, size_t* head_size);

}  // namespace moodtune
