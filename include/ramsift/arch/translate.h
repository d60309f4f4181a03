// Virtual-to-physical translation: the architecture-neutral part.
//
// A Translator turns a kernel virtual address into a physical one by walking
// the page tables, reading every entry through a PhysicalMemory (the dump);
// no dump format knows about page tables. It may also carry fast paths:
// virtual ranges the kernel maps linearly (arm64's linear map and kernel
// image, x86_64's direct map and kernel image), where PA = VA - offset.
// A fast path is an optimisation, never the only path, and must agree with
// the walk; check_fast_path() compares the two for one address.
//
//   RAMSIFT_TRY(auto tr, Arm64Translator::create(paging, swapper_pg_dir_pa, layout));
//   RAMSIFT_TRY(Translation t, tr.walk(memory, VirtAddr{0xffff800008000000}));
//   // t.pa, and t.page_size: the whole mapping (4K page, 2M block, ...)
//   FastPathCheck c = check_fast_path(memory, tr, va);
//   if (c.mapping && !c.agree()) report(c.describe());
//   WalkTrace steps;  // crash's vtop: every table entry the walk read
//   Result<Translation> t2 = tr.walk_traced(memory, va, steps);
//
// A Translator is immutable once created: share it between threads freely.
//
// Reading virtual ranges (crossing pages, with a translation cache) is
// VirtualMemory's job: see ramsift/arch/virtual_memory.h.
//
// Errors of a walk:
//   - Fault:   the address is not mapped, or not canonical. The message names
//              the level and the entry: "va 0xffff...: PMD entry 0x0 not present".
//   - NoData:  a page-table page is not in the dump (excluded, or outside
//              every range the dump describes).
//   - Corrupt: an entry with a reserved or invalid encoding.
//   - NotImplemented / BadInput: paging parameters we do not (or cannot) walk.
//
// How to add an architecture (what a new one must provide):
//   1. include/ramsift/arch/<arch>.h: a plain parameter struct for its paging
//      (page size, levels or VA bits, PA bits, anything that changes the
//      entry format), documented with where the kernel layer finds each
//      value (vmcoreinfo NUMBER(...), a symbol, a register in the notes).
//   2. A free function <arch>_walk(const PhysicalMemory&, params, PhysAddr
//      root, VirtAddr) -> Result<Translation>: derives the index bits of
//      every level from the parameters (as the kernel's own macros do),
//      reads each entry through PhysicalMemory (src/arch/page_table.h's
//      read_table_entry gives the NoData/Fault handling for free), returns
//      the page size of the final mapping, and names the level (kernel
//      names: PGD, P4D, PUD, PMD, PTE) and entry value in every error.
//   3. A Translator subclass: arch(), page_size(), normalize() for tagged
//      or otherwise non-canonical pointer forms, walk() bound to the
//      kernel's root table, and its fast paths as DirectMappings.
//   4. tests/unit/arch/<arch>_test.cc: hand-laid page tables on the fake
//      memory (tests/support/fake_memory.h), one comment per entry, every
//      page size and level count, each case with an invalid twin (entry not
//      present, table page missing -> NoData, reserved encoding -> Corrupt),
//      and fast paths that agree and that disagree with the walk.
//   5. The kernel layer: where the root and fast-path offsets come from for
//      that architecture (it picks the Translator by the dump's machine).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ramsift/base/address.h"
#include "ramsift/base/arch.h"
#include "ramsift/base/error.h"
#include "ramsift/dump/memory.h"

namespace ramsift {

// Where a virtual address lands.
struct Translation {
  PhysAddr pa;
  // Size of the naturally aligned mapping that contains the address: the
  // base page size, or a block / large page size (2 MiB, 1 GiB, 32 MiB...).
  uint64_t page_size = 0;

  // The first physical address of that mapping.
  PhysAddr mapping_start() const { return PhysAddr(pa.value() & ~(page_size - 1)); }
  // Bytes from pa to the end of the mapping: readable in one physical read.
  uint64_t bytes_to_end() const { return page_size - (pa.value() & (page_size - 1)); }
  bool operator==(const Translation&) const = default;
};

// One entry a walk read: what crash's vtop prints per level.
struct WalkStep {
  const char* level = "";  // kernel name: "PGD", "P4D", "PUD", "PMD", "PTE"
  PhysAddr table;          // the table's first byte
  uint64_t index = 0;      // the entry's index in it
  PhysAddr entry_address;  // table + index * 8
  uint64_t entry = 0;      // the raw value, flags included
};
// Every entry in walk order; a failed walk keeps the entries read before
// the failure (the last one is the not-present or corrupt entry; none when
// the table page itself was unreadable).
using WalkTrace = std::vector<WalkStep>;

// A fast path: [start, start + size) maps linearly to phys_start.
struct DirectMapping {
  std::string name;  // "linear map", "kernel image", "direct map"
  VirtAddr start;
  uint64_t size = 0;
  PhysAddr phys_start;

  bool contains(VirtAddr va) const { return va >= start && va - start < size; }
  PhysAddr translate(VirtAddr va) const { return phys_start + (va - start); }
  // Bytes from va to the end of the range (va must be contained).
  uint64_t bytes_to_end(VirtAddr va) const { return size - (va - start); }
};

class Translator {
 public:
  virtual ~Translator() = default;

  virtual Arch arch() const = 0;
  // The base page size (the smallest mapping).
  virtual uint64_t page_size() const = 0;
  // The address the page tables see: strips pointer tags and the like.
  // Fast paths and caches work on normalized addresses.
  virtual VirtAddr normalize(VirtAddr va) const { return va; }
  // The page-table walk from the kernel's root table; the truth.
  virtual Result<Translation> walk(const PhysicalMemory& memory, VirtAddr va) const = 0;
  // The same walk, recording each entry read into trace (cleared first).
  // The default records nothing: for translators without tables.
  virtual Result<Translation> walk_traced(const PhysicalMemory& memory, VirtAddr va, WalkTrace& trace) const {
    trace.clear();
    return walk(memory, va);
  }

  std::span<const DirectMapping> direct_mappings() const { return direct_; }
  // The fast path covering va (normalized first), or null.
  const DirectMapping* fast_path_for(VirtAddr va) const;

 protected:
  std::vector<DirectMapping> direct_;
};

// The fast path and the walk, side by side, for one address.
struct FastPathCheck {
  VirtAddr va;                             // normalized
  const DirectMapping* mapping = nullptr;  // into the Translator; null: no fast path covers va
  std::optional<PhysAddr> fast;            // the fast path's answer
  Result<Translation> walk = Error(ErrorCode::NotFound, "not walked");

  // True when a fast path covers va and the walk gives the same address.
  bool agree() const { return mapping && walk && walk->pa == fast; }
  // "va 0x...: linear map gives pa 0x..., page tables give pa 0x..." (or the
  // walk's error message).
  std::string describe() const;
};

// Walks va and, when a fast path covers it, compares the answers.
FastPathCheck check_fast_path(const PhysicalMemory& memory, const Translator& translator, VirtAddr va);

}  // namespace ramsift
