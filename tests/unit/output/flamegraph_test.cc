// Flame graphs: folded stacks, and the SVG read back: the root spans the
// width and holds every page, children never outgrow their parent, a known
// function carries its pages.
#include "ramsift/output/flamegraph.h"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <regex>
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

FlameStacks stacks_of(const std::string& name, FlameOptions options = {}) {
  std::string text = sample(name);
  PageOwnerTextReader reader(text, name);
  auto s = collect_flame_stacks(reader, options);
  REQUIRE(s);
  return std::move(*s);
}

struct SvgFrame {
  std::string id, parent, name;
  uint64_t pages = 0;
  unsigned depth = 0;
  double x = 0, width = 0;
};

std::vector<SvgFrame> parse_svg(const std::string& svg) {
  // Each frame is one <g class="f" ...> line (output/flamegraph.h).
  static const std::regex frame(
      R"re(<g class="f" id="(f\d+)"(?: data-parent="(f\d+)")? data-name="([^"]*)" data-pages="(\d+)" data-depth="(\d+)".*?<rect x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)")re");
  std::vector<SvgFrame> frames;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), frame); it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    frames.push_back({m[1], m[2], m[3], std::stoull(m[4]), static_cast<unsigned>(std::stoul(m[5])), std::stod(m[6]),
                      std::stod(m[7])});
  }
  return frames;
}

}  // namespace

TEST_CASE("analysis: flamegraph: frames without offsets, module kept, root first, merged paths") {
  CHECK(flame_frame("ttm_pool_alloc+0x2a1/0x600 [ttm]") == "ttm_pool_alloc [ttm]");
  CHECK(flame_frame("kmem_cache_alloc_noprof+0x1c/0x80") == "kmem_cache_alloc_noprof");
  CHECK(flame_frame("0xffffffffc0b07000") == "0xffffffffc0b07000");
  FlameStacks s = stacks_of("synthetic-diff-after.txt");
  CHECK(s.matched_pages == 17);
  uint64_t sum = 0;
  for (const FlameStack& f : s.stacks) sum += f.pages;
  CHECK(sum == 17);
  CHECK(s.stacks.size() == 4);  // anon, slab, drv (three records), vmalloc
  std::ostringstream folded;
  print_folded(s, folded);
  CHECK(folded.str().find("handle_mm_fault;do_anonymous_page;alloc_anon_folio;__alloc_pages_noprof;"
                          "get_page_from_freelist;post_alloc_hook 5\n") != std::string::npos);
}

TEST_CASE("output: flamegraph SVG: root = total width and pages, children fit in parents, known pages") {
  for (FlameColor color : {FlameColor::Module, FlameColor::Category}) {
    FlameStacks s = stacks_of("synthetic-6.12.txt");
    FlameSvgOptions o;
    o.color = color;
    std::ostringstream out;
    print_flamegraph_svg(s, o, out);
    std::string svg = out.str();
    CHECK(svg.find("<script") != std::string::npos);
    CHECK(svg.find("src=") == std::string::npos);  // nothing external
    CHECK(svg.find("href=") == std::string::npos);
    std::vector<SvgFrame> frames = parse_svg(svg);
    REQUIRE(frames.size() > 10);
    const SvgFrame& root = frames[0];
    CHECK(root.name == "all");
    CHECK(root.depth == 0);
    CHECK(root.pages == s.matched_pages);
    CHECK(root.width == doctest::Approx(o.width - 20).epsilon(1e-6));
    std::map<std::string, const SvgFrame*> by_id;
    std::map<std::string, uint64_t> child_pages;
    std::map<std::string, double> child_width;
    for (const SvgFrame& f : frames) {
      by_id[f.id] = &f;
      if (f.parent.empty()) continue;
      REQUIRE(by_id.count(f.parent));
      CHECK(by_id[f.parent]->depth + 1 == f.depth);
      child_pages[f.parent] += f.pages;
      child_width[f.parent] += f.width;
      // inside the parent's span
      CHECK(f.x >= by_id[f.parent]->x - 1e-3);
      CHECK(f.x + f.width <= by_id[f.parent]->x + by_id[f.parent]->width + 1e-2);
    }
    for (const auto& [id, pages] : child_pages) {
      CAPTURE(by_id[id]->name);
      CHECK(pages <= by_id[id]->pages);
      CHECK(child_width[id] <= by_id[id]->width + 1e-2);
    }
    // The page_cache_ra_unbounded path holds the Xorg order-9 read (512 pages)
    // and whatever else the sample reads that way: the sum of its records.
    std::string text = sample("synthetic-6.12.txt");
    PageOwnerTextReader reader(text, "x");
    uint64_t expected = 0;
    for (PageOwnerRecord r; reader.next(r);)
      for (const std::string& f : r.stack)
        if (f.starts_with("page_cache_ra_unbounded+")) expected += r.pages();
    REQUIRE(expected >= 512);
    uint64_t shown = 0;
    for (const SvgFrame& f : frames)
      if (f.name == "page_cache_ra_unbounded") shown += f.pages;
    CHECK(shown == expected);
  }
}

TEST_CASE("output: flamegraph SVG: names are escaped, an empty input is a valid picture") {
  FlameStacks s;
  FlameStack f;
  f.frames = {"a<b>&\"c\""};
  f.pages = 3;
  f.records = 1;
  f.category_pages["other"] = 3;
  s.stacks = {f};
  s.matched_pages = 3;
  std::ostringstream out;
  print_flamegraph_svg(s, {}, out);
  CHECK(out.str().find("data-name=\"a&lt;b&gt;&amp;&quot;c&quot;\"") != std::string::npos);
  FlameStacks empty;
  std::ostringstream none;
  print_flamegraph_svg(empty, {}, none);
  CHECK(none.str().ends_with("</svg>\n"));
  CHECK(parse_svg(none.str()).size() == 0);
}
