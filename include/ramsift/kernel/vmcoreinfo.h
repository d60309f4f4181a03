// VMCOREINFO: the kernel's own notes about itself, as a crash kernel or QEMU
// saves them (ELF note, kdump sub-header) or as found in memory.
//
//   RAMSIFT_TRY(Vmcoreinfo info, Vmcoreinfo::parse(dump.info().vmcoreinfo.value()));
//   info.os_release();                  // "6.1.0-test"
//   info.symbol("swapper_pg_dir");      // optional<uint64_t>
//   info.offset("page", "flags");       // OFFSET(page.flags)
//   info.number("PG_buddy");            // NUMBER(PG_buddy), decimal or 0x hex
//
// The text is kept as the kernel wrote it; lookups never invent defaults.
// Formats (kernel/crash_core.c, vmcore_info.c from 6.10): SYMBOL(%s)=%lx,
// SIZE(%s)=%lu, OFFSET(%s.%s)=%lu, LENGTH(%s)=%lu, NUMBER(%s)=%ld (arm64's
// extras print 0x%llx), PAGESIZE=%ld, OSRELEASE=%s, BUILD-ID=hex,
// KERNELOFFSET=%lx (hex without 0x), CRASHTIME=%lld.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ramsift/base/error.h"

namespace ramsift {

class Vmcoreinfo {
 public:
  // Fails (Corrupt) only on text that is not VMCOREINFO at all: no KEY=VALUE
  // line. Unknown keys are kept and reachable through raw().
  static Result<Vmcoreinfo> parse(std::string_view text);

  std::optional<std::string> raw(std::string_view key) const;

  // The key in which `ramsift extract` lists (comma separated) the keys it
  // derived rather than copied from the dump.
  static constexpr std::string_view kDerivedKey = "RAMSIFT_DERIVED";
  // Drops the keys kDerivedKey lists, and kDerivedKey itself.
  void drop_derived();
  std::optional<uint64_t> symbol(std::string_view name) const;
  std::optional<uint64_t> size(std::string_view name) const;
  std::optional<uint64_t> offset(std::string_view type, std::string_view member) const;
  std::optional<uint64_t> length(std::string_view name) const;
  std::optional<int64_t> number(std::string_view name) const;

  std::optional<uint64_t> page_size() const;
  std::optional<std::string> os_release() const { return raw("OSRELEASE"); }
  std::optional<std::string> build_id() const { return raw("BUILD-ID"); }
  std::optional<uint64_t> kernel_offset() const;  // KERNELOFFSET (KASLR)

  const std::map<std::string, std::string, std::less<>>& entries() const { return entries_; }

 private:
  std::optional<uint64_t> unsigned_value(std::string_view key, int base) const;
  std::map<std::string, std::string, std::less<>> entries_;
};

}  // namespace ramsift
