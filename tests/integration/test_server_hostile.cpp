// Hostile clients against the real `moodtune serve` (issue 13): oversized
// and endless request heads, slow senders, too many connections from one
// address, decompression bombs, and all of them at once while a
// well-behaved client keeps getting its health answer within a second and
// the server's memory stays bounded. Attackers connect from 127.0.0.2, the
// well-behaved client from 127.0.0.1: two machines as far as the server
// can tell.
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>

#include <atomic>
#include <functional>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "server_process.h"

namespace moodtune {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }

// Sends as much of `data` as the server takes (it may close early) and
// returns its answer.
std::string send_from(const char* source, int port, const std::string& data,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  int fd = test::connect_from(source, port);
  if (fd < 0) return "(no connection)";
  for (size_t off = 0; off < data.size();) {
    const ssize_t n = send(fd, data.data() + off, std::min<size_t>(data.size() - off, 1 << 16), MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  std::string out = test::read_all(fd, timeout);
  close(fd);
  return out;
}

// A 16-bit PNG that costs ~100x its size to decode (a decompression bomb).
std::string png_bomb(int side) {
  cv::Mat img(side, side, CV_16UC3, cv::Scalar(1000, 2000, 3000));
  std::vector<uchar> buf;
  cv::imencode(".png", img, buf, {cv::IMWRITE_PNG_COMPRESSION, 9});
  return std::string(buf.begin(), buf.end());
}

std::string post_frame(const std::string& body) {
  return "POST /api/frames HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

class Hostile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::temp_dir("hostile");
    server_ = std::make_unique<test::ServerProcess>(
        dir_, std::vector<std::string>{"--db", (dir_ / "h.db").string(), "--timeout", "1", "--max-client-connections",
                                       "8", "--max-frame-bytes", "8000000"});
    ASSERT_TRUE(server_->running()) << server_->stderr_text();
  }
  int port() const { return server_->port(); }
  fs::path dir_;
  std::unique_ptr<test::ServerProcess> server_;
};

TEST_F(Hostile, HugeOrEndlessRequestHeadsGet431AndCostNothing) {
  const double rss0 = kit::rss_mb(server_->pid());
  // A 20 MB header line, and 200,000 header lines.
  std::string huge = "GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-A: " + std::string(20 << 20, 'a') + "\r\n\r\n";
  EXPECT_EQ(status_line(send_from("127.0.0.2", port(), huge)), "HTTP/1.1 431 Request Header Fields Too Large");
  std::string many = "GET /api/health HTTP/1.1\r\nHost: localhost\r\n";
  for (int i = 0; i < 200000; ++i) many += "X-A: b\r\n";
  EXPECT_EQ(status_line(send_from("127.0.0.2", port(), many + "\r\n")), "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_LT(kit::rss_mb(server_->pid()) - rss0, 20.0) << "nothing of it was kept";
  // The same on a kept-alive connection, after a good request.
  const std::string good = "GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n";
  const std::string both = send_from("127.0.0.2", port(), good + many.substr(0, 300000) + "\r\n");
  EXPECT_EQ(status_line(both), "HTTP/1.1 200 OK");
  EXPECT_NE(both.find("HTTP/1.1 431"), std::string::npos);
  // A normal browser-sized head passes.
  std::string ok = "GET /api/health HTTP/1.1\r\nHost: localhost\r\n";
  for (int i = 0; i < 40; ++i) ok += "X-Header-" + std::to_string(i) + ": " + std::string(100, 'v') + "\r\n";
  EXPECT_EQ(status_line(send_from("127.0.0.2", port(), ok + "\r\n")), "HTTP/1.1 200 OK");
}

TEST_F(Hostile, SlowSendersAreCutOffAtTheirDeadline) {
  // A head trickled byte by byte: 408 after --timeout (1 s), not never.
  int fd = test::connect_from("127.0.0.2", port());
  ASSERT_GE(fd, 0);
  const std::string head = "GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ";
  const auto t0 = Clock::now();
  bool closed = false;
  for (int i = 0; i < 60 && !closed; ++i) {
    closed = send(fd, head.data() + (i % head.size()), 1, MSG_NOSIGNAL) <= 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const std::string answer = test::read_all(fd, std::chrono::seconds(3));
  close(fd);
  EXPECT_EQ(status_line(answer), "HTTP/1.1 408 Request Timeout");
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 3.0);
  // A body trickled byte by byte: dropped at 12 x --timeout (12 s), although
  // every byte came within the socket timeout.
  fd = test::connect_from("127.0.0.2", port());
  const std::string post =
      "POST /api/mood HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
      "Content-Length: 1000\r\n\r\n";
  ASSERT_EQ(send(fd, post.data(), post.size(), MSG_NOSIGNAL), static_cast<ssize_t>(post.size()));
  const auto t1 = Clock::now();
  double cut_after = -1;
  for (int i = 0; i < 200; ++i) {
    if (send(fd, " ", 1, MSG_NOSIGNAL) <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {  // an answer, or the close
      cut_after = std::chrono::duration<double>(Clock::now() - t1).count();
      break;
    }
  }
  close(fd);
  EXPECT_GT(cut_after, 10.0);
  EXPECT_LT(cut_after, 16.0);
}

TEST_F(Hostile, OneAddressGetsAFairShareOfConnections) {
  std::vector<int> held;
  for (int i = 0; i < 8; ++i) {
    held.push_back(test::connect_from("127.0.0.2", port()));
    ASSERT_GE(held.back(), 0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // all accepted and counted
  const std::string more = send_from("127.0.0.2", port(), "GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(status_line(more), "HTTP/1.1 503 Service Unavailable");
  EXPECT_NE(more.find("too many open connections"), std::string::npos);
  // Another address is not affected.
  httplib::Client c("127.0.0.1", port());
  auto r = c.Get("/api/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  for (int fd : held) close(fd);
}

TEST_F(Hostile, DecompressionBombsAreDecodedWithinAMemoryBudget) {
  const std::string bomb = png_bomb(4096);
  ASSERT_LT(bomb.size(), 2u << 20);
  const double rss0 = kit::rss_mb(server_->pid());
  std::atomic<int> answered{0}, decoded{0}, busy{0};
  double peak = 0;
  std::vector<std::thread> senders;
  for (int i = 0; i < 16; ++i)
    senders.emplace_back([&, i] {
      const char* from = i % 2 ? "127.0.0.2" : "127.0.0.3";
      const std::string a = send_from(from, port(), post_frame(bomb), std::chrono::seconds(30));
      ++answered;
      decoded += status_line(a) == "HTTP/1.1 200 OK";
      busy +=
          status_line(a) == "HTTP/1.1 503 Service Unavailable" && a.find("send this one again") != std::string::npos;
    });
  while (answered < 16) {
    peak = std::max(peak, kit::rss_mb(server_->pid()));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& t : senders) t.join();
  // 16 at once cost ~370 MB before; the budget (256 MiB at 8 bytes per
  // pixel) lets one such frame decode at a time, and its memory must go
  // back when it is done (it did not: 350 MB over, kept in 16 threads'
  // malloc arenas). How many wait beyond 2 s (503) depends on the
  // machine's speed; each is one or the other.
  EXPECT_LT(peak - rss0, 300.0) << "peak " << peak << " MB from " << rss0;
  EXPECT_EQ(decoded + busy, 16) << decoded << " decoded, " << busy << " told to send again";
  EXPECT_GE(decoded, 1);
  httplib::Client c("127.0.0.1", port());
  auto r = c.Get("/api/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(Hostile, EverythingAtOnceAndHealthStillAnswersWithinASecond) {
  const double rss0 = kit::rss_mb(server_->pid());
  std::atomic<bool> stop{false};
  const std::string many_lines = [] {
    std::string s = "GET /api/health HTTP/1.1\r\nHost: localhost\r\n";
    for (int i = 0; i < 50000; ++i) s += "X-A: b\r\n";
    return s + "\r\n";
  }();
  const std::string bomb = png_bomb(2048);
  std::vector<std::function<void(const char*)>> attacks = {
      [&](const char* from) {  // chunked flood
        send_from(from, port(),
                  "POST /api/frames HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nContent-Type: "
                  "image/jpeg\r\n\r\n" +
                      std::string(1 << 20, 'x'),
                  std::chrono::seconds(3));
      },
      [&](const char* from) { send_from(from, port(), many_lines, std::chrono::seconds(3)); },
      [&](const char* from) {  // DNS rebinding
        send_from(from, port(), "GET /api/feedback HTTP/1.1\r\nHost: evil.example\r\n\r\n", std::chrono::seconds(3));
      },
      [&](const char* from) {  // slow sender: connects and stalls
        int fd = test::connect_from(from, port());
        if (fd >= 0) {
          (void)!send(fd, "GET /api/health HTTP/1.1\r\n", 26, MSG_NOSIGNAL);
          test::read_all(fd, std::chrono::seconds(4));
          close(fd);
        }
      },
      [&](const char* from) { send_from(from, port(), post_frame(bomb), std::chrono::seconds(5)); },
      [&](const char* from) {  // a range storm on an unknown track, and a huge Content-Length
        std::string storm = "bytes=0-";
        for (int i = 0; i < 500; ++i) storm += ",0-";
        send_from(from, port(), "GET /api/tracks/1/audio HTTP/1.1\r\nHost: localhost\r\nRange: " + storm + "\r\n\r\n",
                  std::chrono::seconds(3));
        send_from(from, port(),
                  "POST /api/mood HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                  "99999999999\r\n\r\n",
                  std::chrono::seconds(3));
      },
  };
  std::vector<std::thread> attackers;
  const char* sources[] = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"};
  for (size_t i = 0; i < 24; ++i)
    attackers.emplace_back([&, i] {
      while (!stop) attacks[i % attacks.size()](sources[i % 4]);
    });
  httplib::Client c("127.0.0.1", port());
  c.set_connection_timeout(2);
  c.set_read_timeout(2);
  double worst = 0, peak = 0;
  int failed = 0;
  const auto until = Clock::now() + std::chrono::seconds(15);
  while (Clock::now() < until) {
    const auto t0 = Clock::now();
    auto r = c.Get("/api/health");
    const double took = std::chrono::duration<double>(Clock::now() - t0).count();
    worst = std::max(worst, took);
    failed += !r || r->status != 200;
    peak = std::max(peak, kit::rss_mb(server_->pid()));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop = true;
  for (auto& t : attackers) t.join();
  EXPECT_EQ(failed, 0);
  EXPECT_LT(worst, 1.0) << "the slowest health answer under attack, in seconds";
  EXPECT_LT(peak - rss0, 300.0) << "memory growth under attack, MB";
  EXPECT_EQ(server_->stop(), 0) << "and it still stops cleanly";
}

}  // namespace
}  // namespace moodtune
