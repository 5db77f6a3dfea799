// catalog_pool.h — a fixed set of Catalog connections shared by the
// threads of a server: each request borrows one for as long as it needs it.
//
//   moodtune::CatalogPool pool("postgresql://127.0.0.1/moodtune", 8);
//   {
//     auto cat = pool.acquire();                 // waits for a free connection
//     cat->record_feedback("ana", 42, moodtune::FeedbackAction::kLike);
//   }                                            // returned here
//
// The first connection opens (and migrates) in the constructor, so a bad
// location fails before a server binds its port; the rest open on first
// use. A connection whose server went away stays in the pool and
// reconnects on its next use. Thread-safe.
#pragma once
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "music/catalog.h"

namespace moodtune {

class CatalogPool {
 public:
  CatalogPool(std::string location, int size);

  class Lease {
   public:
    Lease(CatalogPool& pool, std::unique_ptr<Catalog> c) : pool_(&pool), c_(std::move(c)) {}
    Lease(Lease&& o) noexcept : pool_(o.pool_), c_(std::move(o.c_)) {}
    Lease(const Lease&) = delete;
    ~Lease() {
      if (c_) pool_->give_back(std::move(c_));
    }
    Catalog& operator*() { return *c_; }
    Catalog* operator->() { return c_.get(); }

   private:
    CatalogPool* pool_;
    std::unique_ptr<Catalog> c_;
  };

  // Throws DbUnavailable when no connection frees up within `wait`, or
  // when a new connection cannot be opened.
  Lease acquire(std::chrono::milliseconds wait = std::chrono::seconds(5));
  const std::string& location() const { return location_; }
  int size() const { return size_; }

 private:
  void give_back(std::unique_ptr<Catalog> c);
  std::string location_;
  int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Catalog>> idle_;
  int opened_ = 0;
};

}  // namespace moodtune
