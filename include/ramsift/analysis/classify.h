// What a page_owner record's stack says about the memory: the module that
// asked for it, and a category (slab, vmalloc, page cache, anonymous, ...).
//
//   module_of(record.stack)     // "nvidia" for " foo+0x1/0x2 [nvidia]", else "vmlinux"
//   category_of(record.stack)   // "slab", "page-cache", ... or "other"
//   page_owner_sort_allocator(record)  // CMA|SLAB|VMALLOC|OTHERS bits, as page_owner_sort computes them
//
// The category is a first heuristic: the built-in "generic" rules
// (data/categories/generic.rules, categories.h) on the stack alone; the
// innermost frame some rule matches decides. docs/categories.md explains the
// rules and how to add one.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "ramsift/decode/page_owner.h"

namespace ramsift {

// "func" from "func+0x1c/0x80 [mod]"; the whole frame for a bare address.
std::string_view frame_function(std::string_view frame);
// "mod" from "func+0x1c/0x80 [mod]"; empty when the frame has no module.
std::string_view frame_module(std::string_view frame);

// The module of the first frame that has one, innermost first; "vmlinux" if none does.
std::string_view module_of(std::span<const std::string> stack);

// CategoryRules::generic().classify(stack, ""): for callers without --categories.
std::string_view category_of(std::span<const std::string> stack);
// Every category name category_of() can return, in rule order, "other" last.
std::span<const std::string_view> category_names();

// page_owner_sort's allocator classes (its enum ALLOCATOR_BIT values).
enum PageOwnerSortAllocator : int {
  kAllocatorCma = 1 << 1,
  kAllocatorSlab = 1 << 2,
  kAllocatorVmalloc = 1 << 3,
  kAllocatorOthers = 1 << 4,
};
// get_allocator() of tools/mm/page_owner_sort.c on the record's fields:
// "CMA" or "slab" anywhere in the PFN line, or a "__vmalloc_node_range" frame
// whose previous frame contains "alloc_pages".
int page_owner_sort_allocator(const PageOwnerRecord& record);
// "CMA SLAB " style, as page_owner_sort prints it after "allocated by ".
std::string page_owner_sort_allocator_text(int allocator);
// The same classes as `top --by allocator` names them: "CMA|SLAB", "OTHERS".
std::string page_owner_allocator_name(int allocator);

}  // namespace ramsift
