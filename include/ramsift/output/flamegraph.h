// Flame graphs of page_owner stacks, weighted by pages.
//
//   print_folded(stacks, std::cout);   // "root;child;leaf 312" lines: flamegraph.pl, speedscope, inferno
//   FlameSvgOptions o;  o.color = FlameColor::Category;
//   print_flamegraph_svg(stacks, o, std::cout);
//
// The SVG is self-contained (an inline script, no external files): click a
// frame to zoom into it, click the root ("all") or press Escape to reset;
// hovering a frame shows its name, pages, size and share of the total. The
// root spans the whole width and stands for every matched page; a frame is
// as wide as its pages, so its children together are never wider. Frames
// narrower than 0.1 px are left out (with their children). Each frame is
//   <g class="f" id="fN" data-parent="fM" data-name=".." data-pages="P"
//      data-depth="D" ...><title>..</title><rect x= y= width= height=/>..</g>
// so scripts and tests can read it back.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "ramsift/analysis/flamegraph.h"

namespace ramsift {

enum class FlameColor { Module, Category };

struct FlameSvgOptions {
  FlameColor color = FlameColor::Module;
  std::string title = "ramsift: page_owner pages by allocation stack";
  uint64_t page_size = 4096;
  double width = 1200;       // pixels
  double frame_height = 16;  // pixels
  double min_frame_width = 0.1;
};

void print_folded(const FlameStacks& stacks, std::ostream& out);
void print_flamegraph_svg(const FlameStacks& stacks, const FlameSvgOptions& options, std::ostream& out);

}  // namespace ramsift
