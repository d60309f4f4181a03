// The page_owner walk on several threads: the pfns cut into chunks on
// max-order block boundaries (no block spans two), each chunk walked by its
// own PageOwnerWalker::part() on a worker, its records symbolized there and
// handed to a per-chunk stage, and the finished chunks given back in pfn
// order, so what comes out is what one walk gives, in the kernel's order.
//
//   struct Texts : ChunkedWalk::Chunk { std::string text; };
//   ChunkedWalk walk(records, 0,                       // 0: every core
//                    [] { return std::make_unique<Texts>(); },
//                    [](ChunkedWalk::Chunk& c, PageOwnerRecord& r) {   // on a worker
//                      static_cast<Texts&>(c).text += ...; });
//   while (auto chunk = walk.next()) std::cout << static_cast<Texts&>(*chunk).text;
//
// The walk's stats and problems (records.walker()) gain each chunk's as
// next() returns it: after the last chunk they are a single walk's. At most
// a few chunks per thread are ahead of the reader (bounded memory). The
// per-record stage must be safe to run on several threads at once for
// different chunks; the Symbolizer and the depot are.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "ramsift/decode/page_owner_dump.h"

namespace ramsift {

class DumpRecords;

class ChunkedWalk {
 public:
  struct Chunk {
    virtual ~Chunk() = default;
    // Before a recycled chunk is walked again: forget its records, keep
    // the storage (strings and vectors reused, nothing allocated).
    virtual void clear() {}
    uint64_t first_pfn = 0, end_pfn = 0;  // the pfns this chunk walked
  };
  using MakeChunk = std::function<std::unique_ptr<Chunk>()>;
  using OnRecord = std::function<void(Chunk&, PageOwnerRecord&)>;

  // threads 0: every core the machine has. Workers start at once.
  ChunkedWalk(DumpRecords& records, unsigned threads, MakeChunk make, OnRecord on_record);
  ~ChunkedWalk();  // stops the workers (a reader may stop early) and joins them
  ChunkedWalk(const ChunkedWalk&) = delete;
  ChunkedWalk& operator=(const ChunkedWalk&) = delete;

  // The next chunk in pfn order once it is finished; nullptr after the last.
  std::unique_ptr<Chunk> next();
  // A chunk next() returned, done with: walked again (cleared) instead of a
  // new one from make().
  void recycle(std::unique_ptr<Chunk> chunk);
  unsigned threads() const { return static_cast<unsigned>(workers_.size()); }
  // The pfns every chunk returned so far has covered up to (for progress).
  uint64_t position() const { return position_; }

  // How many pfns a chunk has for a walk of `pfns` pfns in blocks of
  // `block` on `threads` threads: a multiple of block, small enough that a
  // few chunks a thread stay in memory, large enough to amortize a part().
  static uint64_t chunk_pfns(uint64_t pfns, uint64_t block, unsigned threads);

 private:
  struct Slot {
    std::unique_ptr<Chunk> chunk;
    std::unique_ptr<PageOwnerWalker> part;
    bool done = false;
  };
  void work();

  DumpRecords& records_;
  MakeChunk make_;
  OnRecord on_record_;
  std::vector<std::pair<uint64_t, uint64_t>> bounds_;  // [first, end) per chunk
  std::vector<Slot> slots_;
  std::unique_ptr<PageOwnerWalker> base_;  // the walk's copy the workers cut parts from
  std::vector<std::unique_ptr<Chunk>> recycled_;
  size_t claimed_ = 0, delivered_ = 0, window_ = 0;
  uint64_t position_ = 0;
  bool stop_ = false;
  std::mutex mutex_;
  std::condition_variable ready_, room_;
  std::vector<std::thread> workers_;
};

}  // namespace ramsift
