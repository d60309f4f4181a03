#include "ramsift/symbolize/dump_records.h"

namespace ramsift {

Result<std::unique_ptr<DumpRecords>> DumpRecords::open(const Kernel& kernel, const PageOwnerWalkOptions& options) {
  std::unique_ptr<DumpRecords> d(new DumpRecords());
  d->kernel_ = &kernel;
  RAMSIFT_TRY(MemoryModel model, MemoryModel::open(kernel));
  d->model_ = std::make_unique<MemoryModel>(std::move(model));
  RAMSIFT_TRY(KernelNames names, KernelNames::read(kernel));
  d->names_ = std::make_unique<KernelNames>(std::move(names));
  RAMSIFT_TRY(StackDepot depot, StackDepot::open(kernel));
  d->depot_ = std::make_unique<StackDepot>(std::move(depot));
  RAMSIFT_TRY(Symbolizer symbolizer, Symbolizer::open(kernel));
  d->symbolizer_ = std::make_unique<Symbolizer>(std::move(symbolizer));
  RAMSIFT_TRY(PageOwnerWalker walker, PageOwnerWalker::open(kernel, *d->model_, *d->names_, *d->depot_, options));
  d->walker_ = std::make_unique<PageOwnerWalker>(std::move(walker));
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
