#include "ramsift/analysis/page_story.h"

#include "ramsift/symbolize/page_owner_chain.h"
#include "ramsift/symbolize/symbolizer.h"

namespace ramsift {

struct PageStories::State {
  PageOwnerChain chain;  // the walker may be missing: chain.no_walker
  std::optional<Symbolizer> symbolizer;
  std::optional<Error> no_symbolizer;  // why frames are bare addresses
  bool symbolizer_tried = false;
};

PageStories::PageStories(std::unique_ptr<State> state) : state_(std::move(state)) {}
PageStories::PageStories(PageStories&&) noexcept = default;
PageStories& PageStories::operator=(PageStories&&) noexcept = default;
PageStories::~PageStories() = default;

Result<PageStories> PageStories::open(const Kernel& kernel) {
  auto s = std::make_unique<State>();
  // page_owner and the symbolizer are opened once for every address.
  RAMSIFT_TRY(s->chain, PageOwnerChain::open(kernel, {}));
  return PageStories(std::move(s));
}

Result<PageReport> PageStories::tell(const PageAddress& address) {
  State& s = *state_;
  const Kernel& kernel = *s.chain.kernel;
  RAMSIFT_TRY(uint64_t pfn, resolve_pfn(address, kernel, *s.chain.model));
  PageReport r;
  RAMSIFT_TRY(r.page, read_page_info(kernel, *s.chain.model, *s.chain.names, pfn));
  if (!s.chain.walker) {
    const bool state = s.chain.no_walker->code() == ErrorCode::NotFound;
    r.page_owner_unavailable =
        (state ? (s.chain.depot ? "off: " : "unknown: ") : "unreadable: ") + s.chain.no_walker->message();
    if (!state) r.problems.push_back(s.chain.no_walker->to_string());
    return r;
  }
  const size_t problems_before = s.chain.walker->problems().size();
  PageOwnerRecord record;
  PageOwnerFrames frames;
  auto state = s.chain.walker->read_one(pfn, record, frames);
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
        if (auto sym = Symbolizer::open(kernel))
          s.symbolizer.emplace(std::move(*sym));
        else
          s.no_symbolizer = std::move(sym).error().with_context("frames printed as bare addresses");
      }
      // page-owner cannot print without names; here the page is still told,
      // its frames as bare addresses, and the reason said on every page
      // that has frames (exit 1).
      if (s.no_symbolizer && (!frames.alloc.empty() || !frames.free.empty()))
        r.problems.push_back(s.no_symbolizer->to_string());
      for (uint64_t a : frames.alloc) record.stack.push_back(s.symbolizer ? s.symbolizer->format(a) : hex(a));
      for (uint64_t a : frames.free) record.free_stack.push_back(s.symbolizer ? s.symbolizer->format(a) : hex(a));
      r.record = std::move(record);
    }
  }
  for (size_t i = problems_before; i < s.chain.walker->problems().size(); ++i)
    r.problems.push_back(s.chain.walker->problems()[i].to_string());
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

bool PagesReport::partial() const {
  if (!errors.empty()) return true;
  for (const PageReport& p : pages)
    if (!p.problems.empty()) return true;
  return false;
}

PagesReport tell_pages(PageStories& stories, const std::vector<PageAddress>& addresses) {
  PagesReport report;
  for (const PageAddress& address : addresses) {
    auto r = stories.tell(address);
    if (r)
      report.pages.push_back(std::move(*r));
    else
      report.errors.push_back(r.error());
  }
  return report;
}

}  // namespace ramsift
