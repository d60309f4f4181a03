#include "ramsift/output/show_stacks.h"

#include <string>

namespace ramsift {

namespace {

void append_stack(std::string& text, const std::vector<std::string>& frames, int64_t pages) {
  for (const std::string& frame : frames) {
    text += ' ';
    text += frame;
    text += '\n';
  }
  text += "nr_base_pages: " + std::to_string(pages) + "\n\n";
}

}  // namespace

void print_show_stacks(const ShownStacks& stacks, std::ostream& out) {
  std::string text;
  for (const ShownStack& s : stacks.stacks) append_stack(text, s.frames, s.base_pages);
  out << text;
}

void print_show_stacks(const TopResult& result, std::ostream& out) {
  std::string text;
  for (const TopGroup& g : result.groups) append_stack(text, g.stack, static_cast<int64_t>(g.pages));
  out << text;
}

}  // namespace ramsift
