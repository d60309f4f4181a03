// The kernel's own symbol table (CONFIG_KALLSYMS), decoded from the tables
// scripts/kallsyms.c links into .rodata: what `%pS` prints comes from here,
// sizes included (a kallsyms size is the distance to the next symbol, not
// the ELF st_size).
//
//   KallsymsTables where = ...;  // addresses from vmcoreinfo, DWARF or the ELF symtab
//   RAMSIFT_TRY(Kallsyms syms, Kallsyms::decode(where, read_kernel));
//   auto hit = syms.lookup(0xffffffff81234567);   // name, offset, size
//   syms.address_of("_stext");
//
// The tables are read through a callback so the same code decodes them from
// the dump (runtime addresses) or from the vmlinux file (link-time).
//
// Kernel history this follows:
//   - kallsyms_addresses[] (absolute) or kallsyms_offsets[] relative to
//     kallsyms_relative_base (CONFIG_KALLSYMS_BASE_RELATIVE, always on since
//     Linux kernel commit 64e166099b69 ("kallsyms: get rid of code for
//     absolute kallsyms") (in v6.11)).
//   - CONFIG_KALLSYMS_ABSOLUTE_PERCPU (x86_64 SMP): non-negative offsets are
//     absolute, negative ones relative to kallsyms_relative_base - 1. Detected
//     by evidence: without it no offset is negative.
//   - "big" symbols: a length byte with bit 7 set takes a second byte, since
//     Linux kernel commit 73bbb94466fd ("kallsyms: support "big" kernel
//     symbols") (in v6.1).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ramsift/base/address.h"
#include "ramsift/base/error.h"

namespace ramsift {

// Where the tables are (kernel virtual addresses).
struct KallsymsTables {
  VirtAddr num_syms;
  VirtAddr names;
  VirtAddr token_table;
  VirtAddr token_index;
  std::optional<VirtAddr> offsets;  // with relative_base
  std::optional<VirtAddr> relative_base;
  std::optional<VirtAddr> addresses;  // old absolute form
  unsigned pointer_size = 8;
};

// Reads kernel virtual memory: same contract as PhysicalMemory::read.
using KernelReader = std::function<Result<size_t>(VirtAddr, std::span<std::byte>)>;

struct KernelSymbol {
  std::string name;
  char type = '?';  // 'T', 't', 'D', ... as /proc/kallsyms prints it
  uint64_t address = 0;
};

struct SymbolHit {
  const KernelSymbol* symbol = nullptr;
  uint64_t offset = 0;
  uint64_t size = 0;
};

class Kallsyms {
 public:
  static Result<Kallsyms> decode(const KallsymsTables& where, const KernelReader& read);

  // As the kernel's kallsyms_lookup(): the last symbol at or below addr
  // (the first of several aliases), its size the distance to the next
  // higher symbol. nullopt outside the kernel image (is_ksym_addr()).
  std::optional<SymbolHit> lookup(uint64_t address) const;
  std::optional<uint64_t> address_of(std::string_view name) const;

  // In address order, as /proc/kallsyms lists the core kernel.
  const std::vector<KernelSymbol>& symbols() const { return symbols_; }
  bool absolute_percpu() const { return absolute_percpu_; }
  // Data symbols present: the kernel was built with CONFIG_KALLSYMS_ALL.
  bool has_data_symbols() const { return all_; }

  // Adds delta to every address (link-time tables read from vmlinux, used at
  // a KASLR-shifted runtime).
  void relocate(int64_t delta);

 private:
  std::vector<KernelSymbol> symbols_;
  std::vector<std::pair<std::string_view, size_t>> by_name_;  // sorted
  bool absolute_percpu_ = false;
  bool all_ = false;
  uint64_t stext_ = 0, etext_ = 0, sinittext_ = 0, einittext_ = 0, end_ = 0;
  void index();
};

}  // namespace ramsift
