// `ramsift vtop` as a library operation: kernel virtual addresses to
// physical ones, as crash's vtop finds them (every word hex, with or without
// 0x, or a vmlinux symbol), the fast path's answer beside the page-table
// walk's; and the walk checked against the fast paths over the whole kernel
// image and a spread of linear-map addresses (--check-fast-paths).
//
//   VtopReport r = vtop(kernel, {"ffffffff8bd22cd3", "init_task"});
//   for (const Error& e : r.errors) report(e);   // exit 1 (2 when no entry)
//   print_vtop(r.entries, OutputFormat::Text, std::cout);   // output/vtop.h
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ramsift/arch/translate.h"
#include "ramsift/kernel/kernel.h"

namespace ramsift {

struct VtopEntry {
  std::string input;  // as typed
  VirtAddr va;        // normalized (tags stripped)
  std::optional<Translation> translation;
  std::string error;  // the walk's error, when there is no translation
  WalkTrace steps;
  std::string fast_path;  // the covering fast path's name; empty: none
  std::optional<PhysAddr> fast_pa;

  // "agrees", "DISAGREES", "walk failed" or "" (no fast path).
  std::string fast_path_verdict() const;
};

struct VtopReport {
  std::vector<VtopEntry> entries;  // the words that are addresses, walked or not
  std::vector<Error> errors;       // words that are neither, failed walks, fast paths that disagree
};

VtopReport vtop(const Kernel& kernel, std::span<const std::string> words);

// How one set of addresses compared (check_fast_paths()).
struct FastPathTally {
  std::string what;  // "kernel image [_text ..., _end ...), every page"
  double seconds = 0;
  uint64_t tried = 0, agree = 0, disagree = 0, unmapped = 0, no_data = 0, other = 0, no_fast_path = 0;
  std::vector<std::string> examples;  // disagreements and odd cases, the first few
  // Runs of consecutive addresses the walk says are not mapped.
  struct Span {
    uint64_t first_va = 0, last_va = 0, first_pa = 0, last_pa = 0, count = 0;
    bool fast = true;  // false: a hole no fast path covers (arm64's freed __init), left to the walk
  };
  std::vector<Span> unmapped_spans;
  bool ok() const { return tried && !disagree && !no_fast_path && !other; }
};

struct FastPathReport {
  Arch arch = Arch::Unknown;
  std::vector<DirectMapping> mappings;
  FastPathTally image, linear;
  bool ok() const { return image.ok() && linear.ok(); }
};

// Every page of the kernel image and `samples` linear-map addresses spread
// over the dump's RAM ranges, each walked and compared with its fast path.
Result<FastPathReport> check_fast_paths(const Kernel& kernel, uint64_t samples);

}  // namespace ramsift
