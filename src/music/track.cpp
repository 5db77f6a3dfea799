#include "music/track.h"

namespace moodtune {

const char* action_name(FeedbackAction a) {
  switch (a) {
    case FeedbackAction::kLike: return "like";
    case FeedbackAction::kSkip: return "skip";
    case FeedbackAction::kPlayed: return "played";
  }
  return "?";
}

std::optional<FeedbackAction> parse_action(const std::string& s) {
  if (s == "like") return FeedbackAction::kLike;
  if (s == "skip") return FeedbackAction::kSkip;
  if (s == "played") return FeedbackAction::kPlayed;
  return std::nullopt;
}

}  // namespace moodtune
