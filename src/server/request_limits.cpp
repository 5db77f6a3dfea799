#include "server/request_limits.h"

namespace moodtune {

HeadCheck check_request_head(const char* data, size_t size, const ConnectionLimits& lim, size_t* head_size) {
  size_t line_start = 0, lines = 0;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] != '\n') continue;
    const size_t len = i - line_start;
    if (len > lim.max_line_bytes) return HeadCheck::kTooLarge;
    const bool empty = len == 0 || (len == 1 && data[line_start] == '\r');
    if (i + 1 > lim.max_head_bytes) return HeadCheck::kTooLarge;
    // An empty first line is malformed; the library answers it with 400.
    if (empty) {
      if (head_size) *head_size = i + 1;
      return HeadCheck::kComplete;
    }
    if (++lines > lim.max_fields + 1) return HeadCheck::kTooLarge;  // + the request line
    line_start = i + 1;
  }
  if (size - line_start > lim.max_line_bytes || size > lim.max_head_bytes) return HeadCheck::kTooLarge;
  return HeadCheck::kNeedMore;
}

}  // namespace moodtune
