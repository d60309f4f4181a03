#include "ramsift/symbolize/dump_records.h"

namespace ramsift {

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
  auto text = [&](uint64_t a) {
    std::string frame = symbolizer_->format(a);
    return lines_ ? lines_->annotate(a, frame) : frame;
  };
  record.stack.clear();
  for (uint64_t a : frames.alloc) record.stack.push_back(text(a));
  record.free_stack.clear();
  for (uint64_t a : frames.free) record.free_stack.push_back(text(a));
}

bool DumpRecords::next(PageOwnerRecord& record) {
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
