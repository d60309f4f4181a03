// The debugfs page_owner text: parse -> print is the identity on kernel
// output of every format variant; bad input is named by line and skipped.
#include "ramsift/decode/page_owner_text.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "ramsift/base/mapped_file.h"

using namespace ramsift;

namespace {

std::string read_data(const std::string& name) {
  std::ifstream in(std::string(RAMSIFT_TEST_DATA) + "/page_owner/" + name, std::ios::binary);
  REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string problems_text(const std::vector<Error>& problems) {
  std::string s;
  for (const Error& e : problems) s += e.to_string() + "\n";
  return s;
}

// Hand-written from print_page_owner() of each version (values invented).
constexpr std::string_view kV5_10 =
    "Page allocated via order 0, mask 0x100cca(GFP_HIGHUSER_MOVABLE)\n"
    "PFN 262144 type Movable Block 512 type Movable Flags 0x4000000000080068(uptodate|lru|active|swapbacked)\n"
    " prep_new_page+0x1a/0x30\n"
    " get_page_from_freelist+0x2d4/0x10c0\n"
    "\n";
constexpr std::string_view kV5_15 =
    "Page allocated via order 1, mask 0x52cc0(GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP), pid 1, ts "
    "2306843123 ns, free_ts 0 ns\n"
    "PFN 4097 type Unmovable Block 8 type Unmovable Flags 0x17ffffc0010200(slab|head|node=0|zone=2|"
    "lastcpupid=0x1fffff)\n"
    " post_alloc_hook+0x9d/0xc0\n"
    " allocate_slab+0x2b8/0x3f0 [slub_debug]\n"
    "Page has been migrated, last migrate reason: compaction\n"
    "\n";
constexpr std::string_view kV6_12 =
    "Page allocated via order 0, mask 0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), pid 812, tgid 812 (a), ts b (c), "
    "ts 43187423342 ns\n"
    "PFN 0x10a3c2 type Movable Block 2129 type Movable Flags 0x17ffffc0020028(uptodate|lru|mappedtodisk|node=0|"
    "zone=2|lastcpupid=0x1fffff)\n"
    " post_alloc_hook+0x1d8/0x200\n"
    " 0xffffffffc0a01234\n"
    "Slab cache page\n"
    "Charged (via objcg) to offline memcg session-2.scope\n"
    "\n";

}  // namespace

TEST_CASE("decode: page_owner text: the synthetic 6.12 sample prints back byte for byte") {
  std::string text = read_data("synthetic-6.12.txt");
  PageOwnerText parsed = parse_page_owner_text(text, "synthetic-6.12.txt");
  CHECK_MESSAGE(parsed.problems.empty(), problems_text(parsed.problems));
  CHECK(parsed.records.size() == 80);
  CHECK(parsed.format == page_owner_text_format_of(6, 12));
  CHECK(print_page_owner_text(parsed) == text);
}

TEST_CASE("decode: page_owner text: the synthetic 6.1 samples print back byte for byte") {
  for (const char* name : {"synthetic-6.1.txt", "synthetic-6.1-released.txt"}) {
    CAPTURE(name);
    std::string text = read_data(name);
    PageOwnerText parsed = parse_page_owner_text(text, name);
    CHECK_MESSAGE(parsed.problems.empty(), problems_text(parsed.problems));
    CHECK(parsed.format == page_owner_text_format_of(6, 1));
    CHECK(print_page_owner_text(parsed) == text);
  }
}

TEST_CASE("decode: page_owner text: 5.10, 5.15 and 6.12 records, field by field") {
  PageOwnerText a = parse_page_owner_text(kV5_10);
  REQUIRE(a.records.size() == 1);
  CHECK(a.format.line1 == PageOwnerLine1::Order);
  CHECK_FALSE(a.format.pfn_hex);
  CHECK(a.format == page_owner_text_format_of(5, 10));
  CHECK_FALSE(a.records[0].pid);
  CHECK(a.records[0].pfn == 262144);
  CHECK(a.records[0].page_flags == 0x4000000000080068ull);
  CHECK(print_page_owner_text(a) == kV5_10);

  PageOwnerText b = parse_page_owner_text(kV5_15);
  REQUIRE(b.records.size() == 1);
  CHECK(b.format == page_owner_text_format_of(5, 15));
  const PageOwnerRecord& rb = b.records[0];
  CHECK(rb.order == 1);
  CHECK(rb.pages() == 2);
  CHECK(rb.gfp_mask == 0x52cc0);
  CHECK(rb.gfp_flags == "GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP");
  CHECK(rb.pid == 1);
  CHECK_FALSE(rb.tgid);
  CHECK(rb.ts_nsec == 2306843123ull);
  CHECK(rb.free_ts_nsec == 0);
  CHECK(rb.last_migrate_reason == "compaction");
  CHECK(rb.stack.at(1) == "allocate_slab+0x2b8/0x3f0 [slub_debug]");
  CHECK(print_page_owner_text(b) == kV5_15);

  PageOwnerText c = parse_page_owner_text(kV6_12);
  REQUIRE(c.records.size() == 1);
  const PageOwnerRecord& rc = c.records[0];
  CHECK(rc.comm == "a), ts b (c");  // the comm is whatever stands before the last "), ts "
  CHECK(rc.tgid == 812);
  CHECK(rc.pfn == 0x10a3c2);
  CHECK(rc.pageblock_migratetype == "Movable");
  CHECK(rc.page_flags_text == "uptodate|lru|mappedtodisk|node=0|zone=2|lastcpupid=0x1fffff");
  CHECK(rc.stack == std::vector<std::string>{"post_alloc_hook+0x1d8/0x200", "0xffffffffc0a01234"});
  CHECK(rc.slab_cache_page);
  REQUIRE(rc.memcg);
  CHECK(rc.memcg->via_objcg);
  CHECK_FALSE(rc.memcg->online);
  CHECK(rc.memcg->name == "session-2.scope");
  CHECK_FALSE(rc.free_ts_nsec);
  CHECK(print_page_owner_text(c) == kV6_12);
}

TEST_CASE("decode: page_owner text: a record cut off by the end of the file is reported, the rest kept") {
  std::string text = read_data("synthetic-6.12.txt");
  // Cut in the middle of the last record's stack, and also just before its blank line.
  size_t last = text.rfind("Page allocated");
  uint64_t last_line =
      1 + static_cast<uint64_t>(std::count(text.begin(), text.begin() + static_cast<long>(last), '\n'));
  for (size_t cut : {last + 200, text.size() - 1, last + 10}) {
    CAPTURE(cut);
    PageOwnerText parsed = parse_page_owner_text(std::string_view(text).substr(0, cut), "po.txt");
    CHECK(parsed.records.size() == 79);
    REQUIRE(parsed.problems.size() == 1);
    CHECK(parsed.problems[0].to_string() ==
          "po.txt: line " + std::to_string(last_line) + ": record truncated by the end of the file");
  }
}

TEST_CASE("decode: page_owner text: a bad record is named by its line and skipped") {
  std::string text = std::string(kV6_12) + std::string(kV6_12);
  std::string bad = text;
  bad.replace(bad.find("PFN 0x10a3c2"), 12, "PFN 0xZZ");  // first record's line 2
  PageOwnerText parsed = parse_page_owner_text(bad, "po.txt");
  CHECK(parsed.records.size() == 1);
  REQUIRE(parsed.problems.size() == 1);
  CHECK(parsed.problems[0].to_string() == "po.txt: line 2: bad PFN");
  CHECK(parsed.problems[0].code() == ErrorCode::Corrupt);

  bad = text;
  bad.insert(bad.find("Slab cache page"), "garbage\n");  // line 5
  parsed = parse_page_owner_text(bad, "po.txt");
  CHECK(parsed.records.size() == 1);
  REQUIRE(parsed.problems.size() == 1);
  CHECK(parsed.problems[0].to_string() == "po.txt: line 5: unexpected line in a record");
}

TEST_CASE("decode: page_owner text: numbers only in the form the kernel prints them") {
  auto rejects = [](std::string_view from, std::string_view to) {
    std::string text(kV6_12);
    text.replace(text.find(from), from.size(), to);
    PageOwnerText parsed = parse_page_owner_text(text);
    CAPTURE(to);
    CHECK(parsed.records.empty());
    CHECK(parsed.problems.size() == 1);
  };
  rejects("order 0,", "order 00,");
  rejects("mask 0x140cca", "mask 0x0140cca");
  rejects("mask 0x140cca", "mask 0x140CCA");
  rejects("pid 812,", "pid -0,");
  rejects("ts 43187423342 ns", "ts 043187423342 ns");
  rejects("PFN 0x10a3c2", "PFN 0x010a3c2");
  rejects("Block 2129", "Block +2129");
  rejects("Flags 0x17ffffc0020028(", "Flags 17ffffc0020028(");
}

TEST_CASE("decode: page_owner text: records of a different format than the first are refused") {
  std::string text = std::string(kV6_12) + std::string(kV5_15);
  PageOwnerText parsed = parse_page_owner_text(text, "po.txt");
  CHECK(parsed.records.size() == 1);
  REQUIRE(parsed.problems.size() == 1);
  CHECK(parsed.problems[0].message().starts_with("line 8: record in a different format"));
}

TEST_CASE("decode: page_owner text: blank lines where a record should start are reported") {
  std::string text = "\n" + std::string(kV5_10);
  PageOwnerText parsed = parse_page_owner_text(text, "po.txt");
  CHECK(parsed.records.size() == 1);
  REQUIRE(parsed.problems.size() == 1);
  CHECK(parsed.problems[0].to_string() == "po.txt: line 1: blank line where a record should start");
  CHECK(parse_page_owner_text("").records.empty());
  CHECK(parse_page_owner_text("").problems.empty());
}

TEST_CASE("decode: page_owner text: parsing speed (MB/s, printed)") {
  std::string one = read_data("synthetic-6.12.txt");
  std::string text;
  while (text.size() < (16u << 20)) text += one;
  auto start = std::chrono::steady_clock::now();
  PageOwnerTextReader reader(text, "bench");
  PageOwnerRecord r;
  uint64_t records = 0, pages = 0;
  while (reader.next(r)) {
    ++records;
    pages += r.pages();
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(reader.problems().empty());
  CHECK(records == 80 * (text.size() / one.size()));
  MESSAGE("parsed " << text.size() / 1e6 << " MB, " << records << " records in " << seconds
                    << " s: " << text.size() / 1e6 / seconds << " MB/s");
}
