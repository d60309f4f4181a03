#include "page_cache.h"

#include <algorithm>
#include <cstring>

namespace ramsift::dump_formats {

PageCache::PageCache(size_t capacity_pages, uint32_t page_size) : capacity_(capacity_pages), page_size_(page_size) {
  if (capacity_ == 0) return;
  shard_count_ = std::min<size_t>(16, capacity_);
  shards_ = std::make_unique<Shard[]>(shard_count_);
  for (size_t i = 0; i < shard_count_; ++i)
    shards_[i].capacity = capacity_ / shard_count_ + (i < capacity_ % shard_count_ ? 1 : 0);
}

PageCache::Shard& PageCache::shard_for(uint64_t key) const {
  // Neighbouring pages land in different shards.
  uint64_t h = key * 0x9e3779b97f4a7c15ull;
  return shards_[(h >> 32) % shard_count_];
}

bool PageCache::get(uint64_t key, size_t offset, std::span<std::byte> out) const {
  if (capacity_ == 0) return false;
  Shard& s = shard_for(key);
  std::lock_guard lock(s.mutex);
  auto it = s.slot_of.find(key);
  if (it == s.slot_of.end()) return false;
  s.referenced[it->second] = 1;
  std::memcpy(out.data(), s.data.data() + size_t{it->second} * page_size_ + offset, out.size());
  return true;
}

void PageCache::put(uint64_t key, std::span<const std::byte> page) const {
  if (capacity_ == 0) return;
  Shard& s = shard_for(key);
  std::lock_guard lock(s.mutex);
  if (s.slot_of.count(key)) return;  // another thread was first
  uint32_t slot;
  if (s.keys.size() < s.capacity) {
    slot = static_cast<uint32_t>(s.keys.size());
    s.keys.push_back(key);
    s.referenced.push_back(1);
    s.data.resize(s.keys.size() * page_size_);
  } else {
    // CLOCK: skip recently used slots once, take the first that is not.
    while (s.referenced[s.hand]) {
      s.referenced[s.hand] = 0;
      s.hand = (s.hand + 1) % s.keys.size();
    }
    slot = static_cast<uint32_t>(s.hand);
    s.hand = (s.hand + 1) % s.keys.size();
    s.slot_of.erase(s.keys[slot]);
    s.keys[slot] = key;
    s.referenced[slot] = 1;
  }
  s.slot_of.emplace(key, slot);
  std::memcpy(s.data.data() + size_t{slot} * page_size_, page.data(), page_size_);
}

}  // namespace ramsift::dump_formats
