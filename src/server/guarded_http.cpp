#include "server/guarded_http.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace moodtune {

namespace {
using Clock = std::chrono::steady_clock;

bool wait_for(int fd, short events, Clock::time_point until) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::clamp<long long>(left, 0, INT_MAX)));
    if (r < 0 && errno == EINTR) continue;
    return r > 0;  // readiness, or an error / hang-up the next call reports
  }
}

std::string numeric_address(const sockaddr_storage& a, socklen_t len, int* port) {
  char host[NI_MAXHOST] = "", serv[NI_MAXSERV] = "";
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&a), len, host, sizeof host, serv, sizeof serv,
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    return {};
  if (port) *port = std::atoi(serv);
  return host;
}

std::string peer_address(int fd, int* port = nullptr) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return {};
  return numeric_address(a, len, port);
}

// A connection's socket with a small read buffer: the request head is read
// into it (bounded) and checked before the library parses it from there.
class GuardedStream : public httplib::Stream {
 public:
  GuardedStream(int fd, Clock::duration read_timeout, Clock::duration write_timeout)
      : fd_(fd), read_timeout_(read_timeout), write_timeout_(write_timeout) {}

  bool is_readable() const override {
    return off_ < buf_.size() || wait_for(fd_, POLLIN, std::min(Clock::now() + read_timeout_, deadline_));
  }
  bool is_writable() const override { return wait_for(fd_, POLLOUT, Clock::now() + write_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    if (off_ < buf_.size()) {
      const size_t n = std::min(size, buf_.size() - off_);
      std::memcpy(ptr, buf_.data() + off_, n);
      off_ += n;
      return static_cast<ssize_t>(n);
    }
    // The whole request must arrive by its deadline, however it trickles.
    if (!wait_for(fd_, POLLIN, std::min(Clock::now() + read_timeout_, deadline_))) return -1;
    ssize_t n;
    do n = ::recv(fd_, ptr, size, 0);
    while (n < 0 && errno == EINTR);
    return n;
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!wait_for(fd_, POLLOUT, Clock::now() + write_timeout_)) return -1;
    ssize_t n;
    do n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { ip = peer_address(fd_, &port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    if (getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) ip = numeric_address(a, len, &port);
  }
  socket_t socket() const override { return fd_; }

  bool has_buffered() const { return off_ < buf_.size(); }
  void set_deadline(Clock::time_point t) { deadline_ = t; }

  enum class Head { kReady, kClosed, kTimeout, kTooLarge };
  // Reads until the buffer holds a whole request head within the limits.
  Head read_head(const ConnectionLimits& lim, Clock::time_point until) {
    buf_.erase(0, off_);
    off_ = 0;
    for (;;) {
      switch (check_request_head(buf_.data(), buf_.size(), lim, nullptr)) {
        case HeadCheck::kComplete: return Head::kReady;
        case HeadCheck::kTooLarge: return Head::kTooLarge;
        case HeadCheck::kNeedMore: break;
      }
      if (!wait_for(fd_, POLLIN, until)) return buf_.empty() ? Head::kClosed : Head::kTimeout;
      char chunk[16 << 10];
      ssize_t n;
      do n = ::recv(fd_, chunk, sizeof chunk, 0);
      while (n < 0 && errno == EINTR);
      if (n <= 0) return Head::kClosed;
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  Clock::duration read_timeout_, write_timeout_;
  Clock::time_point deadline_ = Clock::time_point::max();
  std::string buf_;
  size_t off_ = 0;
};

// A short answer on a connection the guard will not hand on, then a brief
// drain so the client reads it instead of a reset.
void refuse(int fd, int status, const char* reason, const char* message) {
  std::string body = std::string("{\"error\":\"") + message + "\"}";
  std::string r = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                  "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body;
  (void)!::send(fd, r.data(), r.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(fd, SHUT_WR);
  char sink[16 << 10];
  const auto until = Clock::now() + std::chrono::milliseconds(500);
  for (size_t drained = 0; drained < (1u << 20) && wait_for(fd, POLLIN, until);) {
    const ssize_t n = ::recv(fd, sink, sizeof sink, 0);
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
  }
}

}  // namespace

void GuardedHttpServer::widen_backlog(int backlog) {
  // listen() again on a listening socket only changes its backlog (Linux).
  if (svr_sock_ != INVALID_SOCKET) ::listen(svr_sock_, backlog);
}

bool GuardedHttpServer::take_client_slot(const std::string& addr) {
  std::lock_guard<std::mutex> lock(clients_mu_);
  int& n = clients_[addr];
  if (lim_.max_per_client > 0 && n >= lim_.max_per_client) {
    if (n == 0) clients_.erase(addr);
    return false;
  }
  ++n;
  return true;
}

void GuardedHttpServer::give_client_slot(const std::string& addr) {
  std::lock_guard<std::mutex> lock(clients_mu_);
  if (auto it = clients_.find(addr); it != clients_.end() && --it->second <= 0) clients_.erase(it);
}

bool GuardedHttpServer::process_and_close_socket(socket_t sock) {
  const std::string peer = peer_address(sock);
  auto refused = [&](int status, const char* reason, const char* message) {
    refuse(sock, status, reason, message);
    if (on_refused) on_refused(status);
  };
  bool ok = false;
  if (!take_client_slot(peer)) {
    refused(503, "Service Unavailable", "too many open connections from your address");
  } else {
    const int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    GuardedStream strm(sock, std::chrono::seconds(read_timeout_sec_) + std::chrono::microseconds(read_timeout_usec_),
                       std::chrono::seconds(write_timeout_sec_) + std::chrono::microseconds(write_timeout_usec_));
    for (size_t left = keep_alive_max_count_; left > 0 && svr_sock_ != INVALID_SOCKET; --left) {
      // Between requests a connection may idle (keep-alive); it is checked
      // every 100 ms so that stop() does not wait for idle clients.
      const auto idle_until =
          Clock::now() + (left == keep_alive_max_count_ ? lim_.head_timeout : std::chrono::seconds(keep_alive_timeout_sec_));
      bool readable = strm.has_buffered();
      while (!readable && svr_sock_ != INVALID_SOCKET && Clock::now() < idle_until)
        readable = wait_for(sock, POLLIN, std::min(idle_until, Clock::now() + std::chrono::milliseconds(100)));
      if (!readable || svr_sock_ == INVALID_SOCKET) break;
      const auto head = strm.read_head(lim_, Clock::now() + lim_.head_timeout);
      if (head == GuardedStream::Head::kClosed) break;
      if (head == GuardedStream::Head::kTooLarge) {
        refused(431, "Request Header Fields Too Large", "request head over the limit (size, line or field count)");
        break;
      }
      if (head == GuardedStream::Head::kTimeout) {
        refused(408, "Request Timeout", "the request head did not arrive in time");
        break;
      }
      strm.set_deadline(Clock::now() + lim_.request_timeout);
      bool closed = false;
      ok = process_request(strm, left == 1, closed, nullptr);
      if (!ok || closed) break;
    }
    give_client_slot(peer);
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace moodtune
