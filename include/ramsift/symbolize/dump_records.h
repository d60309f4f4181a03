// Everything needed to read page_owner records out of a dump, assembled:
// the memory model, the kernel's name tables, the stack depot and the walker
// (page_owner_chain.h, all required here), and the symbolizer, behind the
// PageOwnerSource interface that analyses read (page_owner_source.h). Stacks come out exactly as %pS
// prints them.
//
//   RAMSIFT_TRY(auto records, DumpRecords::open(kernel, {}));
//   PageOwnerRecord r;
//   while (records->next(r)) ...
//
// next() walks on the caller's thread, or on N threads with set_threads(N > 1)
// (chunked_walk.h; not with --lines): the records and their order are the
// same. page-owner's text is made on every core (analysis/page_owner_listing.h
// ChunkedSink) when the threads are 0 (the default).
#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ramsift/decode/page_owner_dump.h"
#include "ramsift/decode/page_owner_source.h"
#include "ramsift/symbolize/chunked_walk.h"
#include "ramsift/symbolize/page_owner_chain.h"
#include "ramsift/symbolize/source_lines.h"
#include "ramsift/symbolize/symbolizer.h"

namespace ramsift {

class DumpRecords final : public PageOwnerSource {
 public:
  static Result<std::unique_ptr<DumpRecords>> open(const Kernel& kernel, const PageOwnerWalkOptions& options);

  bool next(PageOwnerRecord& record) override;
  PageOwnerTextFormat text_format() const override { return chain_.walker->text_format(); }
  // The walker's problems, then the symbolizer's (module list); stats() has the counts.
  const std::vector<Error>& problems() const override;

  const Kernel& kernel() const { return *chain_.kernel; }
  const MemoryModel& model() const { return *chain_.model; }
  const KernelNames& names() const { return *chain_.names; }
  const StackDepot& depot() const { return *chain_.depot; }
  const Symbolizer& symbolizer() const { return *symbolizer_; }
  PageOwnerWalker& walker() { return *chain_.walker; }
  const PageOwnerWalkStats& stats() const { return chain_.walker->stats(); }
  // --lines: frames gain file:line and inlined functions (source_lines.h),
  // module frames from .ko files under modules_dir.
  void enable_lines(std::string modules_dir);
  const SourceLines* lines() const { return lines_.get(); }
  // Fills record.stack / record.free_stack from frames; each stack handle
  // is symbolized once. Safe on several threads at once.
  void symbolize(const PageOwnerFrames& frames, PageOwnerRecord& record) const;
  // Walker threads: 0 (the default) every core for a ChunkedSink and the
  // caller's own for next(); 1 the caller's own; N > 1 N walkers for both.
  void set_threads(unsigned threads) { threads_ = threads; }
  unsigned threads() const { return threads_; }
  // Where next() is (pfn), and where it ends, for progress.
  uint64_t position() const;
  uint64_t end() const { return chain_.walker->end(); }
  ~DumpRecords() override;

 private:
  DumpRecords();
  const std::vector<std::string>& stack_text(uint32_t handle, std::span<const uint64_t> frames) const;
  bool next_chunked(PageOwnerRecord& record);
  PageOwnerChain chain_;  // whole: open() refuses a chain without a walker
  std::unique_ptr<Symbolizer> symbolizer_;
  std::unique_ptr<SourceLines> lines_;
  mutable std::vector<Error> problems_;
  // Symbolized stacks by handle (never erased: references stay valid).
  mutable std::shared_mutex stacks_mutex_;
  mutable std::unordered_map<uint32_t, std::vector<std::string>> stacks_;
  unsigned threads_ = 0;
  struct Batch;
  std::unique_ptr<ChunkedWalk> chunked_;
  std::unique_ptr<ChunkedWalk::Chunk> batch_;
  size_t batch_next_ = 0;
};

}  // namespace ramsift
