// RecordFilter: each condition alone keeps exactly the records it should,
// on records built here; pfn ranges and bad input.
#include "ramsift/analysis/filter.h"

#include <doctest/doctest.h>

#include "ramsift/decode/page_owner_text.h"

using namespace ramsift;

namespace {

PageOwnerRecord rec(uint64_t pfn, unsigned order, uint64_t ts, std::string gfp, std::vector<std::string> stack) {
  PageOwnerRecord r;
  r.pfn = pfn;
  r.order = order;
  r.ts_nsec = ts;
  r.pid = r.tgid = static_cast<int32_t>(pfn);
  r.comm = "p" + std::to_string(pfn);
  r.gfp_flags = std::move(gfp);
  r.stack = std::move(stack);
  return r;
}

const PageOwnerRecord kModule = rec(100, 2, 5000, "GFP_KERNEL|__GFP_COMP",
                                    {"post_alloc_hook+0x1/0x2", "ramsift_alloc_small+0x5/0x6 [ramsift_fixture]",
                                     "ramsift_fill_site+0x43/0xf71 [ramsift_fixture]", "do_one_initcall+0x4b/0x180"});
const PageOwnerRecord kKernel = rec(200, 0, 9000, "GFP_KERNEL_ACCOUNT",
                                    {"post_alloc_hook+0x1/0x2", "__pte_alloc+0x38/0x1a0", "handle_mm_fault+0x1/0x2"});
const PageOwnerRecord kEmpty = rec(300, 9, 1, "", {});

std::vector<uint64_t> kept(const RecordFilter& f) {
  std::vector<uint64_t> pfns;
  for (const PageOwnerRecord* r : {&kModule, &kKernel, &kEmpty})
    if (f.matches(*r)) pfns.push_back(r->pfn);
  return pfns;
}

}  // namespace

TEST_CASE("analysis: filter: an empty filter keeps everything") {
  RecordFilter f;
  CHECK(f.empty());
  CHECK(kept(f) == std::vector<uint64_t>{100, 200, 300});
}

TEST_CASE("analysis: filter: --module is any frame's module, vmlinux is no module frame") {
  RecordFilter f;
  f.module = "ramsift_fixture";
  CHECK(kept(f) == std::vector<uint64_t>{100});
  f.module = "vmlinux";
  CHECK(kept(f) == std::vector<uint64_t>{200, 300});
  f.module = "ramsift";  // a prefix is not the module
  CHECK(kept(f).empty());
}

TEST_CASE("analysis: filter: --function searches each frame's function name, not offsets or modules") {
  RecordFilter f;
  f.function = std::move(FunctionPattern::compile("^ramsift_alloc_").value());
  CHECK(kept(f) == std::vector<uint64_t>{100});
  f.function = std::move(FunctionPattern::compile("pte").value());
  CHECK(kept(f) == std::vector<uint64_t>{200});
  f.function = std::move(FunctionPattern::compile("0x43").value());  // an offset, never a function
  CHECK(kept(f).empty());
  f.function = std::move(FunctionPattern::compile("ramsift_fixture").value());  // a module, never a function
  CHECK(kept(f).empty());
  auto bad = FunctionPattern::compile("(unclosed");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message().find("(unclosed") != std::string::npos);
}

TEST_CASE("analysis: filter: --gfp is a whole flag name of the gfp text") {
  RecordFilter f;
  f.gfp_flag = "__GFP_COMP";
  CHECK(kept(f) == std::vector<uint64_t>{100});
  f.gfp_flag = "GFP_KERNEL";  // not GFP_KERNEL_ACCOUNT
  CHECK(kept(f) == std::vector<uint64_t>{100});
  f.gfp_flag = "GFP_KERNEL_ACCOUNT";
  CHECK(kept(f) == std::vector<uint64_t>{200});
  f.gfp_flag = "GFP";
  CHECK(kept(f).empty());
}

TEST_CASE("analysis: filter: --order, --since/--until (inclusive), combined conditions all hold") {
  RecordFilter f;
  f.order = 9;
  CHECK(kept(f) == std::vector<uint64_t>{300});
  f = {};
  f.since_ns = 5000;
  CHECK(kept(f) == std::vector<uint64_t>{100, 200});
  f.until_ns = 8999;
  CHECK(kept(f) == std::vector<uint64_t>{100});
  f.order = 0;
  CHECK(kept(f).empty());
  // A record without a ts (5.4-5.10 text) is outside every time window.
  PageOwnerRecord old = kKernel;
  old.ts_nsec.reset();
  RecordFilter since;
  since.since_ns = 0;
  CHECK_FALSE(since.matches(old));
}

TEST_CASE("analysis: filter: --pfn-range keeps blocks that overlap it") {
  RecordFilter f;
  f.pfns = parse_pfn_range("103-199").value();  // kModule covers 100..103 (order 2)
  CHECK(kept(f) == std::vector<uint64_t>{100});
  f.pfns = parse_pfn_range("104-199").value();
  CHECK(kept(f).empty());
  f.pfns = parse_pfn_range("0xc8-0xc8").value();  // 200
  CHECK(kept(f) == std::vector<uint64_t>{200});
  f.pfns = parse_pfn_range("0-0x1000").value();
  CHECK(kept(f).size() == 3);
  // One pfn alone is that pfn (A-A), as in every command.
  CHECK(parse_pfn_range("0xc8").value().first == 200);
  CHECK(parse_pfn_range("0xc8").value().last == 200);
  f.pfns = parse_pfn_range("102").value();  // inside kModule's order-2 block at 100
  CHECK(kept(f) == std::vector<uint64_t>{100});
  CHECK_FALSE(parse_pfn_range("9-5"));
  CHECK_FALSE(parse_pfn_range("a-b"));
  CHECK_FALSE(parse_pfn_range("1-"));
}

TEST_CASE("analysis: filter: newest_allocation_ts reads the whole source") {
  std::string text;
  PageOwnerTextFormat format = page_owner_text_format_of(6, 12);
  for (const PageOwnerRecord* r : {&kModule, &kKernel, &kEmpty}) {
    PageOwnerRecord copy = *r;
    copy.page_migratetype = copy.pageblock_migratetype = "Unmovable";
    append_page_owner_record(text, copy, format);
  }
  PageOwnerTextReader reader(text, "t");
  CHECK(newest_allocation_ts(reader) == 9000);
  CHECK(reader.problems().empty());
}
