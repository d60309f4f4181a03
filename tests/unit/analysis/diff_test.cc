// ramsift diff: matching across boots (bare addresses as "?", comm not pid),
// per stack / comm / module / category, new and vanished, --top, filters.
// The inputs are tests/data/page_owner/synthetic-diff-{before,after}.txt
// (synthetic; their README says what each holds).
#include "ramsift/analysis/diff.h"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "ramsift/decode/page_owner_text.h"

using namespace ramsift;

namespace {

std::string sample(const std::string& name) {
  std::ifstream in(std::string(RAMSIFT_TEST_DATA) + "/page_owner/" + name, std::ios::binary);
  REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

DiffResult diff(const DiffOptions& options) {
  std::string before = sample("synthetic-diff-before.txt"), after = sample("synthetic-diff-after.txt");
  PageOwnerTextReader b(before, "before"), a(after, "after");
  auto r = compute_diff(b, a, options);
  REQUIRE(r);
  CHECK(r->before.problems.empty());
  CHECK(r->after.problems.empty());
  return std::move(*r);
}

// key -> {before pages, after pages}
std::map<std::string, std::pair<uint64_t, uint64_t>> by_key(const DiffResult& r) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> m;
  for (const DiffEntry& e : r.entries) m[e.key] = {e.before_pages, e.after_pages};
  return m;
}

}  // namespace

TEST_CASE("analysis: diff: bare addresses become ?, everything else of a frame is kept") {
  CHECK(diff_frame("0xffffffffc0a01000") == "?");
  CHECK(diff_frame("0xFFFF0000") == "?");
  CHECK(diff_frame("drv_alloc_buf+0x24/0x90 [drv]") == "drv_alloc_buf+0x24/0x90 [drv]");
  CHECK(diff_frame("0x") == "0x");
  CHECK(diff_frame("0xffffz") == "0xffffz");
}

TEST_CASE("analysis: diff: by stack, the driver stack at another address in the other boot is one stack") {
  DiffResult r = diff({});
  CHECK(r.before.matched_pages == 10);
  CHECK(r.after.matched_pages == 17);
  REQUIRE(r.entries.size() == 5);
  // drv: 2 order-0 pages before; 2 order-0 and 1 order-2 after, under 0xffffffffc0b07000 instead of ...a01000.
  const DiffEntry* drv = nullptr;
  for (const DiffEntry& e : r.entries)
    if (e.stack.size() > 3 && e.stack[3] == "drv_alloc_buf+0x24/0x90 [drv]") drv = &e;
  REQUIRE(drv);
  CHECK(drv->stack[4] == "?");
  CHECK(drv->before_pages == 2);
  CHECK(drv->after_pages == 6);
  CHECK(drv->before_records == 2);
  CHECK(drv->after_records == 3);
  CHECK(drv->change() == DiffChange::Grew);
  // biggest change first; at equal |delta| growth first
  CHECK(r.entries[0].change() == DiffChange::New);  // vmalloc +4, before drv +4 by key order
  CHECK(r.entries[0].after_pages == 4);
  CHECK(r.entries.back().change() == DiffChange::Vanished);  // oldmod -1
  CHECK(r.entries.back().stack[3] == "old_alloc+0x10/0x40 [oldmod]");
  CHECK(r.new_count == 1);
  CHECK(r.vanished_count == 1);
  CHECK(r.grew_count == 2);
  CHECK(r.shrank_count == 1);
  CHECK(r.grew_pages - r.shrank_pages == 7);
}

TEST_CASE("analysis: diff: by comm matches processes by name, not pid") {
  DiffOptions o;
  o.by = DiffKey::Comm;
  DiffResult r = diff(o);
  auto m = by_key(r);
  CHECK(m["app"] == std::pair<uint64_t, uint64_t>{3, 5});  // pid 300 before, 412 after
  CHECK(m["insmod"] == std::pair<uint64_t, uint64_t>{3, 6});
  CHECK(m["kworker/0:1"] == std::pair<uint64_t, uint64_t>{0, 4});
  CHECK(m["init"] == std::pair<uint64_t, uint64_t>{4, 2});
  CHECK(r.entries.size() == 4);
}

TEST_CASE("analysis: diff: by module and by category") {
  DiffOptions o;
  o.by = DiffKey::Module;
  auto m = by_key(diff(o));
  CHECK(m["drv"] == std::pair<uint64_t, uint64_t>{2, 6});
  CHECK(m["oldmod"] == std::pair<uint64_t, uint64_t>{1, 0});
  CHECK(m["vmlinux"] == std::pair<uint64_t, uint64_t>{7, 11});
  o.by = DiffKey::Category;
  m = by_key(diff(o));
  CHECK(m["vmalloc"] == std::pair<uint64_t, uint64_t>{0, 4});
  CHECK(m["anon"] == std::pair<uint64_t, uint64_t>{3, 5});
  CHECK(m["slab"] == std::pair<uint64_t, uint64_t>{4, 2});
  CHECK(m["other"] == std::pair<uint64_t, uint64_t>{3, 6});
}

TEST_CASE("analysis: diff: --top keeps the biggest changes, counts stay whole, filters apply to both sides") {
  DiffOptions o;
  o.top = 2;
  DiffResult r = diff(o);
  CHECK(r.entries.size() == 2);
  CHECK(r.new_count + r.grew_count + r.shrank_count + r.vanished_count == 5);
  DiffOptions f;
  f.by = DiffKey::Comm;
  f.filter.module = "drv";
  r = diff(f);
  CHECK(r.before.matched_pages == 2);
  CHECK(r.after.matched_pages == 6);
  REQUIRE(r.entries.size() == 1);
  CHECK(r.entries[0].key == "insmod");
  CHECK(parse_diff_key("category").value() == DiffKey::Category);
  // top's keys and page_owner_sort's --cull spellings; nothing else.
  CHECK(parse_diff_key("pid").value() == DiffKey::Pid);
  CHECK(parse_diff_key("tg").value() == DiffKey::Tgid);
  CHECK(parse_diff_key("ator").value() == DiffKey::Allocator);
  CHECK_FALSE(parse_diff_key("pids"));
}
