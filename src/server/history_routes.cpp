// The mood history API: GET /api/history (the last days and what was liked
// in which mood), POST /api/history/consent ({"keep": BOOL}) and POST
// /api/history/delete (everything kept about the listener's listening).
// Each acts for the request's listener (a logged-in session's own).
#include "server/api_json.h"
#include "server/requests.h"
#include "server/server_impl.h"

namespace moodtune {
using json = nlohmann::json;

void MoodServer::Impl::setup_history_routes() {
  http.Get("/api/history", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string asked = req.has_param("user") ? req.get_param_value("user") : "";
    if (!asked.empty() && !valid_listener(asked)) return send_error(res, 400, "user must be 1-64 letters, digits, - _ or .");
    int days = 14;
    if (req.has_param("days")) {
      const std::string d = req.get_param_value("days");
      size_t used = 0;
      try {
        days = std::stoi(d, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != d.size() || days < 1 || days > 366)
        return send_error(res, 400, "days must be a whole number from 1 to 366");
    }
    const std::string user = listener_for(req, asked);
    json j = mood_history_json(service->mood_history(user, days));
    j["user"] = user;
    send_json(res, j);
  });
  auto post = [this](const char* path, bool need_keep, auto&& act) {
    http.Post(path, [this, need_keep, act](const httplib::Request& req, httplib::Response& res) {
      if (!accept_json_body(req, res)) return;
      HistoryRequest h;
      try {
        h = parse_history_request(req.body, need_keep);
      } catch (const std::exception& e) {
        return send_error(res, 400, std::string("bad request: ") + e.what());
      }
      h.user = listener_for(req, h.user);
      json out = act(h);
      out["user"] = h.user;
      send_json(res, out);
    });
  };
  post("/api/history/consent", true, [this](const HistoryRequest& h) {
    service->set_mood_history_consent(h.user, *h.keep);
    return json{{"keep", *h.keep}};
  });
  post("/api/history/delete", false, [this](const HistoryRequest& h) {
    const ForgetReport f = service->forget_listener(h.user);
    return json{{"deleted", {{"days", f.days}, {"feedback", f.feedback}, {"preferences", f.preferences},
                                 {"calibration", f.baselines}}}};
  });
}

}  // namespace moodtune
