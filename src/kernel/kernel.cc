#include "ramsift/kernel/kernel.h"

#include <elf.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "kernel_opener.h"
#include "ramsift/arch/arm64.h"
#include "ramsift/arch/x86_64.h"

namespace ramsift {

const char* kaslr_source_name(KaslrSource source) {
  switch (source) {
    case KaslrSource::Option: return "command line";
    case KaslrSource::VmcoreinfoNote: return "VMCOREINFO note";
    case KaslrSource::VmcoreinfoInMemory: return "VMCOREINFO in memory";
    case KaslrSource::QualcommImem: return "Qualcomm IMEM";
    case KaslrSource::KernelImage: return "kernel image in memory";
  }
  return "?";
}

Kernel::~Kernel() = default;

std::optional<VirtAddr> Kernel::symbol(std::string_view name) const {
  auto sym = elf_->symbol(name);
  if (!sym) return std::nullopt;
  return runtime(sym->address);
}

Result<VirtAddr> Kernel::require_symbol(std::string_view name) const {
  auto sym = symbol(name);
  if (!sym) return not_found("symbol " + std::string(name) + " is not in " + vmlinux_path_);
  return *sym;
}

Result<Variable> Kernel::variable(std::string_view name, std::string_view hint) const {
  RAMSIFT_TRY(Variable v, dwarf_->variable(name, hint));
  v.address = runtime(v.address.value());
  return v;
}

Status Kernel::read(VirtAddr va, std::span<std::byte> out) const {
  auto status = memory_->read_exact(va, out);
  if (!status) return std::move(status).error().at_address(va);
  return {};
}

namespace {
template <class T>
Result<T> read_le(const Kernel& kernel, VirtAddr va) {
  std::byte buf[sizeof(T)];
  RAMSIFT_TRY_STATUS(kernel.read(va, buf));
  T value = 0;
  for (size_t i = 0; i < sizeof(T); ++i) value |= static_cast<T>(static_cast<T>(buf[i]) << (8 * i));
  return value;
}
}  // namespace

Result<uint64_t> Kernel::read_u64(VirtAddr va) const {
  return read_le<uint64_t>(*this, va);
}
Result<uint32_t> Kernel::read_u32(VirtAddr va) const {
  return read_le<uint32_t>(*this, va);
}
Result<uint16_t> Kernel::read_u16(VirtAddr va) const {
  return read_le<uint16_t>(*this, va);
}
Result<uint8_t> Kernel::read_u8(VirtAddr va) const {
  return read_le<uint8_t>(*this, va);
}

Result<std::string> Kernel::read_string(VirtAddr va, size_t max_length) const {
  std::string out;
  std::byte chunk[64];
  while (out.size() < max_length) {
    size_t want = std::min(sizeof chunk, max_length - out.size());
    auto n = memory_->read(va + out.size(), std::span(chunk, want));
    if (!n) return std::move(n).error().at_address(va + out.size());
    for (size_t i = 0; i < *n; ++i) {
      if (chunk[i] == std::byte{0}) return out;
      out.push_back(static_cast<char>(chunk[i]));
    }
  }
  return out;
}

Result<uint64_t> Kernel::read_variable(std::string_view name, std::string_view hint) const {
  RAMSIFT_TRY(Variable v, variable(name, hint));
  switch (v.type.size) {
    case 1: {
      RAMSIFT_TRY(uint8_t x, read_u8(v.address));
      return uint64_t{x};
    }
    case 2: {
      RAMSIFT_TRY(uint16_t x, read_u16(v.address));
      return uint64_t{x};
    }
    case 4: {
      RAMSIFT_TRY(uint32_t x, read_u32(v.address));
      return uint64_t{x};
    }
    case 8: return read_u64(v.address);
    default: return bad_input("variable " + std::string(name) + " is " + v.type.to_string() + ", not an integer");
  }
}

// The dump's kallsyms against the vmlinux's symbol table. The vmlinux is the
// dump's own build (its build ID or banner matched), and scripts/kallsyms
// takes its table from that image's symbols: every name kallsyms has is a
// symbol of the file at its link address + KASLR (per-CPU ones unrelocated).
// A name or address the file does not have is damage in the dump's tables,
// which the names printed would silently carry.
Status Kernel::check_kallsyms(const Kallsyms& kallsyms, const KallsymsTables& where) const {
  if (!elf_->symbol("kallsyms_names")) return {};  // a vmlinux without a symbol table tells nothing
  const auto& symbols = kallsyms.symbols();
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < symbols.size(); ++i) {
    const KernelSymbol& s = symbols[i];
    bool found = false;
    const auto named = elf_->symbols_named(s.name);
    for (const ElfSymbol& e : named)
      if (e.address + layout_.kaslr_offset == s.address || e.address == s.address) found = true;
    if (named.empty()) {
      // Names the file lacks (6.19's vmlinux drops .modinfo's
      // __UNIQUE_ID_modinfo_* data symbols, which kallsyms keeps) are damage
      // only for code, whose names stacks print, where the file has another
      // symbol at exactly that address: a name that was changed.
      const bool code = (s.type | 0x20) == 't';
      auto there = elf_->symbol_at(s.address - layout_.kaslr_offset);
      if (!code) there.reset();
      found = !there || there->address != s.address - layout_.kaslr_offset;
    }
    if (!found && !bad++) first = i;
  }
  if (!bad) return {};
  const KernelSymbol& s = symbols[first];
  const uint64_t entry = where.offsets     ? (*where.offsets + 4 * first).value()
                         : where.addresses ? (*where.addresses + where.pointer_size * first).value()
                                           : where.names.value();
  return corrupt(std::to_string(bad) + " of " + std::to_string(symbols.size()) +
                 " symbols are not the vmlinux's, the first: symbol " + std::to_string(first) + " \"" + s.name +
                 "\" at " + hex(s.address) + " (" + vmlinux_path_ + " has " +
                 (elf_->symbol(s.name) ? "it at " + hex(elf_->symbol(s.name)->address + layout_.kaslr_offset)
                                       : std::string("no such symbol")) +
                 ")")
      .at_address(VirtAddr(entry));
}

