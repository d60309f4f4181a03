// dwarf_load VMLINUX [NAME...]: opens a vmlinux and resolves the kernel types,
// enumerators and variables ramsift reads, printing the time of each lookup
// and how much DWARF the lazy search touched.
//
//   $ bench/dwarf_load /usr/lib/debug/boot/vmlinux-6.1.0-13-amd64
//
// NAME arguments replace the built-in list: "struct x", "union x", "enum x",
// "var:x", "enumerator:X", or a typedef name.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "ramsift/kernel/dwarf_types.h"

using namespace ramsift;
using Clock = std::chrono::steady_clock;

namespace {

struct Lookup {
  std::string what;
  std::string hint;
};

// What the page_owner decoder asks for (docs: kernel-internals.md 1-4).
const std::vector<Lookup> kDefault = {
    {"struct page_owner", "mm/page_owner.c"},
    {"union handle_parts", "lib/stackdepot.c"},
    {"struct stack_record", "lib/stackdepot.c"},
    {"struct page_ext", "mm/page_ext.c"},
    {"struct page_ext_operations", "mm/page_ext.c"},
    {"struct mem_section", "mm/sparse.c"},
    {"struct page", "mm/page_alloc.c"},
    {"struct list_head", ""},
    {"struct task_struct", "kernel/fork.c"},
    {"depot_stack_handle_t", "lib/stackdepot.c"},
    {"enumerator:PAGE_EXT_OWNER", "mm/page_ext.c"},
    {"enumerator:PAGE_EXT_OWNER_ALLOCATED", "mm/page_ext.c"},
    {"enumerator:MIGRATE_TYPES", "mm/page_alloc.c"},
    {"enumerator:PG_buddy", ""},
    {"var:mem_section", "mm/sparse.c"},
    {"var:page_ext_size", "mm/page_ext.c"},
    {"var:page_owner_ops", "mm/page_owner.c"},
    {"var:stack_pools", "lib/stackdepot.c"},
    {"var:pool_index", "lib/stackdepot.c"},
    {"var:pools_num", "lib/stackdepot.c"},
    {"var:max_pfn", ""},
    {"var:init_task", "init/init_task.c"},
};

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string run(DwarfTypes& dwarf, const Lookup& l) {
  auto take = [](std::string_view prefix, const std::string& s) {
    return s.rfind(prefix, 0) == 0 ? std::optional<std::string>(s.substr(prefix.size())) : std::nullopt;
  };
  if (auto v = take("var:", l.what)) {
    auto r = dwarf.variable(*v, l.hint);
    if (!r) return "error: " + r.error().to_string();
    return hex(r->address.value()) + " " + r->type.to_string() + " (" + r->compile_unit + ")";
  }
  if (auto e = take("enumerator:", l.what)) {
    auto r = dwarf.enumerator(*e, l.hint);
    if (!r) return "error: " + r.error().to_string();
    return std::to_string(*r);
  }
  auto type = dwarf.find_type(l.what, l.hint);
  if (!type) return "error: " + type.error().to_string();
  if (type->kind == TypeKind::Struct || type->kind == TypeKind::Union) {
    auto layout = dwarf.layout(*type);
    if (!layout) return "error: " + layout.error().to_string();
    return "size " + std::to_string((*layout)->size) + ", " + std::to_string((*layout)->members.size()) + " members";
  }
  return type->to_string() + ", size " + std::to_string(type->size);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s VMLINUX [NAME...]\n", argv[0]);
    return 2;
  }
  std::vector<Lookup> lookups;
  for (int i = 2; i < argc; ++i) lookups.push_back({argv[i], ""});
  if (lookups.empty()) lookups = kDefault;

  auto start = Clock::now();
  auto dwarf = DwarfTypes::open(argv[1]);
  if (!dwarf) {
    std::fprintf(stderr, "dwarf_load: %s\n", dwarf.error().to_string().c_str());
    return 2;
  }
  std::printf("%-40s %9.2f ms  %zu symbols, build ID %s\n", "open (ELF, symbols, libdwarf)", ms_since(start),
              dwarf->elf().symbol_count(), dwarf->elf().build_id().value_or("none").c_str());
  auto total = Clock::now();
  int failed = 0;
  for (const Lookup& l : lookups) {
    auto t = Clock::now();
    std::string result = run(*dwarf, l);
    if (result.starts_with("error: ")) ++failed;
    DwarfTypes::Stats s = dwarf->stats();
    std::printf("%-40s %9.2f ms  CUs %zu/%zu  %s\n", l.what.c_str(), ms_since(t), s.compile_units_indexed,
                s.compile_units, result.c_str());
  }
  DwarfTypes::Stats s = dwarf->stats();
  std::printf("%-40s %9.2f ms  %zu of %zu CUs indexed, %zu DIEs read, %zu layouts\n", "all lookups", ms_since(total),
              s.compile_units_indexed, s.compile_units, s.dies_visited, s.layouts_resolved);
  auto again = Clock::now();
  for (const Lookup& l : lookups) (void)run(*dwarf, l);
  std::printf("%-40s %9.2f ms\n", "all lookups again (cached)", ms_since(again));
  // Names given on the command line must all resolve (the fixture test);
  // the default list spans kernel versions, so some of it misses anywhere.
  return argc > 2 && failed ? 1 : 0;
}
