// `ramsift page` as a library operation: each address's struct page (crash's
// kmem -p) and its page_owner story with both stacks symbolized; and one
// stack depot record by handle (--handle).
//
//   RAMSIFT_TRY(PageStories pages, PageStories::open(kernel));
//   RAMSIFT_TRY(PageReport r, pages.tell(address));   // an address that fails: its error
//   print_page_report(r, OutputFormat::Text, std::cout);  // output/page_info.h
//
// A story with parts missing still comes back: PageReport::problems names
// them (exit 1), page_owner_unavailable says why there is no record.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ramsift/decode/page_info.h"
#include "ramsift/decode/page_owner.h"
#include "ramsift/kernel/kernel.h"

namespace ramsift {

struct PageReport {
  PageInfo page;
  // page_owner: why there is no story ("off: page_owner was not enabled ..."),
  // or the story: the page_ext bits and the record with its stacks symbolized.
  std::string page_owner_unavailable;
  bool owner = false, allocated = false;
  std::optional<PageOwnerRecord> record;
  std::vector<std::string> problems;  // parts that could not be read
};

struct StackRecordReport {
  uint32_t handle = 0;
  VirtAddr record;  // struct stack_record
  std::vector<uint64_t> frames;
  std::vector<std::string> symbols;  // %pS of each frame
};

class PageStories {
 public:
  // The memory model and the name tables must open; page_owner (the stack
  // depot, the walker) and the symbolizer may not, each page then says why.
  static Result<PageStories> open(const Kernel& kernel);
  PageStories(PageStories&&) noexcept;
  PageStories& operator=(PageStories&&) noexcept;
  ~PageStories();

  Result<PageReport> tell(const PageAddress& address);

  struct State;

 private:
  explicit PageStories(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// `ramsift page ADDR...` as one operation: each address told in order; one
// that fails keeps its error (the others still told).
struct PagesReport {
  std::vector<PageReport> pages;  // the addresses told, in order
  std::vector<Error> errors;      // the addresses that failed
  // Every address failed: nothing usable (exit 2); some failed, or a story
  // has problems: a result with parts missing (exit 1).
  bool nothing() const { return !errors.empty() && pages.empty(); }
  bool partial() const;
};
PagesReport tell_pages(PageStories& stories, const std::vector<PageAddress>& addresses);

// --handle: one depot_stack_handle_t's record, its frames symbolized where
// the symbolizer opens.
Result<StackRecordReport> stack_record(const Kernel& kernel, uint32_t handle);

}  // namespace ramsift
