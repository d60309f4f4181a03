// The x86_64 kernel descriptor (kernel_arch.h): 4K pages, phys_base,
// 4- or 5-level paging, the randomized direct map and the image as fast
// paths.
#include <algorithm>

#include "kernel_opener.h"
#include "ramsift/arch/x86_64.h"

namespace ramsift {

namespace {

std::optional<uint64_t> image_page_size(const VmlinuxElf&) {
  return 4096;
}

// arch/x86/kernel/crash_core_64.c: arch_crash_save_vmcoreinfo().
void read_vmcoreinfo(const Vmcoreinfo& info, KaslrFound& f) {
  if (auto v = info.number("phys_base")) f.phys_offset = static_cast<uint64_t>(*v);
}

Result<KaslrFound> kaslr_from_image(KernelOpener& o, PhysAddr banner_pa) {
  KaslrFound f;
  RAMSIFT_TRY(uint64_t phys_base, o.read_image_u64(banner_pa, "phys_base"));
  f.phys_offset = phys_base;
  f.kaslr_offset = banner_pa.value() - phys_base + kX86_64StartKernelMap - o.link_symbol("linux_banner");
  f.detail = "phys_base " + hex(phys_base) + " read from the kernel image at pa " + hex(banner_pa.value()) +
             " (found by its linux_banner)";
  return f;
}

Status build(KernelOpener& o, KaslrFound found) {
  if (o.options().phys_offset) found.phys_offset = o.options().phys_offset;
  if (!found.phys_offset) {
    auto banner_pa = o.find_banner(found.kaslr_offset);
    if (!banner_pa)
      return not_found(
          "phys_base is unknown (no VMCOREINFO) and the kernel image is not in the dump; give --phys-offset");
    found.phys_offset =
        banner_pa->value() - (o.link_symbol("linux_banner") + found.kaslr_offset - kX86_64StartKernelMap);
  }
  KernelLayout& layout = o.layout();
  layout.kaslr_offset = found.kaslr_offset;
  layout.page_shift = 12;
  layout.phys_offset = *found.phys_offset;
  X86_64Paging paging;
  const Vmcoreinfo* info = o.vmcoreinfo();
  uint64_t image_size = uint64_t{1} << 30;
  if (info) {
    if (auto l5 = info->number("pgtable_l5_enabled")) paging.five_level = *l5 != 0;
    if (auto sme = info->number("sme_mask")) paging.encryption_mask = static_cast<uint64_t>(*sme);
    if (auto size = info->number("KERNEL_IMAGE_SIZE")) image_size = static_cast<uint64_t>(*size);
  }
  auto image_pa = [&](uint64_t link) {
    return PhysAddr(link + found.kaslr_offset - kX86_64StartKernelMap + layout.phys_offset);
  };
  if (!info) {
    // __pgtable_l5_enabled (unsigned int) says whether 5-level paging is on.
    if (uint64_t l5 = o.link_symbol("__pgtable_l5_enabled")) {
      std::byte buf[4];
      if (o.dump().read_exact(image_pa(l5), buf)) paging.five_level = image_le32(buf) != 0;
    }
  }
  layout.va_bits = paging.five_level ? 57 : 48;
  layout.page_table_root = image_pa(o.link_symbol("init_top_pgt"));
  X86_64Layout fast;
  fast.phys_base = PhysAddr(layout.phys_offset);
  // The fast path covers the image the page tables map, not the whole
  // KERNEL_IMAGE_SIZE the kernel's __pa() formula accepts (x86_64.h).
  if (uint64_t text = o.link_symbol("_text"), end = o.link_symbol("_end"); text && end > text) {
    fast.kernel_image_start = o.runtime(text);
    fast.kernel_image_size = end - text;
  } else {
    fast.kernel_image_size = image_size;
  }
  // page_offset_base is randomized (CONFIG_RANDOMIZE_MEMORY); the variable says where.
  uint64_t page_offset_base = paging.five_level ? 0xff11000000000000 : 0xffff888000000000;
  if (uint64_t sym = o.link_symbol("page_offset_base")) {
    std::byte buf[8];
    auto status = o.dump().read_exact(image_pa(sym), buf);
    if (!status) return std::move(status).error().with_context("reading page_offset_base");
    page_offset_base = image_le64(buf);
  }
  layout.direct_map = VirtAddr(page_offset_base);
  fast.page_offset_base = layout.direct_map;
  // The direct map covers RAM; the regions after it (vmalloc, vmemmap) are
  // randomized to start right behind it, so bound it by the dump's memory.
  uint64_t top = 0;
  for (const PhysRange& r : o.dump().ranges()) top = std::max(top, r.end().value());
  const uint64_t gib = uint64_t{1} << 30;
  fast.direct_map_size = std::min((top + gib - 1) / gib * gib, uint64_t{1} << (paging.five_level ? 52 : 46));
  RAMSIFT_TRY(X86_64Translator translator, X86_64Translator::create(paging, layout.page_table_root, fast));
  o.set_translator(std::make_unique<X86_64Translator>(std::move(translator)));
  return {};
}

// arch/x86/include/asm/sparsemem.h: SECTION_SIZE_BITS 27 on x86_64.
unsigned default_section_size_bits(const Kernel&, unsigned) {
  return 27;
}

void layout_facts(const KernelLayout& l, const FactSink& add) {
  add("paging", l.va_bits == 57 ? "5-level" : "4-level");
  add("phys_base", hex(l.phys_offset));
  add("direct_map", hex(l.direct_map.value()));
  add("init_top_pgt", "pa " + hex(l.page_table_root.value()));
}

void vmcoreinfo_numbers(const KernelLayout& l, const FactSink& add) {
  add("NUMBER(phys_base)", std::to_string(static_cast<int64_t>(l.phys_offset)));
}

}  // namespace

extern const KernelArch kX86_64Kernel = {
    Arch::Amd64, image_page_size,           read_vmcoreinfo, kaslr_from_image,
    build,       default_section_size_bits, layout_facts,    vmcoreinfo_numbers,
};

}  // namespace ramsift
