#include "ramsift/arch/virtual_memory.h"

#include <algorithm>

namespace ramsift {

Result<Translation> VirtualMemory::walk_cached(VirtAddr normalized) const {
  uint64_t base_page = normalized.value() / translator_.page_size();
  const size_t index = base_page % kCacheSize;
  CacheEntry& slot = cache_[index];
  {
    // One lock a slot: the walk's threads read different pages at once.
    std::lock_guard lock(slot_mutex_[index]);
    if (slot.valid && normalized >= slot.va_start && normalized - slot.va_start < slot.translation.page_size) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      Translation t = slot.translation;
      t.pa = t.pa + (normalized - slot.va_start);
      return t;
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  Result<Translation> t = translator_.walk(physical_, normalized);
  if (t) {
    // Only successes are kept: an error may name the address it failed on.
    uint64_t offset = normalized.value() & (t->page_size - 1);
    std::lock_guard lock(slot_mutex_[index]);
    slot.valid = true;
    slot.va_start = VirtAddr(normalized.value() - offset);
    slot.translation = Translation{t->pa - offset, t->page_size};
  }
  return t;
}

Result<Translation> VirtualMemory::walk_checked(VirtAddr normalized) const {
  RAMSIFT_TRY(Translation t, walk_cached(normalized));
  if (const DirectMapping* m = translator_.fast_path_for(normalized)) {
    PhysAddr fast = m->translate(normalized);
    if (fast != t.pa) {
      return corrupt("va " + hex(normalized.value()) + ": " + m->name + " gives pa " + hex(fast.value()) +
                     ", page tables give pa " + hex(t.pa.value()));
    }
  }
  return t;
}

Result<Translation> VirtualMemory::translate(VirtAddr va) const {
  VirtAddr normalized = translator_.normalize(va);
  switch (mode_) {
    case TranslationMode::Walk: return walk_cached(normalized);
    case TranslationMode::Checked: return walk_checked(normalized);
    case TranslationMode::FastPath:
      if (const DirectMapping* m = translator_.fast_path_for(normalized)) {
        return Translation{m->translate(normalized), translator_.page_size()};
      }
      return walk_cached(normalized);
  }
  return walk_cached(normalized);
}

Result<VirtualMemory::Piece> VirtualMemory::piece_at(VirtAddr va) const {
  if (mode_ == TranslationMode::FastPath) {
    // A fast-path range is physically contiguous: one piece to its end.
    VirtAddr normalized = translator_.normalize(va);
    if (const DirectMapping* m = translator_.fast_path_for(normalized)) {
      return Piece{m->translate(normalized), m->bytes_to_end(normalized)};
    }
  }
  RAMSIFT_TRY(Translation t, translate(va));
  return Piece{t.pa, t.bytes_to_end()};
}

Result<size_t> VirtualMemory::read(VirtAddr va, std::span<std::byte> out) const {
  size_t done = 0;
  while (done < out.size()) {
    VirtAddr at = va + done;
    // Reading past the top of the address space stops there.
    if (done > 0 && at.value() < va.value()) break;
    Result<Piece> piece = piece_at(at);
    if (!piece) {
      if (done > 0) break;
      return std::move(piece).error();
    }
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(out.size() - done, piece->length));
    Result<size_t> n = physical_.read(piece->pa, out.subspan(done, chunk));
    if (!n) {
      if (done > 0) break;
      return std::move(n).error().at_address(piece->pa).at_address(at);  // both addresses, typed
    }
    done += *n;
    if (*n < chunk) break;
  }
  return done;
}

Status VirtualMemory::read_exact(VirtAddr va, std::span<std::byte> out) const {
  RAMSIFT_TRY(size_t n, read(va, out));
  if (n == out.size()) return {};
  // Read from the first missing byte again for its error.
  Result<size_t> rest = read(va + n, out.subspan(n));
  if (!rest) return std::move(rest).error();
  return fault("read stopped short").at_address(va + n);
}

Result<uint64_t> VirtualMemory::read_u64(VirtAddr va, Endian endian) const {
  std::array<std::byte, 8> bytes{};
  RAMSIFT_TRY_STATUS(read_exact(va, bytes));
  return ByteReader(bytes, "virtual memory", va.value(), endian).u64(0);
}

VirtualMemory::CacheStats VirtualMemory::cache_stats() const {
  return CacheStats{hits_.load(std::memory_order_relaxed), misses_.load(std::memory_order_relaxed)};
}

}  // namespace ramsift
