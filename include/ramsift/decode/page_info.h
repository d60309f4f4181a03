// One page frame in a dump, as `ramsift page` shows it: its struct page
// (crash's `kmem -p` fields), the buddy block or compound page it belongs
// to, its pageblock's migratetype and its page_ext flags.
//
//   RAMSIFT_TRY(PageAddress a, parse_page_address("va:0xffff888012345678"));
//   RAMSIFT_TRY(uint64_t pfn, resolve_pfn(a, kernel, model));
//   RAMSIFT_TRY(PageInfo info, read_page_info(kernel, model, names, pfn));
//
// Address forms: "pfn:N", "pa:0x...", "va:0x..." (a kernel virtual address,
// translated through the dump's page tables), "page:0x..." (the address of
// a struct page), and a bare number, which is a pfn. Numbers are decimal or
// 0x-prefixed hex.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ramsift/decode/kernel_names.h"
#include "ramsift/decode/memory_model.h"

namespace ramsift {

enum class PageAddressKind { Pfn, Phys, Virt, StructPage };

struct PageAddress {
  PageAddressKind kind = PageAddressKind::Pfn;
  uint64_t value = 0;
};

// BadInput naming the text and the accepted forms.
Result<PageAddress> parse_page_address(std::string_view text);
// The pfn the address names. A va that is not mapped, or a page: address
// that no mem_section's mem_map holds, is an error naming the address.
Result<uint64_t> resolve_pfn(const PageAddress& address, const Kernel& kernel, const MemoryModel& model);

struct PageInfo {
  uint64_t pfn = 0;
  PhysAddr phys;
  VirtAddr page;  // the struct page
  uint64_t flags = 0;
  uint64_t mapping = 0, index = 0, private_ = 0;
  uint32_t refcount = 0;
  int32_t mapcount = 0;    // _mapcount as stored (-1: not mapped); the page_type word for typed pages
  std::string flag_names;  // KernelNames::page_flag_names
  std::optional<uint64_t> node, zone;
  std::string zone_name;  // zone_names[zone], from the dump; "" if unreadable
  // A free buddy block that holds this pfn: its first pfn and order.
  std::optional<uint64_t> buddy_head;
  unsigned buddy_order = 0;
  // A tail page of a compound page: its head.
  std::optional<uint64_t> compound_head;  // pfn of the head
  VirtAddr compound_head_page;
  std::string pageblock_migratetype;  // "" when unreadable
  uint64_t pageblock = 0;
  std::optional<uint64_t> page_ext_flags;  // nullopt: no page_ext for this pfn
  VirtAddr page_ext;
};

// NotFound when the pfn is not valid (pfn_valid() is false); errors from
// reading the struct page name its address. Secondary parts (buddy head,
// zone name, pageblock) that cannot be read are left empty.
Result<PageInfo> read_page_info(const Kernel& kernel, const MemoryModel& model, const KernelNames& names, uint64_t pfn);

}  // namespace ramsift
