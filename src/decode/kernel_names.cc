#include "ramsift/decode/kernel_names.h"

#include <bit>
#include <cstdio>

namespace ramsift {

namespace {

constexpr size_t kMaxTable = 512;

// struct trace_print_flags { unsigned long mask; const char *name; } [], ended by {0, NULL}.
Result<std::vector<FlagName>> read_flag_table(const Kernel& kernel, const char* symbol) {
  RAMSIFT_TRY(VirtAddr at, kernel.require_symbol(symbol));
  std::vector<FlagName> out;
  for (size_t i = 0; i < kMaxTable; ++i) {
    RAMSIFT_TRY(uint64_t mask, kernel.read_u64(at + i * 16));
    RAMSIFT_TRY(uint64_t name, kernel.read_u64(at + i * 16 + 8));
    if (!name) return out;
    RAMSIFT_TRY(std::string text, kernel.read_string(VirtAddr(name), 64));
    out.push_back({mask, std::move(text)});
  }
  return corrupt(std::string(symbol) + " has no end marker within " + std::to_string(kMaxTable) + " entries");
}

// const char * const NAME[N]: N from DWARF.
Result<std::vector<std::string>> read_string_array(const Kernel& kernel, const char* symbol, const char* hint) {
  RAMSIFT_TRY(Variable v, kernel.variable(symbol, hint));
  if (v.type.kind != TypeKind::Array || !v.type.count || *v.type.count > kMaxTable)
    return corrupt(std::string(symbol) + " is " + v.type.to_string() + ", not an array of strings");
  std::vector<std::string> out;
  for (uint64_t i = 0; i < *v.type.count; ++i) {
    RAMSIFT_TRY(uint64_t p, kernel.read_u64(v.address + i * 8));
    if (!p) {
      out.emplace_back("(null)");
      continue;
    }
    RAMSIFT_TRY(std::string s, kernel.read_string(VirtAddr(p), 64));
    out.push_back(std::move(s));
  }
  return out;
}

// lib/vsprintf.c format_flags().
void format_flags(std::string& out, uint64_t flags, const std::vector<FlagName>& names) {
  for (const FlagName& n : names) {
    if (!flags) break;
    if ((flags & n.mask) != n.mask) continue;
    out += n.name;
    flags &= ~n.mask;
    if (flags) out += '|';
  }
  if (flags) out += kernel_hex(flags);
}

}  // namespace

std::string kernel_hex(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
  return buf;
}

Result<KernelNames> KernelNames::read(const Kernel& kernel) {
  KernelNames n;
  RAMSIFT_TRY(n.gfp_, read_flag_table(kernel, "gfpflag_names"));
  RAMSIFT_TRY(n.page_, read_flag_table(kernel, "pageflag_names"));
  RAMSIFT_TRY(n.migratetypes_, read_string_array(kernel, "migratetype_names", "mm/page_alloc.c,mm/mmzone.c"));
  RAMSIFT_TRY(n.migrate_reasons_, read_string_array(kernel, "migrate_reason_names", "mm/debug.c"));

  // gfp_migratetype(): (gfp & GFP_MOVABLE_MASK) >> GFP_MOVABLE_SHIFT, the
  // mask being __GFP_RECLAIMABLE|__GFP_MOVABLE: their bits from the table.
  std::optional<uint64_t> movable, reclaimable;
  for (const FlagName& f : n.gfp_) {
    if (f.name == "__GFP_MOVABLE") movable = f.mask;
    if (f.name == "__GFP_RECLAIMABLE") reclaimable = f.mask;
  }
  if (movable && reclaimable && std::has_single_bit(*movable)) {
    n.movable_mask_ = static_cast<uint32_t>(*movable | *reclaimable);
    n.movable_shift_ = static_cast<unsigned>(std::countr_zero(*movable));
  }
  if (auto v = kernel.read_variable("page_group_by_mobility_disabled", "mm/page_alloc.c"))
    n.mobility_disabled_ = *v != 0;

  // Page flags: the names below __NR_PAGEFLAGS, then the packed fields of pff[].
  RAMSIFT_TRY(int64_t nr_pageflags, kernel.dwarf().enumerator("__NR_PAGEFLAGS", "mm/page_alloc.c"));
  if (nr_pageflags <= 0 || nr_pageflags >= 64) return corrupt("__NR_PAGEFLAGS is " + std::to_string(nr_pageflags));
  n.pageflags_mask_ = (uint64_t{1} << nr_pageflags) - 1;
  auto pff = kernel.variable("pff", "lib/vsprintf.c");
  if (pff) {
    RAMSIFT_TRY(auto layout, kernel.dwarf().layout("struct page_flags_fields", "lib/vsprintf.c"));
    RAMSIFT_TRY(Member width, layout->require("width"));
    RAMSIFT_TRY(Member shift, layout->require("shift"));
    RAMSIFT_TRY(Member mask, layout->require("mask"));
    RAMSIFT_TRY(Member spec, layout->require("spec"));
    RAMSIFT_TRY(Member name, layout->require("name"));
    auto flag_spec = kernel.symbol("default_flag_spec");
    uint64_t count = pff->type.count.value_or(0);
    if (count > 16) return corrupt("pff[] has " + std::to_string(count) + " entries");
    std::vector<std::byte> bytes(layout->size);
    for (uint64_t i = 0; i < count; ++i) {
      RAMSIFT_TRY_STATUS(kernel.read(pff->address + i * layout->size, bytes));
      ByteReader r(bytes, "pff");
      PageFlagsField f;
      RAMSIFT_TRY(uint64_t w, width.read_unsigned(r));
      RAMSIFT_TRY(uint64_t s, shift.read_unsigned(r));
      RAMSIFT_TRY(f.mask, mask.read_unsigned(r));
      RAMSIFT_TRY(uint64_t sp, spec.read_unsigned(r));
      RAMSIFT_TRY(uint64_t nm, name.read_unsigned(r));
      f.width = static_cast<unsigned>(w);
      f.shift = static_cast<unsigned>(s);
      RAMSIFT_TRY(f.name, kernel.read_string(VirtAddr(nm), 32));
      f.hex = flag_spec ? sp == flag_spec->value() : (f.name == "lastcpupid" || f.name == "kasantag");
      if (f.width && f.shift < 64) n.fields_.push_back(std::move(f));
    }
  } else if (kernel.symbol("pff")) {
    return std::move(pff).error().with_context("page flag fields (lib/vsprintf.c pff[])");
  }
  // No pff[] at all: the kernel's %pGp predates the field names and prints
  // the flag names only (5.10's flags_string() masks page->flags to
  // NR_PAGEFLAGS bits and leaves node, zone and section out): no fields.
  return n;
}

std::string KernelNames::gfp_text(uint64_t gfp) const {
  std::string out;
  format_flags(out, gfp, gfp_);
  return out;
}

std::string KernelNames::page_flag_names(uint64_t flags) const {
  std::string out;
  format_flags(out, flags & pageflags_mask_, page_);
  return out;
}

std::string KernelNames::page_flags_text(uint64_t flags) const {
  std::string out = kernel_hex(flags);
  out += '(';
  bool append = false;
  if (uint64_t main = flags & pageflags_mask_) {
    format_flags(out, main, page_);
    append = true;
  }
  for (const PageFlagsField& f : fields_) {
    if (append) out += '|';
    out += f.name;
    out += '=';
    uint64_t v = (flags >> f.shift) & f.mask;
    out += f.hex ? kernel_hex(v) : std::to_string(v);
    append = true;
  }
  out += ')';
  return out;
}

std::optional<uint64_t> KernelNames::page_field(std::string_view name, uint64_t flags) const {
  for (const PageFlagsField& f : fields_)
    if (f.name == name) return (flags >> f.shift) & f.mask;
  return std::nullopt;
}

const std::string& KernelNames::migratetype(unsigned i) const {
  static const std::string unknown = "?";
  return i < migratetypes_.size() ? migratetypes_[i] : unknown;
}

const std::string& KernelNames::migrate_reason(unsigned i) const {
  static const std::string unknown = "?";
  return i < migrate_reasons_.size() ? migrate_reasons_[i] : unknown;
}

}  // namespace ramsift
