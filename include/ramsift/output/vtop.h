// `ramsift vtop`: virtual-to-physical translations as crash's vtop shows
// them, one block per address: the physical address, the size of the page
// or block that maps it, which fast path (direct / linear map, kernel image)
// covers it and whether that path agrees with the page-table walk, then
// every table entry the walk read (table address, index, entry address,
// entry value). JSON: one object per address; CSV: one row per address,
// the entries in one field.
//
//   VtopEntry e{.input = "ffffffff8bd22cd3", .va = va};
//   e.translation = ...; e.steps = ...;   // from Translator::walk_traced
//   print_vtop({e}, OutputFormat::Text, std::cout);
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ramsift/arch/translate.h"
#include "ramsift/output/dump_info.h"

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

void print_vtop(const std::vector<VtopEntry>& entries, OutputFormat format, std::ostream& out);

}  // namespace ramsift
