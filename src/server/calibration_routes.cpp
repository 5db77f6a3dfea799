// The calibration API (service: MoodService::add_calibration_frame and the
// rest). The page's "Calibrate" sends frames for a few seconds, then saves:
//
//   POST /api/calibration/frames[?restart=1]  a JPEG or PNG -> {"accepted", "needed", "problem"}
//   POST /api/calibration  {"consent": true}  -> the status below, or 400 with what to do
//   GET  /api/calibration                     -> {"active", "other_model", "faces", "created_at", "probs", "user"}
//   POST /api/calibration/delete              -> {"deleted": BOOL}
//
// Each acts for the session's listener (a logged-in session's own, else the
// server's default), the one its frames are judged for. Frames are decoded
// in memory as for /api/frames and never kept; only the mean probabilities
// of the accepted faces are stored.
#include "server/server_impl.h"

namespace moodtune {
using json = nlohmann::json;

namespace {
json status_json(const CalibrationStatus& c, const std::vector<std::string>& classes, const std::string& user) {
  json probs = json::object();
  for (size_t i = 0; i < c.probs.size() && i < classes.size(); ++i) probs[classes[i]] = c.probs[i];
  return {{"active", c.active},         {"other_model", c.other_model}, {"faces", c.faces},
          {"created_at", c.created_at}, {"probs", probs},               {"user", user}};
}
}  // namespace

void MoodServer::Impl::setup_calibration_routes() {
  http.Get("/api/calibration", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string user = listener_for(req, "");
    send_json(res, status_json(service->calibration(user), classes, user));
  });
  http.Post("/api/calibration/frames", [this](const httplib::Request& req, httplib::Response& res) {
    auto frame = decode_frame(req, res);
    if (!frame) return;
    auto s = session(req, res);
    const CalibrationProgress p =
        service->add_calibration_frame(*s, frame->image, req.get_param_value("restart") == "1");
    send_json(res, {{"accepted", p.accepted},
                    {"needed", p.needed},
                    {"problem", p.problem.empty() ? json(nullptr) : json(p.problem)}});
  });
  http.Post("/api/calibration", [this](const httplib::Request& req, httplib::Response& res) {
    if (!accept_json_body(req, res)) return;
    bool consent = false;
    try {
      const json j = json::parse(req.body);
      if (!j.is_object() || !j.contains("consent") || !j["consent"].is_boolean())
        throw std::invalid_argument("expected {\"consent\": true}");
      consent = j["consent"].get<bool>();
    } catch (const std::exception& e) {
      return send_error(res, 400, std::string("bad request: ") + e.what());
    }
    auto s = session(req, res);
    const std::string user = listener_for(req, "");
    send_json(res, status_json(service->save_calibration(*s, user, consent), classes, user));
  });
  http.Post("/api/calibration/delete", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string user = listener_for(req, "");
    send_json(res, {{"deleted", service->remove_calibration(user)}, {"user", user}});
  });
}

}  // namespace moodtune
