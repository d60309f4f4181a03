// Kernel addresses to text exactly as the dump's kernel prints them with
// %pS (lib/vsprintf.c -> kallsyms.c __sprint_symbol(), no build ID):
//   "func+0x1c/0x80"            core kernel, size = kallsyms distance
//   "func+0x1c/0x80 [module]"   a loaded module's text, from its own kallsyms
//   "0xffffffffc0a01234"        nothing covers it (freed init code,
//                               unloaded modules)
// The core kernel's names come from the dump's own kallsyms tables
// (kernel.h), so compiler-clone suffixes (".part.0", ".constprop.0") and
// sizes are the kernel's; module names from each module's mod->kallsyms.
// No .ko file is needed.
//
//   RAMSIFT_TRY(auto sym, Symbolizer::open(kernel));
//   sym.format(0xffffffff81234567);   // "kmem_cache_alloc+0x1c/0x2a0"
//
// Each unique address is formatted once (cached); format() is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "ramsift/decode/modules.h"
#include "ramsift/kernel/kernel.h"

namespace ramsift {

class Symbolizer {
 public:
  // Problems reading the module list are kept in problems(); the core
  // kernel still symbolizes.
  static Result<Symbolizer> open(const Kernel& kernel);
  Symbolizer(Symbolizer&&) noexcept;
  ~Symbolizer();

  std::string format(uint64_t address) const;
  // The module whose memory holds address, or nullptr.
  const Module* module_of(uint64_t address) const;
  const ModuleList& modules() const { return modules_; }
  const std::vector<Error>& problems() const { return modules_.problems; }
  // "kallsyms tables in the dump" or "vmlinux symbol table" (fallback).
  const std::string& source() const { return source_; }

 private:
  Symbolizer() = default;
  std::string compute(uint64_t address) const;
  bool module_lookup(const Module& m, uint64_t address, std::string& out) const;

  const Kernel* kernel_ = nullptr;
  const Kallsyms* kallsyms_ = nullptr;
  bool kallsyms_all_ = false;
  std::string source_;
  ModuleList modules_;
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

}  // namespace ramsift
