#include "kit/scratch_postgres.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace moodtune {

namespace {
std::string owner_prefix() { return ::geteuid() == 0 ? "runuser -u postgres -- " : ""; }

void sh(const std::string& cmd) {
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
}
}  // namespace

int ScratchPostgres::free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("no free loopback port");
  return ntohs(a.sin_port);
}

ScratchPostgres::ScratchPostgres() {
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

ScratchPostgres::~ScratchPostgres() {
  std::system(
      (owner_prefix() + bin_ + "/pg_ctl -D " + (dir_ / "data").string() + " -m immediate -w stop >/dev/null 2>&1")
          .c_str());
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string ScratchPostgres::fresh_database(const std::string& prefix) {
  static std::atomic<int> n{0};
  std::string name = prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  sh(bin_ + "/psql -q -h 127.0.0.1 -p " + std::to_string(port_) + " -U moodtune -d postgres -c 'CREATE DATABASE " +
     name + "'");
  return url(name);
}

std::string ScratchPostgres::url(const std::string& database) const {
  return "postgresql://moodtune@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

void ScratchPostgres::stop() {
  as_owner(bin_ + "/pg_ctl -D " + (dir_ / "data").string() + " -m fast -w stop >/dev/null");
}

void ScratchPostgres::start() {
  as_owner(bin_ + "/pg_ctl -D " + (dir_ / "data").string() + " -l " + (dir_ / "log").string() + " -o \"-k " +
           dir_.string() + " -c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
           " -c fsync=off -c max_connections=300\" -w start >/dev/null");
}

void ScratchPostgres::as_owner(const std::string& cmd) const { sh(owner_prefix() + cmd); }

}  // namespace moodtune
