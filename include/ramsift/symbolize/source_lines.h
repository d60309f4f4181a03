// file:line and inlined functions for kernel and module frames (`--lines`),
// through LLVM's symbolizer: the vmlinux for core kernel addresses, and for
// a module frame its .ko (or .ko.unstripped, either may be .zst) found under
// the --modules directory, the address taken relative to the symbol the
// frame names (a module's sections are laid out by the loader, not the file).
//
//   SourceLines lines(kernel, symbolizer, "/path/to/modules");
//   lines.annotate(0xffffffff81234567, "kmem_cache_alloc+0x1c/0x2a0");
//     -> "[inline] slab_alloc_node (mm/slub.c:3451)\n kmem_cache_alloc+0x1c/0x2a0 (mm/slub.c:3470)"
//
// The inlined functions come first, innermost first, each on its own line
// ("[inline] NAME (FILE:LINE)"), then the frame with the location of the
// call in the real function. Paths are cut to the kernel source tree
// (everything before the first top-level directory: arch/, mm/, drivers/, ...).
// Frames nothing describes are returned unchanged. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "ramsift/symbolize/symbolizer.h"

namespace ramsift {

class SourceLines {
 public:
  // modules_dir may be empty (kernel frames only).
  SourceLines(const Kernel& kernel, const Symbolizer& symbolizer, std::string modules_dir);
  ~SourceLines();
  std::string annotate(uint64_t address, const std::string& frame) const;
  // Problems met (no .ko for a module, no DWARF), each once.
  std::vector<std::string> problems() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ramsift
