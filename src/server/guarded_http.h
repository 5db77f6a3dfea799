// guarded_http.h — cpp-httplib's server with the limits Debian's build of it
// (0.11, a compiled library) cannot be told: the size of a request head and
// its number of header fields (431), a deadline for a whole request head and
// for a whole request (408: slow senders), and open connections per client
// address (503). It replaces the library's connection loop and calls the
// library's own request handling for each request, so routes, handlers and
// keep-alive work unchanged.
//
//   moodtune::ConnectionLimits lim;              // defaults below
//   moodtune::GuardedHttpServer http(lim);       // lim: server/request_limits.h
//   http.Get("/", handler);                      // as with httplib::Server
//   http.listen("127.0.0.1", 8080);
//
// Why in front rather than inside: 0.11 grows a header line without bound
// and counts no fields (a 200 MB line and 200,000 lines were read whole), and
// its read timeout restarts with every byte, so a sender trickling one byte
// at a time holds a thread forever. Here a request head is read into a
// bounded buffer and checked before the library parses it. The measured cost
// and the alternative considered (Boost.Beast) are in docs/security.md.
// Thread safety: as httplib::Server; connections run on its task queue.
#pragma once
#include <httplib.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "server/request_limits.h"

namespace moodtune {

class GuardedHttpServer : public httplib::Server {
 public:
  explicit GuardedHttpServer(ConnectionLimits lim = {}) : lim_(lim) {}
  void set_limits(const ConnectionLimits& lim) { lim_ = lim; }  // before listening
  // Called with 408, 431 or 503 for every connection the guard refuses
  // (before any handler sees it), e.g. to count them.
  std::function<void(int status)> on_refused;
  const ConnectionLimits& limits() const { return lim_; }
  // After bind_to_port: the library listens with a backlog of 5, so a burst
  // of connections (an attack, or just many tabs) overflows it and every
  // later client's SYN waits for its 1 s retransmission. Measured: health
  // answers of 1.02 s under attack before, see docs/security.md.
  void widen_backlog(int backlog = 1024);

 private:
  bool process_and_close_socket(socket_t sock) override;
  bool take_client_slot(const std::string& addr);
  void give_client_slot(const std::string& addr);

  ConnectionLimits lim_;
  std::mutex clients_mu_;
  std::map<std::string, int> clients_;  // open connections per address
};

}  // namespace moodtune
