// A Dump that reads through another and changes chosen bytes in memory, the
// input file untouched: the corruption matrix (tests/tools/corruption_matrix.cc)
// and the pipeline fuzz target (tests/fuzz/pipeline_fuzz.cc) damage the bundled
// sample this way.
//
//   OverlayDump damaged(*sample);
//   damaged.set(PhysAddr{0x4000'1234}, std::byte{0xff});  // one byte changed
//   damaged.drop(PhysAddr{0x4000'2000});                  // the page reads as absent
//
// read() keeps PhysicalMemory's contract: it stops at the first unreadable
// byte (a dropped page reads as NoData, as a makedumpfile-excluded page) and
// fails only when that is the first byte. Safe on several threads at once
// (the walk's), as every Dump.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "ramsift/dump/dump.h"

namespace ramsift::testing {

class OverlayDump final : public Dump {
 public:
  explicit OverlayDump(const Dump& base, uint64_t page_size = 4096) : base_(base), page_size_(page_size) {
    info_ = base.info();
  }

  void set(PhysAddr at, std::byte value) { bytes_[at.value()] = value; }
  void drop(PhysAddr at) { dropped_.insert(at.value() / page_size_); }
  void clear() {
    bytes_.clear();
    dropped_.clear();
  }
  bool empty() const { return bytes_.empty() && dropped_.empty(); }
  // Every page a read touches is added to *pages (null: none recorded).
  void record_pages(std::set<uint64_t>* pages) { touched_ = pages; }

  std::span<const PhysRange> ranges() const override { return base_.ranges(); }

  Result<size_t> read(PhysAddr addr, std::span<std::byte> out) const override {
    const uint64_t start = addr.value();
    size_t want = out.size();
    if (!dropped_.empty() && want) {
      auto it = dropped_.lower_bound(start / page_size_);
      if (it != dropped_.end() && *it * page_size_ < start + want) {
        if (*it * page_size_ <= start) return no_data("page dropped by the overlay").at_address(addr);
        want = static_cast<size_t>(*it * page_size_ - start);
      }
    }
    auto n = base_.read(addr, out.first(want));
    if (!n) return n;
    if (touched_) {
      std::lock_guard lock(*touched_mutex_);  // the walk reads on several threads
      for (uint64_t page = start / page_size_; page * page_size_ < start + *n; ++page) touched_->insert(page);
    }
    for (auto it = bytes_.lower_bound(start); it != bytes_.end() && it->first < start + *n; ++it)
      out[it->first - start] = it->second;
    return n;
  }

 private:
  const Dump& base_;
  uint64_t page_size_;
  std::map<uint64_t, std::byte> bytes_;
  std::set<uint64_t> dropped_;
  std::set<uint64_t>* touched_ = nullptr;
  std::unique_ptr<std::mutex> touched_mutex_ = std::make_unique<std::mutex>();  // movable
};

}  // namespace ramsift::testing
