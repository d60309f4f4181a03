#include "ramsift/symbolize/dump_records.h"

#include <mutex>

namespace ramsift {

// A chunk's records. Records are swapped in and out, never copied: the
// walker's record, the batch's slots and the reader's record trade their
// strings, so a warm walk allocates nothing for them.
struct DumpRecords::Batch : ChunkedWalk::Chunk {
  std::vector<PageOwnerRecord> records;  // [0, count) are this walk's
  size_t count = 0;
  void clear() override { count = 0; }
  void add(PageOwnerRecord& r) {
    if (count == records.size()) records.emplace_back();
    swap(records[count++], r);
  }
};

DumpRecords::DumpRecords() = default;
DumpRecords::~DumpRecords() {
  chunked_.reset();  // the workers use everything else: stopped first
}

Result<std::unique_ptr<DumpRecords>> DumpRecords::open(const Kernel& kernel, const PageOwnerWalkOptions& options) {
  std::unique_ptr<DumpRecords> d(new DumpRecords());
  RAMSIFT_TRY(d->chain_, PageOwnerChain::open(kernel, options));
  if (d->chain_.no_walker) return *d->chain_.no_walker;
  RAMSIFT_TRY(Symbolizer symbolizer, Symbolizer::open(kernel));
  d->symbolizer_ = std::make_unique<Symbolizer>(std::move(symbolizer));
  return d;
}

void DumpRecords::enable_lines(std::string modules_dir) {
  lines_ = std::make_unique<SourceLines>(*chain_.kernel, *symbolizer_, std::move(modules_dir));
}

void DumpRecords::symbolize(const PageOwnerFrames& frames, PageOwnerRecord& record) const {
  if (lines_) {  // --lines: frames annotated one by one (SourceLines keeps its own caches)
    auto text = [&](uint64_t a) { return lines_->annotate(a, symbolizer_->format(a)); };
    record.stack.clear();
    for (uint64_t a : frames.alloc) record.stack.push_back(text(a));
    record.free_stack.clear();
    for (uint64_t a : frames.free) record.free_stack.push_back(text(a));
    return;
  }
  // assign() reuses the record's strings when it is reused.
  auto fill = [&](std::vector<std::string>& stack, std::optional<uint32_t> handle, std::span<const uint64_t> at) {
    if (at.empty()) return stack.clear();
    const auto& text = stack_text(handle.value_or(0), at);
    stack.assign(text.begin(), text.end());
  };
  fill(record.stack, record.stack_handle, frames.alloc);
  fill(record.free_stack, record.free_stack_handle, frames.free);
}

const std::vector<std::string>& DumpRecords::stack_text(uint32_t handle, std::span<const uint64_t> frames) const {
  {
    std::shared_lock lock(stacks_mutex_);
    if (auto it = stacks_.find(handle); it != stacks_.end() && it->second.size() == frames.size()) return it->second;
  }
  std::vector<std::string> text;
  text.reserve(frames.size());
  for (uint64_t a : frames) text.push_back(symbolizer_->format(a));
  std::unique_lock lock(stacks_mutex_);
  auto [it, inserted] = stacks_.try_emplace(handle, std::move(text));
  return it->second;
}

uint64_t DumpRecords::position() const {
  return chunked_ ? chunked_->position() : chain_.walker->position();
}

bool DumpRecords::next_chunked(PageOwnerRecord& record) {
  if (!chunked_)
    chunked_ = std::make_unique<ChunkedWalk>(
        *this, threads_, [] { return std::make_unique<Batch>(); },
        [](ChunkedWalk::Chunk& chunk, PageOwnerRecord& r) { static_cast<Batch&>(chunk).add(r); });
  for (;;) {
    if (batch_) {
      auto& batch = static_cast<Batch&>(*batch_);
      if (batch_next_ < batch.count) {
        swap(record, batch.records[batch_next_++]);
        return true;
      }
      chunked_->recycle(std::move(batch_));
    }
    batch_ = chunked_->next();
    batch_next_ = 0;
    if (!batch_) return false;
  }
}

bool DumpRecords::next(PageOwnerRecord& record) {
  // Records one by one to a reader: on the walk's threads only when asked
  // (--threads N > 1). Handing each record across threads costs about what
  // decoding it does (docs/performance.md: top on 2 cores, 1.1 s on one
  // thread, 2.0 s with a walker beside the reader), so by default only
  // what formats on the workers (list_page_owner's ChunkedSink) uses them.
  if (threads_ > 1 && !lines_) return next_chunked(record);
  PageOwnerFrames frames;
  if (!chain_.walker->next(record, frames)) return false;
  symbolize(frames, record);
  return true;
}

const std::vector<Error>& DumpRecords::problems() const {
  problems_ = chain_.walker->problems();
  for (const Error& e : symbolizer_->problems()) problems_.push_back(e);
  return problems_;
}

}  // namespace ramsift
