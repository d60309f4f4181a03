#include "ramsift/symbolize/chunked_walk.h"

#include <algorithm>

#include "ramsift/symbolize/dump_records.h"

namespace ramsift {

namespace {

// Chunks in flight a thread: enough that no worker waits for the reader to
// take a chunk while another is still being walked.
constexpr size_t kChunksAheadPerThread = 2;
// A chunk of 8192 pfns holds at most 8192 records (32 MiB of 4K pages):
// a few MiB of text, so the chunks in flight stay small beside the dump.
constexpr uint64_t kMaxChunkPfns = 8192;
constexpr uint64_t kChunksPerThread = 32;

}  // namespace

uint64_t ChunkedWalk::chunk_pfns(uint64_t pfns, uint64_t block, unsigned threads) {
  block = std::max<uint64_t>(block, 1);
  uint64_t want = pfns / (std::max(threads, 1u) * kChunksPerThread);
  want = std::min(want, kMaxChunkPfns);
  return std::max(block, (want + block - 1) / block * block);
}

ChunkedWalk::ChunkedWalk(DumpRecords& records, unsigned threads, MakeChunk make, OnRecord on_record)
    : records_(records), make_(std::move(make)), on_record_(std::move(on_record)) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const PageOwnerWalker& walker = records.walker();
  base_ = std::make_unique<PageOwnerWalker>(walker.part(walker.begin(), walker.end()));
  const uint64_t begin = walker.begin(), end = walker.end();
  const uint64_t block = records.model().max_order_nr_pages();
  const uint64_t size = chunk_pfns(end > begin ? end - begin : 0, block, threads);
  // Boundaries on multiples of the chunk size (themselves block multiples);
  // the first chunk starts where the walk does.
  for (uint64_t first = begin; first < end;) {
    uint64_t next = (first / size + 1) * size;
    bounds_.emplace_back(first, std::min(next, end));
    first = next;
  }
  slots_.resize(bounds_.size());
  window_ = kChunksAheadPerThread * threads + 1;
  position_ = begin;
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(bounds_.size(), 1)));
  for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

ChunkedWalk::~ChunkedWalk() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  room_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ChunkedWalk::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    room_.wait(lock, [&] { return stop_ || claimed_ >= bounds_.size() || claimed_ < delivered_ + window_; });
    if (stop_ || claimed_ >= bounds_.size()) return;
    const size_t i = claimed_++;
    std::unique_ptr<Chunk> chunk;
    if (!recycled_.empty()) {
      chunk = std::move(recycled_.back());
      recycled_.pop_back();
    }
    lock.unlock();
    if (chunk)
      chunk->clear();
    else
      chunk = make_();
    chunk->first_pfn = bounds_[i].first;
    chunk->end_pfn = bounds_[i].second;
    auto part = std::make_unique<PageOwnerWalker>(base_->part(chunk->first_pfn, chunk->end_pfn));
    PageOwnerRecord record;
    PageOwnerFrames frames;
    while (part->next(record, frames)) {
      records_.symbolize(frames, record);
      on_record_(*chunk, record);
    }
    lock.lock();
    slots_[i].chunk = std::move(chunk);
    slots_[i].part = std::move(part);
    slots_[i].done = true;
    ready_.notify_all();
  }
}

std::unique_ptr<ChunkedWalk::Chunk> ChunkedWalk::next() {
  std::unique_lock lock(mutex_);
  if (delivered_ >= bounds_.size()) return nullptr;
  ready_.wait(lock, [&] { return slots_[delivered_].done; });
  Slot slot = std::move(slots_[delivered_]);
  ++delivered_;
  lock.unlock();
  room_.notify_all();
  // Only this thread touches the walk itself; the workers read base_.
  records_.walker().absorb(*slot.part);
  position_ = slot.chunk->end_pfn;
  return std::move(slot.chunk);
}

void ChunkedWalk::recycle(std::unique_ptr<Chunk> chunk) {
  if (!chunk) return;
  std::lock_guard lock(mutex_);
  recycled_.push_back(std::move(chunk));
}

}  // namespace ramsift
