// ramparse's page tracking lines (parsers/pagetracking.py's format strings)
// and page_frequency.txt's order: by memory, ties in first-seen order.
#include "ramsift/output/ramparse.h"

#include <doctest/doctest.h>

#include <sstream>

using namespace ramsift;

namespace {

RamparseRecord record(uint64_t pfn, unsigned order, std::vector<RamparseFrame> frames) {
  RamparseRecord r;
  r.pfn = pfn;
  r.order = order;
  r.page = 0xfffffffec0000000 + pfn * 64;
  r.pid = 55;
  r.comm = "rs-gamma";
  r.ts_nsec = 5161764944;
  r.gfp_mask = 0x140dca;
  r.page_ext_flags = 0x3;
  r.frames = std::move(frames);
  return r;
}

const RamparseFrame kAlloc{0xffffffdbacb146fc, "get_page_from_freelist", 0xd64};
const RamparseFrame kModule{0xffffffdb395e50ec, "ramsift_alloc_small[ramsift_fixture]", 0x14};
const RamparseFrame kBare{0xffffffdb395eb040, "", 0};

}  // namespace

TEST_CASE("ramparse: an allocated record, a module frame and a bare one") {
  std::ostringstream out;
  write_ramparse_record(out, record(0x40000, 2, {kAlloc, kModule, kBare}));
  CHECK(out.str() ==
        "PFN : 0x40000-0x40003 Page : 0xfffffffec1000000 Order : 2 PID : 55 Comm: rs-gamma ts_nsec 5161764944 "
        "gfp 0x140dca pgext 0x3\n"
        "      [<ffffffdbacb146fc>] get_page_from_freelist+0xd64\n"
        "      [<ffffffdb395e50ec>] ramsift_alloc_small[ramsift_fixture]+0x14\n"
        "      [<ffffffdb395eb040>] 0xffffffdb395eb040+0x0\n"
        "\n");
}

TEST_CASE("ramparse: a freed record has no Comm") {
  RamparseRecord r = record(0x4061b, 0, {kAlloc});
  r.comm.reset();
  r.pid = 141;
  std::ostringstream out;
  write_ramparse_record(out, r);
  CHECK(out.str().starts_with("PFN : 0x4061b-0x4061b Page : 0xfffffffec10186c0 Order : 0 PID : 141 ts_nsec "));
}

TEST_CASE("ramparse: page_frequency.txt sorts by memory, ties in first-seen order") {
  RamparseFrequency freq(4);
  RamparseRecord a = record(0x100, 0, {kAlloc});
  RamparseRecord b = record(0x200, 1, {kModule});
  RamparseRecord c = record(0x300, 1, {kBare});
  freq.add(a);  // a: 4 KB
  freq.add(b);  // b: 8 KB
  freq.add(c);  // c: 8 KB, tied with b, seen after it
  a.pid = 7;
  freq.add(a);  // a: 8 KB now, seen first of the three: ahead of b and c
  a.pid = 55;
  a.order = 1;
  freq.add(a);  // a: 16 KB
  std::ostringstream out;
  freq.write(out);
  CHECK(out.str() ==
        "Allocated 3 times, total memory: 16 KB\n"
        "      [<ffffffdbacb146fc>] get_page_from_freelist+0xd64\n"
        "pid:55-rs-gamma order:0 frequency:1 memory:4 KB\n"
        "pid:55-rs-gamma order:1 frequency:1 memory:8 KB\n"
        "pid:7-rs-gamma order:0 frequency:1 memory:4 KB\n"
        "\n"
        "Allocated 1 times, total memory: 8 KB\n"
        "      [<ffffffdb395e50ec>] ramsift_alloc_small[ramsift_fixture]+0x14\n"
        "pid:55-rs-gamma order:1 frequency:1 memory:8 KB\n"
        "\n"
        "Allocated 1 times, total memory: 8 KB\n"
        "      [<ffffffdb395eb040>] 0xffffffdb395eb040+0x0\n"
        "pid:55-rs-gamma order:1 frequency:1 memory:8 KB\n"
        "\n");
}
