#include "common/memory_budget.h"

#include <algorithm>

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

}  // namespace moodtune
