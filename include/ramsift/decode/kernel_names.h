// The kernel's own name tables, read from the dump, and the flag formatting
// of vsprintf's %pGg (gfp masks) and %pGp (page flags) that page_owner
// prints with. Names are never copied into ramsift: a kernel that renames
// a flag prints the new name here too.
//
//   RAMSIFT_TRY(KernelNames names, KernelNames::read(kernel));
//   names.gfp_text(0xcc0);            // "GFP_KERNEL"
//   names.page_flags_text(flags);     // "0x100000000000000(node=0|zone=1)"
//   names.migratetype(1);             // "Movable"
//   names.migrate_reason(0);          // "compaction"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ramsift/kernel/kernel.h"

namespace ramsift {

struct FlagName {
  uint64_t mask = 0;
  std::string name;
};

// One entry of lib/vsprintf.c's pff[]: a field packed into page->flags.
struct PageFlagsField {
  unsigned width = 0, shift = 0;
  uint64_t mask = 0;
  bool hex = false;  // default_flag_spec (%#x) rather than default_dec_spec
  std::string name;  // "section", "node", "zone", "lastcpupid", "kasantag"
};

class KernelNames {
 public:
  static Result<KernelNames> read(const Kernel& kernel);

  // %pGg: names of the mask in gfpflag_names[] order, '|'-separated,
  // leftover bits as %#lx; "" for 0.
  std::string gfp_text(uint64_t gfp) const;
  // %pGp (5.14+): "%#lx(names|field=value|...)".
  std::string page_flags_text(uint64_t flags) const;
  // Just the names part of page flags, for `ramsift page`.
  std::string page_flag_names(uint64_t flags) const;
  std::optional<uint64_t> page_field(std::string_view name, uint64_t flags) const;

  // migratetype_names[i] / migrate_reason_names[i]; "?" out of range.
  const std::string& migratetype(unsigned i) const;
  const std::string& migrate_reason(unsigned i) const;
  const std::vector<std::string>& migratetypes() const { return migratetypes_; }
  uint32_t gfp_movable_mask() const { return movable_mask_; }
  unsigned gfp_movable_shift() const { return movable_shift_; }
  bool mobility_disabled() const { return mobility_disabled_; }

 private:
  std::vector<FlagName> gfp_, page_;
  std::vector<PageFlagsField> fields_;
  uint64_t pageflags_mask_ = 0;
  std::vector<std::string> migratetypes_, migrate_reasons_;
  uint32_t movable_mask_ = 0x18;
  unsigned movable_shift_ = 3;
  bool mobility_disabled_ = false;
};

// vsprintf's number() with SPECIAL|SMALL base 16: "0x0" for zero, unlike printf's "%#x".
std::string kernel_hex(uint64_t value);

}  // namespace ramsift
