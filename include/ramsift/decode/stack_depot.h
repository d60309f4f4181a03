// lib/stackdepot.c in a dump: a depot_stack_handle_t to its saved frames.
//
//   RAMSIFT_TRY(StackDepot depot, StackDepot::open(kernel));
//   auto frames = depot.fetch(handle);   // std::span<const uint64_t>, innermost first
//
// Every generation since 5.4 is read by evidence from DWARF:
//   - storage: `stack_slabs[]` (until 6.2), `stack_pools[]` (6.3+, renamed
//     in Linux kernel commit 961c949b012f ("lib/stackdepot: rename slab to
//     pool") (in v6.3)), `stack_pools` as a pointer (6.17+);
//   - union handle_parts: its bitfields (index, offset, valid, extra) and
//     their widths, which depend on the page size; `pool_index_plus_1`
//     since Linux kernel commit a6c1d9cb9a68 ("stackdepot: rework helpers
//     for depot_alloc_stack") (in v6.9) makes 0 mean "no pool";
//   - struct stack_record: where `size` and `entries` are (and `count`,
//     whose 0 marks a freed record, since 6.8).
// The offset unit (1 << DEPOT_STACK_ALIGN = 16 bytes) is a macro, constant
// in every version; the offset field's width is cross-checked against it.
//
// The depot reads the kernel through two small things, so that it can be
// tested and fuzzed without a dump: StackDepotTypes (the two types and the
// storage variables, from DWARF) and a KernelReader (kernel virtual memory).
// open(const Kernel&) supplies both from the kernel; a test supplies a test
// ELF's DWARF or made-up layouts, and fake memory:
//
//   RAMSIFT_TRY(StackDepot depot, StackDepot::open(my_types, /*page_shift=*/12, my_reader));
//
// Each handle is decoded once and cached. A bad handle (index beyond the
// pools in use, empty pool, record with a count of 0 or an implausible
// size) is an error naming the handle and why; it is never followed
// further and not cached. fetch() is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ramsift/kernel/dwarf_types.h"
#include "ramsift/kernel/kallsyms.h"
#include "ramsift/kernel/kernel.h"

namespace ramsift {

struct StackDepotLayout {
  std::string storage;  // "stack_slabs", "stack_pools", "stack_pools (pointer)"
  unsigned index_bits = 0, index_shift = 0;
  unsigned offset_bits = 0, offset_shift = 0;
  bool index_plus_1 = false;
  uint64_t record_size_offset = 0, record_entries_offset = 0;
  std::optional<uint64_t> record_count_offset;
  std::optional<uint64_t> record_handle_offset;  // the record's own handle (union handle_parts)
  uint64_t pools_in_use = 0;                     // depot_index + 1, pool_index + 1, pools_num
  uint64_t max_frames = 256;
};

// What the depot needs from the kernel's DWARF and symbols.
class StackDepotTypes {
 public:
  virtual ~StackDepotTypes() = default;
  // "union handle_parts" and "struct stack_record".
  virtual Result<std::shared_ptr<const TypeLayout>> layout(std::string_view spelled) const = 0;
  // "stack_pools", "stack_slabs" and the counters ("pools_num",
  // "pool_index", "depot_index"), at their runtime addresses.
  virtual Result<Variable> variable(std::string_view name) const = 0;
  // Whether the kernel has the symbol at all (cheap, no DWARF search).
  virtual bool has_symbol(std::string_view name) const = 0;
};

class StackDepot {
 public:
  static Result<StackDepot> open(const Kernel& kernel);
  // The same from any source; `read` must stay usable as long as the
  // StackDepot (fetch() reads records through it).
  static Result<StackDepot> open(const StackDepotTypes& types, unsigned page_shift, KernelReader read);
  StackDepot(StackDepot&&) noexcept;
  ~StackDepot();

  const StackDepotLayout& layout() const { return layout_; }
  // The frames saved under handle (empty for handle 0). The span stays
  // valid as long as the StackDepot.
  Result<std::span<const uint64_t>> fetch(uint32_t handle) const;
  // Where the record of a handle is (for `ramsift page --handle`).
  Result<VirtAddr> record_address(uint32_t handle) const;
  size_t handles_decoded() const;

 private:
  StackDepot() = default;
  Status read(VirtAddr va, std::span<std::byte> out) const;
  Result<uint32_t> read_u32(VirtAddr va) const;

  KernelReader read_;
  StackDepotLayout layout_;
  std::vector<uint64_t> pools_;
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

}  // namespace ramsift
