// POST /api/explain: a frame in, for each face where the model found the
// evidence for its emotion (Grad-CAM), as a grid of heat values the page
// draws over the face. On request only ("Why?"), never per frame; the
// frame is decoded within the same limits as /api/frames and not kept.
#include "server/server_impl.h"

namespace moodtune {
using json = nlohmann::json;

void MoodServer::Impl::setup_explain_routes() {
  http.Post("/api/explain", [this](const httplib::Request& req, httplib::Response& res) {
    if (service->classifier()->info().precision == "int8")
      return send_error(res, 409,
                        "explanations need the float model (an int8 model has no gradients): serve with "
                        "--model models/default.mtm to use \"Why?\"");
    ExplainParams ep;
    if (req.has_param("class")) {
      const auto it = std::find(classes.begin(), classes.end(), req.get_param_value("class"));
      if (it == classes.end()) return send_error(res, 400, "unknown class '" + req.get_param_value("class") + "'");
      ep.class_index = static_cast<int>(it - classes.begin());
    }
    auto frame = decode_frame(req, res);
    if (!frame) return;
    json faces = json::array();
    for (const FaceExplanation& f : service->explain_frame(frame->image, ep)) {
      // Heat in whole percent, row by row: compact, and exact enough to draw.
      json rows = json::array();
      for (int y = 0; y < f.why.heat.rows; ++y) {
        json row = json::array();
        for (int x = 0; x < f.why.heat.cols; ++x)
          row.push_back(static_cast<int>(f.why.heat.at<float>(y, x) * 100 + 0.5f));
        rows.push_back(std::move(row));
      }
      const size_t c = static_cast<size_t>(f.why.class_index);
      faces.push_back(
          {{"box", {{"x", f.box.x}, {"y", f.box.y}, {"w", f.box.width}, {"h", f.box.height}}},
           {"region", {{"x", f.region.x}, {"y", f.region.y}, {"w", f.region.width}, {"h", f.region.height}}},
           {"class", classes[c]},
           {"probability", f.why.probs[c]},
           {"weak_evidence", f.why.weak},
           {"heat", rows}});
    }
    metrics.add("moodtune_explanations_total", 1);
    send_json(res, {{"faces", faces}, {"image", {{"width", frame->image.cols}, {"height", frame->image.rows}}}});
  });
}

}  // namespace moodtune
