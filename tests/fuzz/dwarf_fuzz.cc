// libFuzzer target: ELF bytes through VmlinuxElf and DwarfTypes, in memory
// (libelf's elf_memory; libdwarf reads through the same handle). Seeds: the
// DWARF test inputs, build-*/tests/unit/kernel/kernel-types-*.so.
//
// libdwarf 20210528 (Debian bookworm) predates many of libdwarf's own
// OSS-Fuzz fixes: a crash inside libdwarf is a finding to work around here
// (validate before calling it) or to report, not a bug in the input.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "ramsift/kernel/dwarf_types.h"
#include "ramsift/kernel/vmlinux_elf.h"

using namespace ramsift;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::byte> bytes(size);
  if (size) std::memcpy(bytes.data(), data, size);
  auto elf = VmlinuxElf::open_memory(std::move(bytes), "fuzz");
  if (!elf) return 0;
  (void)elf->linux_banner();
  (void)elf->build_id();
  if (auto s = elf->symbol("page_ext_size")) {
    (void)elf->symbol_at(s->address);
    (void)elf->files_near(s->address);
  }
  auto dwarf = DwarfTypes::open(std::make_shared<const VmlinuxElf>(std::move(*elf)));
  if (!dwarf) return 0;
  if (auto page = dwarf->layout("struct page")) (void)(*page)->member("lru.next");
  if (auto parts = dwarf->layout("union handle_parts")) (void)(*parts)->member("offset");
  (void)dwarf->find_type("depot_stack_handle_t");
  (void)dwarf->enumerator("PAGE_EXT_OWNER");
  if (auto v = dwarf->variable("stack_pools")) (void)dwarf->layout(v->type);
  return 0;
}
