#include "ramsift/symbolize/dump_records.h"

namespace ramsift {

Result<std::unique_ptr<DumpRecords>> DumpRecords::open(const Kernel& kernel, const PageOwnerWalkOptions& options) {
  std::unique_ptr<DumpRecords> d(new DumpRecords());
  d->kernel_ = &kernel;
  RAMSIFT_TRY(PageOwnerChain chain, PageOwnerChain::open(kernel, options));
  if (chain.no_walker) return *chain.no_walker;
  RAMSIFT_TRY(Symbolizer symbolizer, Symbolizer::open(kernel));
  d->symbolizer_ = std::make_unique<Symbolizer>(std::move(symbolizer));
  d->model_ = std::move(chain.model);
  d->names_ = std::move(chain.names);
  d->depot_ = std::move(chain.depot);
  d->walker_ = std::move(chain.walker);
  return d;
}

void DumpRecords::enable_lines(std::string modules_dir) {
  lines_ = std::make_unique<SourceLines>(*kernel_, *symbolizer_, std::move(modules_dir));
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
  if (!walker_->next(record, frames)) return false;
  symbolize(frames, record);
  return true;
}

const std::vector<Error>& DumpRecords::problems() const {
  problems_ = walker_->problems();
  for (const Error& e : symbolizer_->problems()) problems_.push_back(e);
  return problems_;
}

}  // namespace ramsift
