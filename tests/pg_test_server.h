// pg_test_server.h — a real PostgreSQL server for the tests: a fresh
// cluster (initdb) in a temporary folder, listening on a free loopback port,
// started on first use and stopped when the test program exits.
//
//   std::string url = moodtune::test::PgTestServer::get().fresh_database("catalog");
//   moodtune::Catalog cat(url);
//
// Needs Debian's `postgresql` package (scripts/setup.sh installs it); a
// missing server is a test failure, not a skip. As root, the server runs as
// the `postgres` user (PostgreSQL refuses to run as root).
#pragma once
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace moodtune::test {

class PgTestServer {
 public:
  // The shared server, started on the first call; throws when it cannot start.
  static PgTestServer& get() {
    static PgTestServer server;
    return server;
  }

  // A new, empty database on the server: its postgresql:// URL.
  std::string fresh_database(const std::string& prefix) {
    static std::atomic<int> n{0};
    std::string name = prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    for (char& c : name)
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    sh(bin_ + "/psql -q -h 127.0.0.1 -p " + std::to_string(port_) + " -U moodtune -d postgres -c 'CREATE DATABASE " +
       name + "'");
    return url(name);
  }
  std::string url(const std::string& db) const {
    return "postgresql://moodtune@127.0.0.1:" + std::to_string(port_) + "/" + db;
  }
  int port() const { return port_; }

  // For fault tests: take the server away and bring it back (same port, same data).
  void stop() { as_owner(bin_ + "/pg_ctl -D " + (dir_ / "data").string() + " -m fast -w stop >/dev/null"); }
  void start() {
    as_owner(bin_ + "/pg_ctl -D " + (dir_ / "data").string() + " -l " + (dir_ / "log").string() +
             " -o \"-k " + dir_.string() + " -c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
             " -c fsync=off -c max_connections=300\" -w start >/dev/null");
  }

  static int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    int port = ntohs(a.sin_port);
    ::close(fd);
    return port;
  }

  ~PgTestServer() {
    std::system((owner_prefix() + bin_ + "/pg_ctl -D " + (dir_ / "data").string() + " -m immediate -w stop >/dev/null 2>&1").c_str());
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

 private:
  PgTestServer() {
    for (int v : {17, 16, 15, 14, 13})
      if (std::filesystem::exists("/usr/lib/postgresql/" + std::to_string(v) + "/bin/initdb")) {
        bin_ = "/usr/lib/postgresql/" + std::to_string(v) + "/bin";
        break;
      }
    if (bin_.empty()) throw std::runtime_error("PostgreSQL server not installed (apt-get install postgresql)");
    char tmpl[] = "/tmp/moodtune-pg-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    if (::geteuid() == 0) sh("chown postgres: " + dir_.string());
    port_ = free_port();
    as_owner(bin_ + "/initdb -D " + (dir_ / "data").string() +
             " -U moodtune -A trust --no-sync --encoding=UTF8 --locale=C.UTF-8 >/dev/null");
    start();
  }

  static std::string owner_prefix() { return ::geteuid() == 0 ? "runuser -u postgres -- " : ""; }
  static void sh(const std::string& cmd) {
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
  }
  void as_owner(const std::string& cmd) { sh(owner_prefix() + cmd); }

  std::string bin_;
  std::filesystem::path dir_;
  int port_ = 0;
};

}  // namespace moodtune::test
