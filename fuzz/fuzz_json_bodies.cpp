// libFuzzer target: every JSON request body of the HTTP API (feedback,
// manual mood, probabilities, login, mood history). Bad input must end in std::invalid_argument.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/emotions.h"
#include "server/requests.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  try {
    auto fb = moodtune::parse_feedback_request(body, "you");
    if (!moodtune::valid_listener(fb.user)) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  try {
    auto m = moodtune::parse_mood_request(body);
    if (!m.clear && m.probs.size() != static_cast<size_t>(moodtune::kNumEmotions)) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  try {
    auto login = moodtune::parse_login_request(body);
    if (!login.listener.empty() && !moodtune::valid_listener(login.listener)) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  try {
    auto h = moodtune::parse_history_request(body, size % 2 == 0);
    if (!h.user.empty() && !moodtune::valid_listener(h.user)) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  try {
    moodtune::probs_from_json(nlohmann::json::parse(body));
  } catch (const std::invalid_argument&) {
  } catch (const nlohmann::json::exception&) {
  }
  return 0;
}
