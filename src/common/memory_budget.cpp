#include "common/memory_budget.h"

#include <algorithm>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace moodtune {

MemoryBudget::MemoryBudget(size_t bytes, int max_users) : total_(bytes), max_users_(std::max(1, max_users)) {}

MemoryBudget::Ticket::~Ticket() { budget_.release(bytes_); }

std::unique_ptr<MemoryBudget::Ticket> MemoryBudget::reserve(size_t bytes, std::chrono::milliseconds wait) {
  if (bytes > total_) return nullptr;
  std::unique_lock<std::mutex> lock(mu_);
  if (!cv_.wait_for(lock, wait, [&] { return users_ < max_users_ && used_ + bytes <= total_; })) return nullptr;
  used_ += bytes;
  ++users_;
  return std::unique_ptr<Ticket>(new Ticket(*this, bytes));
}

void MemoryBudget::release(size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    used_ -= bytes;
    --users_;
  }
  cv_.notify_all();
}

size_t MemoryBudget::in_use() const {
  std::lock_guard<std::mutex> lock(mu_);
  return used_;
}

void return_large_blocks_to_system(size_t threshold_bytes) {
#if defined(__GLIBC__)
  // Setting either value turns off glibc's dynamic adjustment of both.
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(threshold_bytes));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * threshold_bytes));
#else
  (void)threshold_bytes;
#endif
}

}  // namespace moodtune
