// Everything needed to read page_owner records out of a dump, assembled:
// the memory model, the kernel's name tables, the stack depot and the walker
// (page_owner_chain.h, all required here), and the symbolizer, behind the
// PageOwnerSource interface that analyses read (page_owner_source.h). Stacks come out exactly as %pS
// prints them.
//
//   RAMSIFT_TRY(auto records, DumpRecords::open(kernel, {}));
//   PageOwnerRecord r;
//   while (records->next(r)) ...
#pragma once

#include <memory>

#include "ramsift/decode/page_owner_dump.h"
#include "ramsift/decode/page_owner_source.h"
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
  // Fills record.stack / record.free_stack from frames.
  void symbolize(const PageOwnerFrames& frames, PageOwnerRecord& record) const;

 private:
  DumpRecords() = default;
  PageOwnerChain chain_;  // whole: open() refuses a chain without a walker
  std::unique_ptr<Symbolizer> symbolizer_;
  std::unique_ptr<SourceLines> lines_;
  mutable std::vector<Error> problems_;
};

}  // namespace ramsift
