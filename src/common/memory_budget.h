// memory_budget.h — a shared allowance of bytes and of concurrent users,
// for work whose memory depends on untrusted input (decoding uploaded
// images): each caller reserves its estimate before it starts and gives it
// back when done; when the allowance is spent, callers wait a bounded time
// and are then refused, instead of the process growing without bound.
//
//   moodtune::MemoryBudget budget(256u << 20, 4);      // 256 MiB, 4 at once
//   auto ticket = budget.reserve(w * h * 6, std::chrono::seconds(2));
//   if (!ticket) return busy();                      // 503: try again
//   decode(...);                                     // ticket released at scope end
//
// Thread-safe.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

namespace moodtune {

class MemoryBudget {
 public:
  MemoryBudget(size_t bytes, int max_users);
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Holds `bytes` of the allowance and one of the users until destroyed.
  class Ticket {
   public:
    ~Ticket();
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;

   private:
    friend class MemoryBudget;
    Ticket(MemoryBudget& b, size_t bytes) : budget_(b), bytes_(bytes) {}
    MemoryBudget& budget_;
    size_t bytes_;
  };
  // nullptr when `bytes` exceeds the whole allowance (at once) or the
  // allowance is not free within `wait`.
  std::unique_ptr<Ticket> reserve(size_t bytes, std::chrono::milliseconds wait);
  size_t in_use() const;

 private:
  void release(size_t bytes);
  const size_t total_;
  const int max_users_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  size_t used_ = 0;
  int users_ = 0;
};

// A budget counts live bytes, but the process only shrinks if freed blocks
// go back to the system. glibc raises its mmap threshold (up to 32 MiB) each
// time a large block is freed, after which blocks of a frame's size are
// kept in per-thread arenas: 16 threads decoding 4096x4096 frames one after
// another each kept ~20 MB resident (measured: 350 MB over a 256 MiB budget).
// Fixing the threshold makes every block above it its own mapping, returned
// on free. Process-wide; a no-op outside glibc.
void return_large_blocks_to_system(size_t threshold_bytes = 4u << 20);

}  // namespace moodtune
