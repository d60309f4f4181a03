// Internal: a bounded, thread-safe cache of decompressed pages.
//
//   PageCache cache(options.cache_pages, page_size);
//   if (!cache.get(pfn, offset_in_page, out)) {
//     decompress(...);            // outside any lock
//     cache.put(pfn, page);
//     ...
//   }
//
// Pages are copied in and out under a lock, so a reader never sees a slot
// that another thread is replacing. The cache is split into shards, each
// with its own mutex and CLOCK eviction, so threads reading different pages
// rarely wait for each other. Capacity 0 disables it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

namespace ramsift::dump_formats {

class PageCache {
 public:
  PageCache(size_t capacity_pages, uint32_t page_size);

  // Copies out.size() bytes at `offset` of page `key`; false if not cached.
  bool get(uint64_t key, size_t offset, std::span<std::byte> out) const;
  // Stores a whole page (page.size() == page size), evicting if full.
  void put(uint64_t key, std::span<const std::byte> page) const;

  size_t capacity() const { return capacity_; }

 private:
  struct Shard {
    std::mutex mutex;
    std::unordered_map<uint64_t, uint32_t> slot_of;  // key -> slot
    std::vector<uint64_t> keys;                      // slot -> key
    std::vector<uint8_t> referenced;                 // CLOCK bits
    std::vector<std::byte> data;                     // slots * page_size
    size_t capacity = 0;
    size_t hand = 0;
  };
  Shard& shard_for(uint64_t key) const;

  size_t capacity_;
  uint32_t page_size_;
  std::unique_ptr<Shard[]> shards_;
  size_t shard_count_ = 0;
};

}  // namespace ramsift::dump_formats
