// Qualcomm ramparse's page tracking files (linux-ramdump-parser-v2
// parsers/pagetracking.py, --print-pagetracking, its 2024/25 code), written
// from ramsift's records so the scripts and habits built on them keep
// working (docs/ramparse.md):
//   page_tracking.txt        one allocated block a record
//   page_tracking_freed.txt  one freed block a record (the free stack)
//   page_frequency.txt       allocated records summed per stack text, by memory
//
//   RamparseFrequency frequency(4);                     // page size in KiB
//   write_ramparse_record(tracking, record);           // each allocated record
//   frequency.add(record);
//   write_ramparse_record(freed, freed_record);        // each freed record
//   frequency.write(out);
//
// The line formats are ramparse's exactly; what goes into them is the
// kernel's truth, where ramparse and the kernel disagree (docs/ramparse.md,
// "Differences").
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

namespace ramsift {

class DumpRecords;

struct RamparseFrame {
  uint64_t address = 0;
  // The function as ramparse spells it: "func", "func[module]" for a module's
  // text; empty when nothing covers the address (the kernel prints it bare).
  std::string symbol;
  uint64_t offset = 0;
};

struct RamparseRecord {
  uint64_t pfn = 0;
  unsigned order = 0;
  uint64_t page = 0;                // the struct page's virtual address
  int64_t pid = 0;                  // the allocating pid; for a freed block the freeing pid (free_pid)
  std::optional<std::string> comm;  // allocated blocks only ("Comm: %s ")
  uint64_t ts_nsec = 0;             // allocation ts; for a freed block free_ts_nsec
  uint32_t gfp_mask = 0;
  uint64_t page_ext_flags = 0;
  std::vector<RamparseFrame> frames;  // innermost first
};

// "      [<addr>] sym+0xoff\n" per frame: ramparse's stack text, also the
// frequency file's key. A frame nothing covers prints as "0x<addr>+0x0".
std::string ramparse_stack_text(const std::vector<RamparseFrame>& frames);

// "PFN : 0x<first>-0x<last> Page : 0x<page> Order : N PID : N [Comm: C ]ts_nsec N gfp 0x<gfp> pgext 0x<flags>",
// the stack, then an empty line.
void write_ramparse_record(std::ostream& out, const RamparseRecord& record);

// page_frequency.txt: allocated records keyed by their stack text, then by
// "pid-comm" and order, in first-seen order; written sorted by total memory,
// largest first, ties in first-seen order (Python's stable sort).
class RamparseFrequency {
 public:
  explicit RamparseFrequency(uint64_t page_size_kb) : page_kb_(page_size_kb) {}
  void add(const RamparseRecord& record);
  void write(std::ostream& out) const;

 private:
  struct PidOrders {
    std::string pid;
    std::vector<std::pair<unsigned, uint64_t>> orders;  // order, records
  };
  struct Stack {
    std::string text;
    uint64_t records = 0, memory_kb = 0;
    std::vector<PidOrders> pids;
  };
  uint64_t page_kb_;
  std::vector<Stack> stacks_;
  std::unordered_map<std::string, size_t> index_;  // stack text -> stacks_ index
};

// %pS text ("func+0x1c/0x80", "func+0x1c/0x80 [mod]", "0xffff...") to
// ramparse's name and offset ("func", "func[mod]"; empty name when bare).
RamparseFrame ramparse_frame(uint64_t address, const std::string& text);

// The three files from a dump's records (walked with freed pages): each
// record found as the kernel finds it, as ramparse would have written it.
struct PageTrackingCounts {
  uint64_t allocated = 0, freed = 0;
  uint64_t no_free_stack = 0;  // blocks ramparse skips: stack handle 0, or one that does not decode
  uint64_t unreadable = 0;     // struct page or page_ext not in the dump
};
PageTrackingCounts write_page_tracking(DumpRecords& records, std::ostream& tracking, std::ostream& freed,
                                       std::ostream& frequency);

}  // namespace ramsift
