#include "ramsift/decode/modules.h"

#include <elf.h>

namespace ramsift {

namespace {

// enum mod_mem_type (include/linux/module.h, 6.4+), in order.
constexpr const char* kMemTypes[] = {"text",      "data",      "rodata",     "ro_after_init",
                                     "init_text", "init_data", "init_rodata"};

struct ModuleLayoutOffsets {
  uint64_t list = 0, name = 0, name_size = 56, state = 0, kallsyms = 0;
  bool mem = false;
  uint64_t mem_offset = 0, mem_stride = 0, mem_count = 0, mem_base = 0, mem_size = 0;
  uint64_t core = 0, init = 0, layout_base = 0, layout_size = 0, layout_text = 0;
  uint64_t symtab = 0, num_symtab = 0, strtab = 0;
};

Result<ModuleLayoutOffsets> module_offsets(const Kernel& kernel) {
  DwarfTypes& dwarf = kernel.dwarf();
  constexpr std::string_view hint = "kernel/module/main.c,kernel/module.c";
  RAMSIFT_TRY(auto mod, dwarf.layout("struct module", hint));
  ModuleLayoutOffsets o;
  RAMSIFT_TRY(Member list, mod->require("list"));
  RAMSIFT_TRY(Member name, mod->require("name"));
  RAMSIFT_TRY(Member state, mod->require("state"));
  RAMSIFT_TRY(Member kallsyms, mod->require("kallsyms"));
  o.list = list.offset;
  o.name = name.offset;
  o.name_size = name.type.size ? name.type.size : 56;
  o.state = state.offset;
  o.kallsyms = kallsyms.offset;
  if (auto mem = mod->member("mem")) {
    o.mem = true;
    o.mem_offset = mem->offset;
    o.mem_stride = mem->type.stride;
    o.mem_count = mem->type.count.value_or(0);
    RAMSIFT_TRY(auto mm, dwarf.layout("struct module_memory", hint));
    RAMSIFT_TRY(Member base, mm->require("base"));
    RAMSIFT_TRY(Member size, mm->require("size"));
    o.mem_base = base.offset;
    o.mem_size = size.offset;
  } else {
    RAMSIFT_TRY(Member core, mod->require("core_layout"));
    RAMSIFT_TRY(Member init, mod->require("init_layout"));
    o.core = core.offset;
    o.init = init.offset;
    RAMSIFT_TRY(auto ml, dwarf.layout("struct module_layout", hint));
    RAMSIFT_TRY(Member base, ml->require("base"));
    RAMSIFT_TRY(Member size, ml->require("size"));
    RAMSIFT_TRY(Member text, ml->require("text_size"));
    o.layout_base = base.offset;
    o.layout_size = size.offset;
    o.layout_text = text.offset;
  }
  RAMSIFT_TRY(auto mk, dwarf.layout("struct mod_kallsyms", hint));
  RAMSIFT_TRY(Member symtab, mk->require("symtab"));
  RAMSIFT_TRY(Member num, mk->require("num_symtab"));
  RAMSIFT_TRY(Member strtab, mk->require("strtab"));
  o.symtab = symtab.offset;
  o.num_symtab = num.offset;
  o.strtab = strtab.offset;
  return o;
}

Status read_module(const Kernel& kernel, const ModuleLayoutOffsets& o, VirtAddr at, Module& m) {
  m.address = at;
  RAMSIFT_TRY(m.name, kernel.read_string(at + o.name, o.name_size - 1));
  if (m.name.empty()) return corrupt("a module without a name").at_address(at + o.name);
  RAMSIFT_TRY(uint32_t state, kernel.read_u32(at + o.state));
  m.state = static_cast<int>(state);
  if (o.mem) {
    m.memory_types = true;
    for (uint64_t t = 0; t < o.mem_count; ++t) {
      ModuleRegion r;
      r.type = t < std::size(kMemTypes) ? kMemTypes[t] : "type" + std::to_string(t);
      RAMSIFT_TRY(uint64_t base, kernel.read_u64(at + o.mem_offset + t * o.mem_stride + o.mem_base));
      RAMSIFT_TRY(uint32_t size, kernel.read_u32(at + o.mem_offset + t * o.mem_stride + o.mem_size));
      r.base = VirtAddr(base);
      r.size = size;
      r.init = r.type.starts_with("init");
      r.text = r.type == "text" || r.type == "init_text";
      r.text_size = r.text ? r.size : 0;
      m.regions.push_back(std::move(r));
    }
  } else {
    for (auto [off, type] : {std::pair{o.core, "core"}, std::pair{o.init, "init"}}) {
      ModuleRegion r;
      r.type = type;
      RAMSIFT_TRY(uint64_t base, kernel.read_u64(at + off + o.layout_base));
      RAMSIFT_TRY(uint32_t size, kernel.read_u32(at + off + o.layout_size));
      RAMSIFT_TRY(uint32_t text, kernel.read_u32(at + off + o.layout_text));
      r.base = VirtAddr(base);
      r.size = size;
      r.text_size = text;
      r.init = r.type == std::string_view("init");
      r.text = true;
      m.regions.push_back(std::move(r));
    }
  }
  RAMSIFT_TRY(uint64_t kallsyms, kernel.read_u64(at + o.kallsyms));
  if (!kallsyms) return {};
  RAMSIFT_TRY(uint64_t symtab, kernel.read_u64(VirtAddr(kallsyms) + o.symtab));
  RAMSIFT_TRY(uint32_t num, kernel.read_u32(VirtAddr(kallsyms) + o.num_symtab));
  RAMSIFT_TRY(uint64_t strtab, kernel.read_u64(VirtAddr(kallsyms) + o.strtab));
  if (num > 1'000'000) return corrupt("module " + m.name + ": " + std::to_string(num) + " symbols");
  // add_kallsyms(): the null symbol and at least the module's own symbols.
  if (num < 2 || !symtab || !strtab)
    return corrupt("module " + m.name + ": kallsyms at " + hex(kallsyms) + " says " + std::to_string(num) +
                   " symbols at " + hex(symtab) + ", names at " + hex(strtab))
        .at_address(at);
  std::vector<std::byte> bytes(uint64_t{num} * sizeof(Elf64_Sym));
  RAMSIFT_TRY_STATUS(kernel.read(VirtAddr(symtab), bytes));
  ByteReader r(bytes, "module symtab");
  m.symbols.resize(num);
  for (uint32_t i = 0; i < num; ++i) {
    uint64_t base = uint64_t{i} * sizeof(Elf64_Sym);
    RAMSIFT_TRY(uint32_t name, r.u32(base + offsetof(Elf64_Sym, st_name)));
    RAMSIFT_TRY(uint16_t shndx, r.u16(base + offsetof(Elf64_Sym, st_shndx)));
    RAMSIFT_TRY(uint64_t value, r.u64(base + offsetof(Elf64_Sym, st_value)));
    ModuleSymbol& s = m.symbols[i];
    s.value = value;
    s.defined = shndx != SHN_UNDEF;
    if (i == 0 || !s.defined) continue;
    // add_kallsyms() copies each name after the previous one's NUL (index 0
    // is an empty string): a name starts just after a NUL, or the symtab or
    // strtab pointer is not the module's.
    if (name == 0) continue;
    auto before = kernel.read_u8(VirtAddr(strtab + name - 1));
    if (before && *before != 0) {
      m.symbols.clear();
      return corrupt("module " + m.name + ": symbol " + std::to_string(i) + "'s name (strtab " + hex(strtab) + " + " +
                     hex(name) + ") does not start a string: the symtab or strtab pointer is damaged")
          .at_address(VirtAddr(kallsyms) + o.strtab);
    }
    auto text = kernel.read_string(VirtAddr(strtab + name), 512);
    if (text) s.name = std::move(*text);
  }
  // The core symbol table holds the symbols of the core regions only
  // (layout_symtab(): init ones are dropped): each defined symbol lies in a
  // region, or the regions (or the symbols) are not the module's.
  size_t outside = 0, defined = 0;
  const ModuleSymbol* first = nullptr;
  for (size_t i = 1; i < m.symbols.size(); ++i) {
    const ModuleSymbol& sym = m.symbols[i];
    if (!sym.defined || sym.name.empty()) continue;
    ++defined;
    bool in = false;
    for (const ModuleRegion& region : m.regions)
      if (!region.init && sym.value >= region.base.value() && sym.value - region.base.value() <= region.size) in = true;
    if (!in && !outside++) first = &sym;
  }
  if (outside) {
    std::string regions;
    for (const ModuleRegion& region : m.regions)
      if (!region.init && region.size)
        regions += " " + region.type + " " + hex(region.base.value()) + "+" + hex(region.size);
    m.symbols.clear();
    return corrupt("module " + m.name + ": " + std::to_string(outside) + " of " + std::to_string(defined) +
                   " symbols lie outside its regions (" + first->name + " at " + hex(first->value) + "; regions" +
                   regions + "): its layout is damaged")
        .at_address(at);
  }
  return {};
}

}  // namespace

uint64_t Module::core_size() const {
  uint64_t total = 0;
  for (const ModuleRegion& r : regions)
    if (!r.init) total += r.size;
  return total;
}

bool Module::contains(uint64_t where) const {
  for (const ModuleRegion& r : regions)
    if (r.size && where >= r.base.value() && where - r.base.value() < r.size) return true;
  return false;
}

ModuleList read_modules(const Kernel& kernel, size_t limit) {
  ModuleList out;
  auto offsets = module_offsets(kernel);
  if (!offsets) {
    out.problems.push_back(std::move(offsets).error().with_context("module list"));
    return out;
  }
  auto head = kernel.require_symbol("modules");
  if (!head) {
    out.problems.push_back(std::move(head).error());
    return out;
  }
  auto next = kernel.read_u64(*head);
  for (size_t n = 0; next && *next != head->value(); ++n) {
    if (n >= limit) {
      out.problems.push_back(corrupt("module list does not end after " + std::to_string(limit) + " modules"));
      return out;
    }
    if (kernel.translator().normalize(VirtAddr(*next)) != VirtAddr(*next)) {
      out.problems.push_back(
          corrupt("module list: next pointer " + hex(*next) + " is not a kernel address").at_address(VirtAddr(*next)));
      return out;
    }
    VirtAddr at(*next - offsets->list);
    Module m;
    auto status = read_module(kernel, *offsets, at, m);
    if (!status) {
      out.problems.push_back(std::move(status).error().with_context("module at " + hex(at.value())));
      if (!m.name.empty()) out.modules.push_back(std::move(m));
    } else {
      // A live module's regions are mapped (module_alloc / execmem); a base
      // whose page table says "not mapped" is damage, not a module layout.
      for (const ModuleRegion& r : m.regions) {
        if (!r.size || r.init) continue;
        // A plain kernel pointer (no tag, no PAC): the form the tables index.
        if (kernel.translator().normalize(r.base) != r.base) {
          out.problems.push_back(corrupt("module " + m.name + ": its " + r.type + " region at " + hex(r.base.value()) +
                                         " is not a kernel address")
                                     .at_address(at));
          continue;
        }
        auto t = kernel.memory().translate(r.base);
        if (!t && t.error().code() == ErrorCode::Fault)
          out.problems.push_back(corrupt("module " + m.name + ": its " + r.type + " region at " + hex(r.base.value()) +
                                         " is not mapped: " + t.error().message())
                                     .at_address(at));
      }
      out.modules.push_back(std::move(m));
    }
    next = kernel.read_u64(VirtAddr(*next));
  }
  if (!next) out.problems.push_back(std::move(next).error().with_context("module list"));
  return out;
}

}  // namespace ramsift
