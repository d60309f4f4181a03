#include "ramsift/analysis/page_story.h"

#include "ramsift/decode/kernel_names.h"
#include "ramsift/decode/memory_model.h"
#include "ramsift/decode/page_owner_dump.h"
#include "ramsift/decode/stack_depot.h"
#include "ramsift/symbolize/symbolizer.h"

namespace ramsift {

struct PageStories::State {
  const Kernel* kernel = nullptr;
  std::optional<MemoryModel> model;
  std::optional<KernelNames> names;
  std::optional<StackDepot> depot;
  std::optional<PageOwnerWalker> walker;
  // Why there is no walker: NotFound is the kernel's own state (no
  // page_owner, not booted with page_owner=on), said on the page; anything
  // else (a member the vmlinux lacks, damaged data) is also a problem.
  std::optional<Error> no_walker;
  std::optional<Symbolizer> symbolizer;
  bool symbolizer_tried = false;
};

PageStories::PageStories(std::unique_ptr<State> state) : state_(std::move(state)) {}
PageStories::PageStories(PageStories&&) noexcept = default;
PageStories& PageStories::operator=(PageStories&&) noexcept = default;
PageStories::~PageStories() = default;

Result<PageStories> PageStories::open(const Kernel& kernel) {
  auto s = std::make_unique<State>();
  s->kernel = &kernel;
  RAMSIFT_TRY(MemoryModel model, MemoryModel::open(kernel));
  s->model.emplace(std::move(model));
  RAMSIFT_TRY(KernelNames names, KernelNames::read(kernel));
  s->names.emplace(std::move(names));
  // page_owner and the symbolizer are opened once for every address.
  if (auto depot = StackDepot::open(kernel)) {
    s->depot.emplace(std::move(*depot));
    if (auto w = PageOwnerWalker::open(kernel, *s->model, *s->names, *s->depot, {}))
      s->walker.emplace(std::move(*w));
    else
      s->no_walker = std::move(w).error();
  } else {
    s->no_walker = std::move(depot).error();
  }
  return PageStories(std::move(s));
}

Result<PageReport> PageStories::tell(const PageAddress& address) {
  State& s = *state_;
  RAMSIFT_TRY(uint64_t pfn, resolve_pfn(address, *s.kernel, *s.model));
  PageReport r;
  RAMSIFT_TRY(r.page, read_page_info(*s.kernel, *s.model, *s.names, pfn));
  if (!s.walker) {
    const bool state = s.no_walker->code() == ErrorCode::NotFound;
    r.page_owner_unavailable = (state ? (s.depot ? "off: " : "unknown: ") : "unreadable: ") + s.no_walker->message();
    if (!state) r.problems.push_back(s.no_walker->to_string());
    return r;
  }
  const size_t problems_before = s.walker->problems().size();
  PageOwnerRecord record;
  PageOwnerFrames frames;
  auto state = s.walker->read_one(pfn, record, frames);
  if (!state) {
    r.problems.push_back(state.error().to_string());
    r.page_owner_unavailable = "unreadable: " + state.error().message();
  } else if (!*state) {
    r.page_owner_unavailable = "none: no page_ext for this pfn";
  } else {
    r.owner = (*state)->owner;
    r.allocated = (*state)->allocated;
    if (r.owner) {
      if (!s.symbolizer_tried) {
        s.symbolizer_tried = true;
        // page-owner cannot print without names; here the page is still
        // told, its frames as bare addresses, and the reason said (exit 1).
        if (auto sym = Symbolizer::open(*s.kernel))
          s.symbolizer.emplace(std::move(*sym));
        else
          r.problems.push_back(std::move(sym).error().with_context("frames printed as bare addresses").to_string());
      }
      for (uint64_t a : frames.alloc) record.stack.push_back(s.symbolizer ? s.symbolizer->format(a) : hex(a));
      for (uint64_t a : frames.free) record.free_stack.push_back(s.symbolizer ? s.symbolizer->format(a) : hex(a));
      r.record = std::move(record);
    }
  }
  for (size_t i = problems_before; i < s.walker->problems().size(); ++i)
    r.problems.push_back(s.walker->problems()[i].to_string());
  return r;
}

Result<StackRecordReport> stack_record(const Kernel& kernel, uint32_t handle) {
  RAMSIFT_TRY(StackDepot depot, StackDepot::open(kernel));
  StackRecordReport r;
  r.handle = handle;
  RAMSIFT_TRY(r.record, depot.record_address(handle));
  RAMSIFT_TRY(auto frames, depot.fetch(handle));
  r.frames.assign(frames.begin(), frames.end());
  if (auto sym = Symbolizer::open(kernel))
    for (uint64_t a : r.frames) r.symbols.push_back(sym->format(a));
  return r;
}

}  // namespace ramsift
