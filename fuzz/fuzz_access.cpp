// libFuzzer target: the Host, Origin and Authorization headers and the raw
// request head an attacker controls. The policy must never throw, never
// admit a name it does not know nor a wrong token; the head check must
// never read past its input and never pass a head over its limits.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/access.h"
#include "server/request_limits.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const moodtune::AccessPolicy policy(
      [] {
        moodtune::AccessParams p;
        p.allowed_hosts = {"kiosk.lan"};
        p.public_origins = {"https://music.example.org"};
        p.token = "fuzz-token-0123456789";
        return p;
      }(),
      "127.0.0.1");
  const std::string in(reinterpret_cast<const char*>(data), size);
  const size_t cut = in.find('\n');
  const std::string host = in.substr(0, cut), origin = cut == std::string::npos ? "" : in.substr(cut + 1);
  const std::string name = moodtune::host_name_of(host);
  if (policy.host_allowed(host) && name != "localhost" && name != "127.0.0.1" && name != "::1" && name != "kiosk.lan" &&
      name != "music.example.org")
    __builtin_trap();
  (void)policy.origin_allowed(origin, host);
  if (policy.bearer_matches(origin) && origin != "Bearer fuzz-token-0123456789") __builtin_trap();

  moodtune::ConnectionLimits lim;
  lim.max_head_bytes = 300;
  lim.max_line_bytes = 80;
  lim.max_fields = 6;
  size_t head = 0;
  if (moodtune::check_request_head(in.data(), in.size(), lim, &head) == moodtune::HeadCheck::kComplete) {
    if (head > in.size() || head > lim.max_head_bytes) __builtin_trap();
    size_t lines = 0, line = 0;
    for (size_t i = 0; i < head; ++i) {
      if (in[i] != '\n') continue;
      if (i - line > lim.max_line_bytes) __builtin_trap();
      ++lines;
      line = i + 1;
    }
    if (lines > lim.max_fields + 2) __builtin_trap();  // + the request line and the empty line
  }
  return 0;
}
