// `ramsift page`: one page frame and its page_owner story, and `--handle`:
// one stack depot record. The text form starts with crash's `kmem -p` line
// (PAGE PHYSICAL MAPPING INDEX CNT FLAGS), then one labelled fact a line;
// JSON has the same facts as one object.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ramsift/decode/page_info.h"
#include "ramsift/decode/page_owner.h"
#include "ramsift/output/dump_info.h"

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

void print_page_report(const PageReport& report, OutputFormat format, std::ostream& out);

struct StackRecordReport {
  uint32_t handle = 0;
  VirtAddr record;  // struct stack_record
  std::vector<uint64_t> frames;
  std::vector<std::string> symbols;  // %pS of each frame
};

void print_stack_record(const StackRecordReport& report, OutputFormat format, std::ostream& out);

}  // namespace ramsift
