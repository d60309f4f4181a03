// page-damaged-kallsyms SAMPLE.kdump SYMBOLS_DIR
//
// `ramsift page` (PageStories, analysis/page_story.h) on the bundled sample
// with its kallsyms tables damaged in memory (tests/support/overlay_dump.h;
// the file is never written), issue 14. The page command symbolizes both
// stacks of a page's story through the dump's kallsyms, so a damaged table
// must never print other names quietly. For each damage, every page's text
// must be one of:
//   clean    the clean run's text (the damaged byte was not used)
//   partial  its problems name the damage (exit 1), with an address
//   failed   the kernel does not open, or the page fails: an error with an address
// Seeded byte flips and zeroed words inside each table's first page, plus one
// damage that must be found: a token of kallsyms_token_table changed, which
// renames thousands of symbols (the check against the vmlinux's symbol table
// catches it, Kernel::check_kallsyms). Exit 1 on any silent difference, or
// when that damage goes unreported.
#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ramsift/analysis/page_story.h"
#include "ramsift/output/page_info.h"
#include "support/overlay_dump.h"
#include "support/sample_pipeline.h"

using namespace ramsift;
using ramsift::testing::OverlayDump;

namespace {

struct Outcome {
  unsigned clean = 0, partial = 0, failed = 0, silent = 0;
};

bool names_address(const Error& e) {
  return e.address() || e.offset() || e.to_string().find("0x") != std::string::npos;
}

// The text `ramsift page pfn:N` prints for each pfn; "" where it failed.
struct Told {
  std::optional<Error> failed;    // the kernel or PageStories did not open
  std::vector<std::string> text;  // per pfn
  std::vector<std::vector<std::string>> problems;
  std::vector<std::optional<Error>> errors;
};

Told tell_all(const Dump& dump, const KernelOptions& options, const std::vector<uint64_t>& pfns) {
  Told out;
  auto kernel = Kernel::open(dump, options);
  if (!kernel) {
    out.failed = kernel.error();
    return out;
  }
  auto stories = PageStories::open(**kernel);
  if (!stories) {
    out.failed = stories.error();
    return out;
  }
  for (uint64_t pfn : pfns) {
    auto r = stories->tell(PageAddress{PageAddressKind::Pfn, pfn});
    std::ostringstream text;
    out.problems.emplace_back();
    out.errors.emplace_back();
    if (r) {
      print_page_report(*r, OutputFormat::Text, text);
      out.problems.back() = r->problems;
    } else {
      out.errors.back() = r.error();
    }
    out.text.push_back(text.str());
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: page-damaged-kallsyms SAMPLE.kdump SYMBOLS_DIR\n");
    return 2;
  }
  auto dump = open_dump(std::vector<std::string>{argv[1]}, OpenOptions{});
  if (!dump) {
    fprintf(stderr, "page-damaged-kallsyms: %s\n", dump.error().to_string().c_str());
    return 2;
  }
  const KernelOptions options = testing::sample_kernel_options(argv[2]);
  // The pages: every 40th record of the clean pipeline, about 100 stories.
  const testing::PipelineOutcome records = testing::run_pipeline(**dump, options);
  std::vector<uint64_t> pfns;
  size_t i = 0;
  for (const auto& [pfn, text] : records.records)
    if (i++ % 40 == 0) pfns.push_back(pfn);
  const Told clean = tell_all(**dump, options, pfns);
  if (clean.failed || pfns.empty()) {
    fprintf(stderr, "page-damaged-kallsyms: the clean sample does not tell its pages\n");
    return 2;
  }
  for (size_t p = 0; p < pfns.size(); ++p)
    if (clean.errors[p] || !clean.problems[p].empty() || clean.text[p].find("allocation stack") == std::string::npos) {
      fprintf(stderr, "page-damaged-kallsyms: the clean story of pfn %#llx is not whole\n",
              static_cast<unsigned long long>(pfns[p]));
      return 2;
    }

  auto kernel = Kernel::open(**dump, options);
  if (!kernel) return 2;
  struct Damage {
    std::string what;
    OverlayDump overlay;
    bool must_be_found = false;
  };
  std::vector<Damage> damages;
  std::mt19937_64 rng(14);
  auto physical = [&](VirtAddr va) -> std::optional<PhysAddr> {
    auto t = (*kernel)->memory().translate(va);
    if (!t) return std::nullopt;
    return t->pa;
  };
  for (const char* table : {"kallsyms_names", "kallsyms_offsets", "kallsyms_token_table", "kallsyms_token_index",
                            "kallsyms_num_syms", "kallsyms_relative_base", "kallsyms_markers"}) {
    auto at = (*kernel)->symbol(table);
    if (!at) continue;
    for (int run = 0; run < 6; ++run) {
      const uint64_t offset = rng() % (std::strcmp(table, "kallsyms_num_syms") == 0 ? 8 : 4096);
      auto pa = physical(*at + offset);
      if (!pa) continue;
      std::byte old{};
      if (!(*dump)->read(*pa, std::span<std::byte>(&old, 1))) continue;
      Damage d{std::string(table) + "+" + hex(offset), OverlayDump(**dump), false};
      if (run % 2) {
        d.overlay.set(*pa, old ^ std::byte(1u << (rng() % 8)));
        d.what += " flipped";
      } else {
        for (uint64_t b = 0; b < 8; ++b) d.overlay.set(*pa + b, std::byte{0});
        d.what += " zeroed";
      }
      damages.push_back(std::move(d));
    }
  }
  // A token's first letter changed: a name table that decodes but is wrong.
  if (auto tokens = (*kernel)->symbol("kallsyms_token_table")) {
    for (uint64_t offset = 0; offset < 4096; ++offset) {
      auto pa = physical(*tokens + offset);
      std::byte c{};
      if (!pa || !(*dump)->read(*pa, std::span<std::byte>(&c, 1))) break;
      if (std::to_integer<char>(c) == 'e') {
        Damage d{"kallsyms_token_table+" + hex(offset) + " 'e' -> 'q'", OverlayDump(**dump), true};
        d.overlay.set(*pa, std::byte{'q'});
        damages.push_back(std::move(d));
        break;
      }
    }
  }
  if (damages.empty() || !damages.back().must_be_found) {
    fprintf(stderr, "page-damaged-kallsyms: the sample's kallsyms tables were not found\n");
    return 2;
  }

  bool bad = false;
  Outcome total;
  for (const Damage& d : damages) {
    const Told got = tell_all(d.overlay, options, pfns);
    Outcome n;
    if (got.failed) {
      n.failed = static_cast<unsigned>(pfns.size());
      if (!names_address(*got.failed)) {
        printf("SILENT %s: exit 2 without an address: %s\n", d.what.c_str(), got.failed->to_string().c_str());
        bad = true;
      }
    } else {
      for (size_t p = 0; p < pfns.size(); ++p) {
        if (got.errors[p]) {
          ++n.failed;
          if (!names_address(*got.errors[p])) {
            printf("SILENT %s: pfn %#llx fails without an address\n", d.what.c_str(),
                   static_cast<unsigned long long>(pfns[p]));
            bad = true;
          }
        } else if (!got.problems[p].empty()) {
          ++n.partial;
        } else if (got.text[p] == clean.text[p]) {
          ++n.clean;
        } else {
          ++n.silent;
          bad = true;
          if (n.silent == 1)
            printf("SILENT %s: pfn %#llx prints other text with no problem:\n--- clean\n%s--- damaged\n%s",
                   d.what.c_str(), static_cast<unsigned long long>(pfns[p]), clean.text[p].c_str(),
                   got.text[p].c_str());
        }
      }
    }
    if (d.must_be_found && n.clean == pfns.size()) {
      printf("FAIL %s: every page printed as if nothing happened\n", d.what.c_str());
      bad = true;
    }
    printf("%-52s clean %3u partial %3u failed %3u silent %3u\n", d.what.c_str(), n.clean, n.partial, n.failed,
           n.silent);
    total.clean += n.clean, total.partial += n.partial, total.failed += n.failed, total.silent += n.silent;
  }
  printf("%zu damages x %zu pages: clean %u, partial %u, failed %u, silent %u\n", damages.size(), pfns.size(),
         total.clean, total.partial, total.failed, total.silent);
  return bad ? 1 : 0;
}
