// The routes of --source mode: status, server-sent mood events and the
// annotated frames as MJPEG, each stream holding one of max_streams slots.
#include "server/server_impl.h"

namespace moodtune {

void MoodServer::Impl::setup_source_routes() {
  auto no_source = [](httplib::Response& res) {
    send_error(res, 404, "no server-side source: start with `moodtune serve --source FILE|CAMERA_INDEX`");
  };
  http.Get("/api/source", [this, no_source](const httplib::Request&, httplib::Response& res) {
    if (!source) return no_source(res);
    auto snap = source->latest();
    send_json(res, {{"source", source->source()}, {"status", snap.status}, {"seq", snap.seq}});
  });
  http.Get("/api/source/events", [this, no_source](const httplib::Request&, httplib::Response& res) {
    if (!source) return no_source(res);
    auto slot = take_stream_slot();
    if (!slot) return send_error(res, 503, "too many open streams; close one and try again");
    auto seq = std::make_shared<uint64_t>(0);
    res.set_chunked_content_provider("text/event-stream", [this, seq, slot](size_t, httplib::DataSink& sink) {
      if (stopping) {
        sink.done();
        return true;
      }
      auto snap = source->wait_next(*seq, std::chrono::seconds(1));
      std::string msg;
      if (snap.seq > *seq && !snap.event_json.empty()) {
        *seq = snap.seq;
        msg = "data: " + snap.event_json + "\n\n";
      } else {
        msg = ": keep-alive\n\n";
      }
      return sink.write(msg.data(), msg.size());
    });
  });
  http.Get("/api/source/stream.mjpeg", [this, no_source](const httplib::Request&, httplib::Response& res) {
    if (!source) return no_source(res);
    auto slot = take_stream_slot();
    if (!slot) return send_error(res, 503, "too many open streams; close one and try again");
    auto seq = std::make_shared<uint64_t>(0);
    const char* type = "multipart/x-mixed-replace; boundary=frame";
    res.set_chunked_content_provider(type, [this, seq, slot](size_t, httplib::DataSink& sink) {
      if (stopping) {
        sink.done();
        return true;
      }
      auto snap = source->wait_next(*seq, std::chrono::seconds(1));
      if (snap.seq <= *seq) return sink.is_writable();
      // Every update counts as seen, also a status change without a picture:
      // otherwise the next wait returns at once, and again (a spinning core
      // while the source has no frame).
      *seq = snap.seq;
      if (!snap.jpeg) return sink.is_writable();
      std::string head =
          "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: " + std::to_string(snap.jpeg->size()) + "\r\n\r\n";
      return sink.write(head.data(), head.size()) && sink.write(snap.jpeg->data(), snap.jpeg->size()) &&
             sink.write("\r\n", 2);
    });
  });
}

}  // namespace moodtune
