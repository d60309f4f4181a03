#include "ramsift/decode/page_info.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace ramsift {

namespace {

constexpr std::string_view kForms = "pfn:N, pa:0x..., va:0x..., page:0x... or a bare pfn";

}  // namespace

Result<PageAddress> parse_page_address(std::string_view text) {
  PageAddress a;
  std::string_view number = text;
  struct Prefix {
    std::string_view name;
    PageAddressKind kind;
  };
  for (Prefix p : {Prefix{"pfn:", PageAddressKind::Pfn}, Prefix{"pa:", PageAddressKind::Phys},
                   Prefix{"va:", PageAddressKind::Virt}, Prefix{"page:", PageAddressKind::StructPage}}) {
    if (text.starts_with(p.name)) {
      a.kind = p.kind;
      number = text.substr(p.name.size());
      break;
    }
  }
  std::string digits(number);
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(digits.c_str(), &end, 0);
  // strtoull accepts a sign and leading blanks; an address has neither.
  if (digits.empty() || !end || *end || errno || digits[0] == '-' || digits[0] == '+' || digits[0] == ' ')
    return bad_input("not a page address: \"" + std::string(text) + "\" (want " + std::string(kForms) + ")");
  a.value = v;
  return a;
}

Result<uint64_t> resolve_pfn(const PageAddress& address, const Kernel& kernel, const MemoryModel& model) {
  unsigned shift = kernel.layout().page_shift;
  switch (address.kind) {
    case PageAddressKind::Pfn: return address.value;
    case PageAddressKind::Phys: return address.value >> shift;
    case PageAddressKind::Virt: {
      auto t = kernel.memory().translate(VirtAddr(address.value));
      if (!t) return std::move(t).error();  // the walk's message names the va and the level
      return t->pa.value() >> shift;
    }
    case PageAddressKind::StructPage: {
      auto pfn = model.pfn_of_page(VirtAddr(address.value));
      if (!pfn)
        return fault("page " + hex(address.value) + " is not a struct page: no memory section's mem_map holds it");
      return *pfn;
    }
  }
  return bad_input("unknown page address kind");
}

Result<PageInfo> read_page_info(const Kernel& kernel, const MemoryModel& model, const KernelNames& names,
                                uint64_t pfn) {
  if (!model.pfn_valid(pfn))
    return not_found("pfn " + hex(pfn) + " is not valid in this kernel (pfn_valid() is false; max_pfn " +
                     hex(model.max_pfn()) + ")");
  const PageLayout& l = model.page_layout();
  PageInfo info;
  info.pfn = pfn;
  info.phys = PhysAddr(pfn << kernel.layout().page_shift);
  RAMSIFT_TRY(info.page, model.page_address(pfn));
  std::vector<std::byte> page(l.size);
  if (auto s = kernel.read(info.page, page); !s)
    return std::move(s).error().with_context("struct page of pfn " + hex(pfn) + " at " + hex(info.page.value()));
  StructFields fields(page);
  info.flags = fields.get<uint64_t>(l.flags);
  info.mapping = fields.get<uint64_t>(l.mapping);
  info.index = fields.get<uint64_t>(l.index);
  info.private_ = fields.get<uint64_t>(l.private_);
  info.refcount = fields.get<uint32_t>(l.refcount);
  info.mapcount = fields.get<int32_t>(l.mapcount);
  info.flag_names = names.page_flag_names(info.flags);
  info.node = names.page_field("node", info.flags);
  info.zone = names.page_field("zone", info.flags);
  if (info.zone)
    if (auto zone_names = kernel.variable("zone_names", "mm/page_alloc.c"))
      if (auto at = kernel.read_u64(zone_names->address + *info.zone * 8))
        if (auto name = kernel.read_string(VirtAddr(*at), 32)) info.zone_name = std::move(*name);

  // A tail page: compound_head holds the head's address + 1.
  uint64_t head = fields.get<uint64_t>(l.compound_head);
  if (fields.short_reads())
    return corrupt("struct page of pfn " + hex(pfn) + ": " + std::to_string(fields.short_reads()) +
                   " fields lie past its " + std::to_string(page.size()) + " bytes: the layout does not fit");
  if (head & 1) {
    info.compound_head_page = VirtAddr(head - 1);
    info.compound_head = model.pfn_of_page(info.compound_head_page);
  }

  // The free buddy block holding pfn: the aligned head of some order that
  // is PageBuddy() with an order (page->private) at least that large, as
  // the kernel's own page_is_buddy() search does.
  std::vector<std::byte> other(l.size);
  for (unsigned order = 0; order < model.nr_orders(); ++order) {
    uint64_t first = pfn & ~((uint64_t{1} << order) - 1);
    std::span<const std::byte> bytes = page;
    if (first != pfn) {
      auto at = model.page_address(first);
      if (!at || !kernel.read(*at, other)) continue;
      bytes = other;
    }
    StructFields block(bytes);
    uint32_t type = block.get<uint32_t>(l.mapcount);
    uint64_t private_ = block.get<uint64_t>(l.private_);
    if (model.is_buddy(type) && private_ >= order && private_ < model.nr_orders() &&
        pfn - first < (uint64_t{1} << private_)) {
      info.buddy_head = first;
      info.buddy_order = static_cast<unsigned>(private_);
      break;
    }
  }

  info.pageblock = pfn >> model.pageblock_order();
  if (auto mt = model.pageblock_migratetype(pfn)) info.pageblock_migratetype = names.migratetype(*mt);
  if (auto ext = model.page_ext_address(pfn); ext && *ext) {
    info.page_ext = **ext;
    if (auto flags = kernel.read_u64(**ext)) info.page_ext_flags = *flags;
  }
  return info;
}

}  // namespace ramsift
