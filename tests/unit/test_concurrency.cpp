// Shared server state under concurrent use: the session store and the
// metrics (many request threads at once). Run under ThreadSanitizer by
// sanitize/ (see docs/reliability.md); here it also checks the counts.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/memory_budget.h"
#include "server/metrics.h"
#include "service/sessions.h"

namespace moodtune {
namespace {

TEST(Concurrency, SessionStoreAndMetricsFromManyThreads) {
  SessionStore store(std::chrono::minutes(5), 100);
  ServerMetrics metrics;
  std::vector<std::string> ids(8);
  for (auto& id : ids) id = store.get("")->id;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        auto s = store.get(ids[static_cast<size_t>(t)]);
        {
          std::lock_guard<std::mutex> lock(s->mu);
          s->tracker.update({cv::Rect(10 + i % 5, 10, 100, 100)}, {std::vector<float>(7, 1.0f / 7)});
          s->camera_mood = s->tracker.all_tracks().front().smoothed;
          s->record(s->camera_mood);
        }
        if (i % 50 == 0) store.get("");  // newcomers: 8 x 10, within the bound
        metrics.observe_request("/api/frames", "POST", 200, 0.001 * (i % 40));
        metrics.add("moodtune_frames_total", 1);
        if (i % 100 == 0) (void)metrics.render();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_DOUBLE_EQ(metrics.counter("moodtune_frames_total"), 8 * 500);
  std::string text = metrics.render();
  EXPECT_NE(text.find("moodtune_http_requests_total{route=\"/api/frames\",method=\"POST\",code=\"200\"} 4000"),
            std::string::npos)
      << text.substr(0, 400);
  for (const auto& id : ids) {
    auto s = store.find(id);
    ASSERT_TRUE(s) << "an active session was expired";
    EXPECT_EQ(s->history.size(), 500u);
  }
  // A flood of cookie-less clients: the store stays bounded.
  for (int i = 0; i < 300; ++i) store.get("");
  EXPECT_LE(store.size(), 100u);
}

}  // namespace
}  // namespace moodtune

namespace moodtune {
namespace {

// The decode budget from many threads: never more held than allowed, and
// everything given back (ThreadSanitizer checks the accounting's locking).
TEST(Concurrency, MemoryBudgetHoldsItsLimitsUnderContention) {
  MemoryBudget budget(1000, 3);
  std::atomic<int> holders{0}, most{0}, granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto ticket = budget.reserve(static_cast<size_t>(100 + 50 * (t % 4)), std::chrono::milliseconds(50));
        if (!ticket) continue;
        ++granted;
        const int now = ++holders;
        for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
        }
        EXPECT_LE(budget.in_use(), 1000u);
        --holders;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_LE(most.load(), 3);
  EXPECT_GT(granted.load(), 0);
  EXPECT_EQ(budget.in_use(), 0u);
}

}  // namespace
}  // namespace moodtune
