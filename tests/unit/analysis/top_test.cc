// `ramsift top`: grouping, filters, sorting, classification, output, CLI.
#include "ramsift/analysis/top.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "ramsift/analysis/classify.h"
#include "ramsift/analysis/page_owner_sort.h"
#include "ramsift/decode/page_owner_text.h"
#include "ramsift/output/top.h"

using namespace ramsift;

namespace {

std::string sample(const std::string& name) {
  std::ifstream in(std::string(RAMSIFT_TEST_DATA) + "/page_owner/" + name, std::ios::binary);
  REQUIRE(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A source over records in memory: what the dump decoder will look like.
class VectorSource final : public PageOwnerSource {
 public:
  explicit VectorSource(std::vector<PageOwnerRecord> records) : records_(std::move(records)) {}
  bool next(PageOwnerRecord& r) override {
    if (at_ == records_.size()) return false;
    r = records_[at_++];
    return true;
  }
  PageOwnerTextFormat text_format() const override { return page_owner_text_format_of(6, 12); }
  const std::vector<Error>& problems() const override { return problems_; }

 private:
  std::vector<PageOwnerRecord> records_;
  size_t at_ = 0;
  std::vector<Error> problems_;
};

PageOwnerRecord rec(int pid, const std::string& comm, unsigned order, std::vector<std::string> stack) {
  PageOwnerRecord r;
  r.pid = pid;
  r.tgid = pid;
  r.comm = comm;
  r.order = order;
  r.ts_nsec = 1000u + static_cast<unsigned>(pid);
  r.page_migratetype = r.pageblock_migratetype = "Unmovable";
  r.stack = std::move(stack);
  return r;
}

TopResult top(PageOwnerSource& source, const TopOptions& options) {
  auto r = compute_top(source, options);
  REQUIRE(r);
  return std::move(*r);
}

const std::vector<std::string> kSlab = {"post_alloc_hook+0x1/0x2", "allocate_slab+0x1/0x2", "kmem_cache_alloc+0x1/0x2"};
const std::vector<std::string> kAnon = {"post_alloc_hook+0x1/0x2", "do_anonymous_page+0x1/0x2",
                                        "handle_mm_fault+0x1/0x2"};
const std::vector<std::string> kGpu = {"post_alloc_hook+0x1/0x2", "ttm_pool_alloc+0x1/0x2 [ttm]",
                                       "amdgpu_ttm_tt_populate+0x1/0x2 [amdgpu]"};

}  // namespace

TEST_CASE("analysis: top: groups by stack, sums pages, sorts by pages, ties in order of first appearance") {
  VectorSource source({rec(1, "a", 0, kAnon), rec(2, "b", 2, kSlab), rec(3, "c", 0, kGpu), rec(4, "d", 1, kAnon),
                       rec(5, "e", 1, kGpu), rec(6, "f", 0, kGpu)});
  TopResult r = top(source, {});
  CHECK(r.records == 6);
  CHECK(r.pages == 1 + 4 + 1 + 2 + 2 + 1);
  REQUIRE(r.groups.size() == 3);
  // slab 4 pages, gpu 4 pages (ties: slab appeared first), anon 3
  CHECK(r.groups[0].stack == kSlab);
  CHECK(r.groups[1].stack == kGpu);
  CHECK(r.groups[1].records == 3);
  CHECK(r.groups[1].pages == 4);
  CHECK(r.groups[2].stack == kAnon);
  CHECK(r.groups[2].pid == 1);  // the first record stands for the group
}

TEST_CASE("analysis: top: combined keys, filters, --top and --min-pages") {
  std::vector<PageOwnerRecord> records = {rec(1, "a", 0, kAnon), rec(1, "a", 3, kSlab), rec(2, "b", 0, kAnon),
                                          rec(2, "b", 0, kAnon), rec(3, "c", 1, kGpu)};
  {
    VectorSource s(records);
    TopOptions o;
    o.by = {GroupKey::Comm, GroupKey::Category};
    TopResult r = top(s, o);
    REQUIRE(r.groups.size() == 4);
    CHECK(r.groups[0].comm == "a");
    CHECK(r.groups[0].category == "slab");
    CHECK(r.groups[0].pages == 8);
    CHECK(r.groups[1].comm == "b");  // 2 pages, before c's 2 pages: first appearance
    CHECK(r.groups[1].category == "anon");
  }
  {
    VectorSource s(records);
    TopOptions o;
    o.by = {GroupKey::Module};
    o.filter.pids = std::vector<int32_t>{1, 3};
    TopResult r = top(s, o);
    CHECK(r.matched_records == 3);
    CHECK(r.matched_pages == 11);
    REQUIRE(r.groups.size() == 2);
    CHECK(r.groups[0].module == "vmlinux");
    CHECK(r.groups[1].module == "ttm");
  }
  {
    VectorSource s(records);
    TopOptions o;
    o.by = {GroupKey::Pid};
    o.sort = {{SortField::Pid, true}};
    o.min_pages = 2;
    o.top = 1;
    TopResult r = top(s, o);
    CHECK(r.groups_total == 3);
    REQUIRE(r.groups.size() == 1);
    CHECK(r.groups[0].pid == 3);
  }
}

TEST_CASE("analysis: top: sort keys parse with + and -, unknown keys are refused") {
  auto keys = parse_sort_keys("-pages,+comm,at,ator,st,module");
  REQUIRE(keys);
  REQUIRE(keys->size() == 6);
  CHECK((*keys)[0].field == SortField::Pages);
  CHECK((*keys)[0].descending);
  CHECK((*keys)[1].field == SortField::Comm);
  CHECK_FALSE((*keys)[1].descending);
  CHECK((*keys)[2].field == SortField::AllocTs);
  CHECK((*keys)[3].field == SortField::Allocator);
  CHECK((*keys)[4].field == SortField::Stack);
  CHECK_FALSE(parse_sort_keys("pages,bogus"));
  CHECK_FALSE(parse_sort_keys(""));
  CHECK(parse_group_key("tg").value() == GroupKey::Tgid);
  CHECK_FALSE(parse_group_key("txt"));
}

TEST_CASE("analysis: classify: module, function, category") {
  CHECK(frame_function("kmem_cache_alloc_noprof+0x1c/0x80") == "kmem_cache_alloc_noprof");
  CHECK(frame_function("0xffffffffc0a01234") == "0xffffffffc0a01234");
  CHECK(frame_module("ttm_pool_alloc+0x2a1/0x600 [ttm]") == "ttm");
  CHECK(frame_module("ttm_pool_alloc+0x2a1/0x600") == "");
  CHECK(module_of(kGpu) == "ttm");
  CHECK(module_of(kAnon) == "vmlinux");
  CHECK(category_of(kSlab) == "slab");
  CHECK(category_of(kAnon) == "anon");
  CHECK(category_of(kGpu) == "gpu");
  CHECK(category_of(std::vector<std::string>{"post_alloc_hook+0x1/0x2", "__pte_alloc+0x1/0x2",
                                             "do_anonymous_page+0x1/0x2"}) == "page-table");
  CHECK(category_of(std::vector<std::string>{"__alloc_pages_noprof+0x1/0x2", "alloc_pages_noprof+0x1/0x2",
                                             "__vmalloc_node_range_noprof+0x1/0x2",
                                             "alloc_thread_stack_node+0x1/0x2"}) == "vmalloc");
  CHECK(category_of(std::vector<std::string>{"folio_alloc+0x1/0x2", "page_cache_ra_unbounded+0x1/0x2",
                                             "filemap_read+0x1/0x2"}) == "page-cache");
  CHECK(category_of(std::vector<std::string>{"alloc_zspage+0x9a/0x2c0 [zsmalloc]"}) == "zram");
  CHECK(category_of(std::vector<std::string>{"system_heap_allocate+0x1/0x2"}) == "dma-buf");
  CHECK(category_of(std::vector<std::string>{"0xffffffffc0a01234"}) == "other");
  CHECK(category_names().back() == "other");
}

TEST_CASE("analysis: top --by allocator agrees with page_owner_sort --cull allocator") {
  std::string text = sample("synthetic-6.12.txt");
  PageOwnerTextReader a(text, "a");
  TopOptions o;
  o.by = {GroupKey::Allocator};
  TopResult r = top(a, o);
  std::map<std::string, uint64_t> ours;
  for (const TopGroup& g : r.groups) ours[g.allocator] = g.pages;
  CHECK(ours.size() >= 3);  // the sample has CMA, SLAB, VMALLOC and OTHERS pages

  PageOwnerTextReader b(text, "b");
  auto sorter = PageOwnerSort::configure(PageOwnerSortVersion::V6_12, {{kPosCull, "ator"}});
  REQUIRE(sorter);
  std::string out;
  sorter->run(b, out);
  std::map<std::string, uint64_t> theirs;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    // "N times, M pages, allocated by CMA SLAB "
    size_t pages = line.find(" pages, allocated by ");
    if (pages == std::string::npos) continue;
    uint64_t n = std::stoull(line.substr(line.find(", ") + 2));
    std::string name = line.substr(pages + 21);
    name.pop_back();
    for (char& c : name)
      if (c == ' ') c = '|';
    theirs[name] = n;
  }
  CHECK(ours == theirs);
}

TEST_CASE("analysis: top output: text, JSON and CSV") {
  VectorSource source({rec(1, "a,b", 0, kAnon), rec(2, "x\"y", 2, kGpu)});
  TopOptions o;
  o.by = {GroupKey::Comm, GroupKey::Stack};
  TopResult r = top(source, o);
  std::ostringstream text, json, csv;
  print_top(r, OutputFormat::Text, 4096, text);
  print_top(r, OutputFormat::Json, 4096, json);
  print_top(r, OutputFormat::Csv, 4096, csv);
  CHECK(text.str() ==
        "2 records, 5 pages (20 KiB); 2 groups by comm,stack\n"
        "PAGES    SIZE  RECORDS  COMM\n"
        "    4  16 KiB        1  x\"y\n"
        "    post_alloc_hook+0x1/0x2\n"
        "    ttm_pool_alloc+0x1/0x2 [ttm]\n"
        "    amdgpu_ttm_tt_populate+0x1/0x2 [amdgpu]\n"
        "\n"
        "    1   4 KiB        1  a,b\n"
        "    post_alloc_hook+0x1/0x2\n"
        "    do_anonymous_page+0x1/0x2\n"
        "    handle_mm_fault+0x1/0x2\n"
        "\n");
  CHECK(csv.str() ==
        "pages,bytes,records,comm,stack\n"
        "4,16384,1,\"x\"\"y\",post_alloc_hook+0x1/0x2;ttm_pool_alloc+0x1/0x2 [ttm];amdgpu_ttm_tt_populate+0x1/0x2 "
        "[amdgpu]\n"
        "1,4096,1,\"a,b\",post_alloc_hook+0x1/0x2;do_anonymous_page+0x1/0x2;handle_mm_fault+0x1/0x2\n");
  CHECK(json.str().find("\"comm\": \"x\\\"y\"") != std::string::npos);
  CHECK(json.str().find("\"bytes\": 16384") != std::string::npos);
}

TEST_CASE("analysis: ramsift top: exit codes and problems on stderr") {
  std::string dir = "/tmp/ramsift-top-cli-" + std::to_string(getpid());
  REQUIRE(std::system(("mkdir -p " + dir).c_str()) == 0);
  std::string text = sample("synthetic-6.12.txt");
  {
    std::ofstream cut(dir + "/cut.txt", std::ios::binary);
    cut << text.substr(0, text.size() - 30);
  }
  auto run = [&](const std::string& args) {
    std::string cmd = std::string(RAMSIFT_BINARY) + " top " + args + " > " + dir + "/out 2> " + dir + "/err";
    int status = std::system(cmd.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  auto file = [&](const char* name) {
    std::ifstream in(dir + "/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  // A text does not say its page size: 4096 and a note, or --page-size.
  CHECK(run(std::string(RAMSIFT_TEST_DATA) + "/page_owner/synthetic-6.12.txt --by comm --format csv") == 0);
  CHECK(file("out").starts_with("pages,bytes,records,comm\n"));
  CHECK(file("err").find("sizes assume 4096-byte pages") != std::string::npos);
  CHECK(run(std::string(RAMSIFT_TEST_DATA) +
            "/page_owner/synthetic-6.12.txt --by comm --format csv --page-size 4096") == 0);
  CHECK(file("out").starts_with("pages,bytes,records,comm\n"));
  CHECK(file("err").empty());
  CHECK(run(dir + "/cut.txt --top 3") == 1);
  CHECK(file("err").find("cut.txt: line ") != std::string::npos);
  CHECK(file("err").find("record truncated by the end of the file") != std::string::npos);
  CHECK(run(dir + "/missing.txt") == 2);
  CHECK(run(dir + "/cut.txt --by bogus") == 2);
  CHECK(run(dir + "/cut.txt -m --sort pid") == 2);
  CHECK(run(dir + "/cut.txt --compat page_owner_sort -r") == 2);
  CHECK(run(dir + "/cut.txt --compat page_owner_sort --top 3") == 2);
  REQUIRE(std::system(("rm -rf " + dir).c_str()) == 0);
}

TEST_CASE("analysis: ramsift top: filters, --older-than and category x process reach the output") {
  std::string out = "/tmp/ramsift-top-filters-" + std::to_string(getpid());
  std::string input = std::string(RAMSIFT_TEST_DATA) + "/page_owner/synthetic-diff-after.txt";
  auto run = [&](const std::string& args) {
    int s = std::system(
        (std::string(RAMSIFT_BINARY) + " top " + input + " --page-size 4096 " + args + " > " + out + " 2>&1").c_str());
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    return std::make_pair(WIFEXITED(s) ? WEXITSTATUS(s) : -1, text.str());
  };
  // app: 5 order-0 anon pages under tgid 412, its leader
  auto [status, text] = run("--by category,tgid --format csv");
  CHECK(status == 0);
  CHECK(text.find("\n5,20480,5,anon,412,app\n") != std::string::npos);
  std::tie(status, text) = run("--module drv --by module --format csv");
  CHECK(text == "pages,bytes,records,module\n6,24576,3,drv\n");
  // newest allocation: ts 4003; 3000 ns older or more: ts <= 1003, app's first four
  std::tie(status, text) = run("--older-than 3000 --by comm --format csv");
  CHECK(text == "pages,bytes,records,comm\n4,16384,4,app\n");
  std::tie(status, text) = run("--gfp __GFP_COMP --order 1 --by comm --format csv");
  CHECK(text == "pages,bytes,records,comm\n2,8192,1,init\n");
  std::tie(status, text) = run("--compat page_owner_sort --module drv");
  CHECK(status == 2);
  std::tie(status, text) = run("--pfn-range 9-1");
  CHECK(status == 2);
  CHECK(text.find("--pfn-range") != std::string::npos);
  std::remove(out.c_str());
}
