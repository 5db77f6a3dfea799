// libFuzzer target: the Host and Origin headers an attacker controls. The
// policy must never throw, and must never admit a name it does not know.
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/access.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const moodtune::AccessPolicy policy(
      [] {
        moodtune::AccessParams p;
        p.allowed_hosts = {"kiosk.lan"};
        p.public_origins = {"https://music.example.org"};
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
  return 0;
}
