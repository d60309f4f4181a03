#include "ramsift/analysis/classify.h"

#include <algorithm>
#include <string>

#include "ramsift/analysis/categories.h"

namespace ramsift {

std::string_view frame_function(std::string_view frame) {
  size_t plus = frame.find('+');
  if (plus != std::string_view::npos) return frame.substr(0, plus);
  size_t space = frame.find(' ');
  return space == std::string_view::npos ? frame : frame.substr(0, space);
}

std::string_view frame_module(std::string_view frame) {
  // %pS appends " [modname]" for a module symbol (and nothing else ends in ']').
  if (frame.empty() || frame.back() != ']') return {};
  size_t open = frame.rfind(" [");
  if (open == std::string_view::npos) return {};
  return frame.substr(open + 2, frame.size() - open - 3);
}

std::string_view module_of(std::span<const std::string> stack) {
  for (const std::string& frame : stack) {
    std::string_view m = frame_module(frame);
    if (!m.empty()) return m;
  }
  return "vmlinux";
}

std::string_view category_of(std::span<const std::string> stack) {
  return CategoryRules::generic().classify(stack, {});
}

std::span<const std::string_view> category_names() {
  return CategoryRules::generic().names();
}

int page_owner_sort_allocator(const PageOwnerRecord& r) {
  int allocator = 0;
  // strstr() over the PFN line: only the migratetype names and the flag
  // names can spell these (the numbers are digits and lowercase hex).
  auto pfn_line_has = [&](std::string_view s) {
    return r.page_migratetype.find(s) != std::string::npos || r.pageblock_migratetype.find(s) != std::string::npos ||
           r.page_flags_text.find(s) != std::string::npos;
  };
  if (pfn_line_has("CMA")) allocator |= kAllocatorCma;
  if (pfn_line_has("slab")) allocator |= kAllocatorSlab;
  for (size_t i = 0; i < r.stack.size(); ++i) {
    size_t at = r.stack[i].find("__vmalloc_node_range");
    if (at == std::string::npos) continue;
    // Only the first occurrence counts; "alloc_pages" must be on the line
    // before it, or earlier on its own line.
    bool before = (i > 0 && r.stack[i - 1].find("alloc_pages") != std::string::npos) ||
                  r.stack[i].substr(0, at).find("alloc_pages") != std::string::npos;
    if (before) allocator |= kAllocatorVmalloc;
    break;
  }
  return allocator == 0 ? kAllocatorOthers : allocator;
}

std::string page_owner_sort_allocator_text(int allocator) {
  std::string s;
  if (allocator & kAllocatorCma) s += "CMA ";
  if (allocator & kAllocatorSlab) s += "SLAB ";
  if (allocator & kAllocatorVmalloc) s += "VMALLOC ";
  if (allocator & kAllocatorOthers) s += "OTHERS ";
  return s;
}

std::string page_owner_allocator_name(int allocator) {
  std::string s = page_owner_sort_allocator_text(allocator);  // "CMA SLAB "
  if (!s.empty() && s.back() == ' ') s.pop_back();
  std::replace(s.begin(), s.end(), ' ', '|');
  return s;
}

}  // namespace ramsift
