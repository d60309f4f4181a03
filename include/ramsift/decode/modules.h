// The module list in a dump (`modules`), each module's memory regions and
// its own kallsyms (mod->kallsyms: the symbols %pS names module code with).
//
//   RAMSIFT_TRY(auto modules, read_modules(kernel));
//   for (const Module& m : modules) m.name, m.regions, m.symbols.size();
//
// struct module changed shape in Linux kernel commit ac3b43283923 ("module:
// replace module_layout with module_memory") (in v6.4): `mem[]` by type
// replaced `core_layout` / `init_layout`. Both are read, by evidence.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ramsift/kernel/kernel.h"

namespace ramsift {

struct ModuleRegion {
  std::string type;  // "text", "data", "rodata", "ro_after_init", "init_text", ... or "core", "init" (< 6.4)
  VirtAddr base;
  uint64_t size = 0;
  uint64_t text_size = 0;  // < 6.4 layouts: the text part at the start
  bool init = false;
  bool text = false;
};

struct ModuleSymbol {
  uint64_t value = 0;
  std::string name;
  bool defined = true;  // st_shndx != SHN_UNDEF
};

struct Module {
  std::string name;
  VirtAddr address;  // struct module
  int state = 0;     // MODULE_STATE_LIVE 0, COMING 1, GOING 2, UNFORMED 3
  std::vector<ModuleRegion> regions;
  std::vector<ModuleSymbol> symbols;  // mod->kallsyms->symtab order (index 0 is ELF's null symbol)
  bool memory_types = false;          // 6.4+ mem[] layout

  uint64_t core_size() const;
  // __module_address(): in any region.
  bool contains(uint64_t where) const;
};

// At most `limit` modules; a broken list ends the walk with an error naming
// where (the modules read so far are lost: callers that need partial
// results use the problems list instead).
struct ModuleList {
  std::vector<Module> modules;
  std::vector<Error> problems;
};
ModuleList read_modules(const Kernel& kernel, size_t limit = 10000);

}  // namespace ramsift