Result<const Kallsyms*> Kernel::kallsyms() const {
  std::lock_guard lock(kallsyms_mutex_);
  if (kallsyms_) return kallsyms_.get();
  if (kallsyms_error_) return *kallsyms_error_;
  KallsymsTables where;
  auto need = [&](const char* name) -> std::optional<VirtAddr> { return symbol(name); };
  auto num = need("kallsyms_num_syms"), names = need("kallsyms_names"), tokens = need("kallsyms_token_table"),
       index = need("kallsyms_token_index");
  if (!num || !names || !tokens || !index) {
    kallsyms_error_ = not_found("no kallsyms tables in " + vmlinux_path_ + " (CONFIG_KALLSYMS off?)");
    return *kallsyms_error_;
  }
  where.num_syms = *num;
  where.names = *names;
  where.token_table = *tokens;
  where.token_index = *index;
  where.offsets = need("kallsyms_offsets");
  where.relative_base = need("kallsyms_relative_base");
  where.addresses = need("kallsyms_addresses");
  where.pointer_size = elf_->is_64bit() ? 8 : 4;
  KernelReader reader = [this](VirtAddr va, std::span<std::byte> out) { return memory_->read(va, out); };
  auto decoded = Kallsyms::decode(where, reader);
  if (!decoded) {
    kallsyms_error_ = std::move(decoded).error().with_context("kallsyms tables in the dump");
    return *kallsyms_error_;
  }
  if (auto bad = check_kallsyms(*decoded, where); !bad) {
    kallsyms_error_ = std::move(bad).error().with_context("kallsyms tables in the dump");
    return *kallsyms_error_;
  }
  kallsyms_ = std::make_unique<Kallsyms>(std::move(*decoded));
  return kallsyms_.get();
}

Result<std::unique_ptr<Kernel>> Kernel::open(const Dump& dump, const KernelOptions& options) {
  KernelOpener opener(dump, options);
  return opener.open();
}

}  // namespace ramsift
