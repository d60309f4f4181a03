// The arm64 kernel descriptor (kernel_arch.h): the Image header's page
// size, kimage_voffset and memstart_addr, VA_BITS from the image's address,
// LPA2, the linear map and the image as fast paths.
#include <algorithm>
#include <bit>
#include <cstring>

#include "kernel_opener.h"
#include "ramsift/arch/arm64.h"
#include "ramsift/kernel/version_facts.h"

namespace ramsift {

namespace {

// The Image header at _text: flags bits 1-2 give the page size
// (Documentation/arch/arm64/booting.rst).
std::optional<uint64_t> image_page_size(const VmlinuxElf& elf) {
  auto text = elf.symbol("_text");
  if (!text) return std::nullopt;
  auto header = elf.bytes_at(text->address, 64);
  if (!header || std::memcmp(header->data() + 56, "ARM\x64", 4) != 0) return std::nullopt;
  switch ((image_le64(header->data() + 24) >> 1) & 3) {
    case 1: return 4096;
    case 2: return 16384;
    case 3: return 65536;
    default: return std::nullopt;
  }
}

// arch/arm64/kernel/crash_core.c: arch_crash_save_vmcoreinfo().
void read_vmcoreinfo(const Vmcoreinfo& info, KaslrFound& f) {
  if (auto v = info.number("kimage_voffset")) f.kimage_voffset = static_cast<uint64_t>(*v);
  if (auto v = info.number("PHYS_OFFSET")) f.phys_offset = static_cast<uint64_t>(*v);
  if (auto v = info.number("VA_BITS")) f.va_bits = static_cast<uint64_t>(*v);
}

Result<KaslrFound> kaslr_from_image(KernelOpener& o, PhysAddr banner_pa) {
  const uint64_t banner_link = o.link_symbol("linux_banner");
  KaslrFound f;
  RAMSIFT_TRY(uint64_t voffset, o.read_image_u64(banner_pa, "kimage_voffset"));
  f.kimage_voffset = voffset;
  f.kaslr_offset = banner_pa.value() + voffset - banner_link;
  if (auto memstart = o.read_image_u64(banner_pa, "memstart_addr")) f.phys_offset = *memstart;
  f.detail = "kimage_voffset " + hex(voffset) + " read from the kernel image at pa " +
             hex(banner_pa.value() - (banner_link - o.link_symbol("_text"))) + " (found by its linux_banner)";
  return f;
}

Status build(KernelOpener& o, KaslrFound found) {
  // A step that gave only the offset (IMEM, --kaslr-offset): the image's
  // physical place still has to be found.
  if (o.options().kimage_voffset) found.kimage_voffset = o.options().kimage_voffset;
  if (o.options().phys_offset) found.phys_offset = o.options().phys_offset;
  if (!found.kimage_voffset) {
    auto banner_pa = o.find_banner(found.kaslr_offset);
    if (!banner_pa)
      return not_found("KASLR offset " + hex(found.kaslr_offset) + " (" + found.detail +
                       ") but the kernel image (its linux_banner) is not in the dump; give --kimage-voffset");
    found.kimage_voffset = o.link_symbol("linux_banner") + found.kaslr_offset - banner_pa->value();
  }
  KernelLayout& layout = o.layout();
  layout.kaslr_offset = found.kaslr_offset;
  layout.page_shift = o.page_shift();
  layout.kimage_voffset = *found.kimage_voffset;
  const uint64_t text = o.link_symbol("_text");
  if (o.options().va_bits)
    layout.va_bits = *o.options().va_bits;
  else if (found.va_bits)
    layout.va_bits = static_cast<unsigned>(*found.va_bits);
  else  // The image lives in the top half of the kernel VA range: count the leading ones.
    layout.va_bits = 65 - static_cast<unsigned>(std::countl_one(text));
  if (layout.va_bits < 36 || layout.va_bits > 52) return corrupt("arm64 VA_BITS " + std::to_string(layout.va_bits));
  auto to_pa = [&](uint64_t link) { return PhysAddr(link + found.kaslr_offset - *found.kimage_voffset); };
  if (!found.phys_offset) {
    std::byte buf[8];
    auto status = o.dump().read_exact(to_pa(o.link_symbol("memstart_addr")), buf);
    if (!status) return std::move(status).error().with_context("reading memstart_addr (PHYS_OFFSET)");
    found.phys_offset = image_le64(buf);
  }
  layout.phys_offset = *found.phys_offset;
  layout.page_table_root = to_pa(o.link_symbol("swapper_pg_dir"));

  // The walk that finds linux_banner where the kernel image's fast path puts
  // it is the one the kernel used.
  Arm64Layout image;
  image.kimage_voffset = layout.kimage_voffset;
  image.kimage_start = o.runtime(text);
  image.kimage_size = o.link_symbol("_end") - text;
  auto agrees = [&](const Arm64Paging& p) {
    auto t = Arm64Translator::create(p, layout.page_table_root, image);
    return t && check_fast_path(o.dump(), *t, o.runtime(o.link_symbol("linux_banner"))).agree();
  };
  // Counted from the image's address, VA_BITS is VA_BITS_MIN: a 52-bit
  // kernel puts its image where a 48-bit (4K, 64K) or 47-bit (16K) one
  // does (KIMAGE_VADDR = _PAGE_END(VA_BITS_MIN)), and with no VMCOREINFO
  // nothing else in memory says 52 (6.9+ has no vabits_actual variable:
  // it reads TCR_EL1). If that walk does not find the image, 52 is tried.
  if (!o.options().va_bits && !found.va_bits && layout.va_bits == (o.page_shift() == 14 ? 47u : 48u)) {
    Arm64Paging counted;
    counted.page_shift = o.page_shift();
    counted.va_bits = layout.va_bits;
    if (!agrees(counted)) {
      o.note("the kernel image's address says VA_BITS " + std::to_string(layout.va_bits) +
             " (VA_BITS_MIN), but that walk does not find it: VA_BITS 52 tried");
      layout.va_bits = 52;
    }
  }
  layout.direct_map = VirtAddr(~uint64_t{0} << layout.va_bits);

  Arm64Paging paging;
  paging.page_shift = o.page_shift();
  paging.va_bits = layout.va_bits;
  if (o.vmcoreinfo())
    if (auto bits = o.vmcoreinfo()->number("MAX_PHYSMEM_BITS")) paging.pa_bits = static_cast<unsigned>(*bits);
  // A 52-bit config with 4K or 16K pages (6.9+) ran with FEAT_LPA2 and 52
  // VA bits, or without it on 48 (4K) / 47 (16K) bits with classic
  // descriptors and a folded top level. PAGE_OFFSET (the linear map's
  // start) stays the config's either way: memstart_addr absorbs the
  // difference (arm64_memblock_init()).
  if (o.page_shift() != 16 && layout.va_bits == 52) {
    const unsigned fallback = o.page_shift() == 12 ? 48 : 47;
    std::optional<unsigned> ran;
    if (o.vmcoreinfo())
      if (auto t1sz = o.vmcoreinfo()->number("TCR_EL1_T1SZ")) ran = 64 - static_cast<unsigned>(*t1sz);
    paging.va_bits = ran.value_or(52);
    paging.lpa2 = paging.va_bits == 52;
    paging.pa_bits = paging.lpa2 ? 52 : 48;
    if (!ran) {
      // No TCR_EL1 value: the walk that finds the image (agrees(), above).
      if (!agrees(paging)) {
        Arm64Paging classic = paging;
        classic.va_bits = fallback;
        classic.lpa2 = false;
        classic.pa_bits = 48;
        if (agrees(classic)) paging = classic;
      }
    }
    o.note("VA_BITS 52 with " + std::to_string((1u << o.page_shift()) >> 10) + "K pages: " +
           (paging.lpa2 ? "walked as FEAT_LPA2 (52-bit VA at run time)"
                        : "ran with " + std::to_string(paging.va_bits) + "-bit VA, no LPA2") +
           (ran ? " (TCR_EL1_T1SZ in VMCOREINFO)" : " (the walk that finds linux_banner)"));
  }
  Arm64Layout fast;
  fast.page_offset = layout.direct_map;
  const unsigned va_min = std::min(layout.va_bits, 48u);
  fast.linear_size = (uint64_t{1} << layout.va_bits) - (uint64_t{1} << (va_min - 1));
  fast.phys_offset = PhysAddr(layout.phys_offset);
  fast.kimage_voffset = layout.kimage_voffset;
  fast.kimage_start = o.runtime(text);
  fast.kimage_size = o.link_symbol("_end") - text;
  if (uint64_t init = o.link_symbol("__init_begin"), init_end = o.link_symbol("__init_end"); init && init_end > init) {
    fast.kimage_hole = o.runtime(init);
    fast.kimage_hole_size = init_end - init;
  }
  RAMSIFT_TRY(Arm64Translator translator, Arm64Translator::create(paging, layout.page_table_root, fast));
  o.set_translator(std::make_unique<Arm64Translator>(std::move(translator)));
  return {};
}

// arch/arm64/include/asm/sparsemem.h: 30 before 5.12; 29 with 64K pages, else 27, since.
unsigned default_section_size_bits(const Kernel& kernel, unsigned page_shift) {
  if (!version_says(kernel, VersionFact::Arm64SectionSizeBits27)) return 30;
  return page_shift == 16 ? 29 : 27;
}

void layout_facts(const KernelLayout& l, const FactSink& add) {
  add("phys_offset", hex(l.phys_offset));
  add("kimage_voffset", hex(l.kimage_voffset));
  add("page_offset", hex(l.direct_map.value()));
  add("swapper_pg_dir", "pa " + hex(l.page_table_root.value()));
}

void vmcoreinfo_numbers(const KernelLayout& l, const FactSink& add) {
  add("NUMBER(VA_BITS)", std::to_string(l.va_bits));
  add("NUMBER(kimage_voffset)", hex(l.kimage_voffset));
  add("NUMBER(PHYS_OFFSET)", hex(l.phys_offset));
}

}  // namespace

extern const KernelArch kArm64Kernel = {
    Arch::Arm64, image_page_size,           read_vmcoreinfo, kaslr_from_image,
    build,       default_section_size_bits, layout_facts,    vmcoreinfo_numbers,
};

}  // namespace ramsift
