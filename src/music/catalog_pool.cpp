#include "music/catalog_pool.h"

namespace moodtune {

CatalogPool::CatalogPool(std::string location, int size) : location_(std::move(location)), size_(std::max(1, size)) {
  idle_.push_back(std::make_unique<Catalog>(location_));
  opened_ = 1;
}

CatalogPool::Lease CatalogPool::acquire(std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mu_);
  if (idle_.empty() && opened_ < size_) {
    ++opened_;  // reserve the slot, open outside the lock (connecting can take a while)
    lock.unlock();
    try {
      return Lease(*this, std::make_unique<Catalog>(location_));
    } catch (...) {
      std::lock_guard<std::mutex> relock(mu_);
      --opened_;
      throw;
    }
  }
  if (!cv_.wait_for(lock, wait, [&] { return !idle_.empty(); }))
    throw DbUnavailable("all " + std::to_string(size_) + " database connections are busy; try again");
  auto c = std::move(idle_.back());
  idle_.pop_back();
  return Lease(*this, std::move(c));
}

void CatalogPool::give_back(std::unique_ptr<Catalog> c) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(c));
  }
  cv_.notify_one();
}

}  // namespace moodtune
