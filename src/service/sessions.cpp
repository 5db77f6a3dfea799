#include "service/sessions.h"

#include "common/secure_random.h"

namespace moodtune {

void Session::record(std::vector<float> probs, std::chrono::seconds window) {
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  history.push_back({now.count(), std::move(probs)});
  while (!history.empty() && history.front().t_ms < now.count() - window.count() * 1000) history.pop_front();
}

bool well_formed_session_id(const std::string& id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::shared_ptr<Session> SessionStore::find(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  it->second->last_seen = std::chrono::steady_clock::now();
  return it->second;
}

std::shared_ptr<Session> SessionStore::get(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!id.empty()) {
    if (auto it = sessions_.find(id); it != sessions_.end()) {
      it->second->last_seen = std::chrono::steady_clock::now();
      return it->second;
    }
  }
  expire_locked();
  auto s = std::make_shared<Session>();
  s->id = adopt_ids_ && well_formed_session_id(id) ? id : random_hex_128();
  sessions_[s->id] = s;
  return s;
}

std::shared_ptr<Session> SessionStore::rotate(const std::string& old_id) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(old_id);
  expire_locked();
  auto s = std::make_shared<Session>();
  s->id = random_hex_128();
  sessions_[s->id] = s;
  return s;
}

void SessionStore::drop(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(id);
}

size_t SessionStore::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

void SessionStore::expire_locked() {
  auto now = std::chrono::steady_clock::now();
  for (auto it = sessions_.begin(); it != sessions_.end();)
    it = now - it->second->last_seen > idle_timeout_ ? sessions_.erase(it) : std::next(it);
  // A flood of cookie-less clients must not grow memory without bound:
  // drop the least recently seen sessions.
  while (sessions_.size() >= max_sessions_) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
      if (it->second->last_seen < oldest->second->last_seen) oldest = it;
    sessions_.erase(oldest);
  }
}

}  // namespace moodtune
