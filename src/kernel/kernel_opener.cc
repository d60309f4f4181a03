#include "kernel_opener.h"

#include <elf.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>

#include "qualcomm_imem.h"
#include "ramsift/arch/arm64.h"
#include "ramsift/arch/x86_64.h"

namespace ramsift {

namespace {

constexpr uint64_t k2M = uint64_t{2} << 20;

uint64_t le64(const std::byte* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

uint32_t le32(const std::byte* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// "Linux version 6.1.192 (root@vm) ..." -> "6.1.192".
std::string release_of(std::string_view banner) {
  constexpr std::string_view prefix = "Linux version ";
  if (!banner.starts_with(prefix)) return {};
  banner.remove_prefix(prefix.size());
  return std::string(banner.substr(0, banner.find(' ')));
}

std::string first_line(std::string_view s) {
  s = s.substr(0, s.find('\n'));
  return std::string(s);
}

}  // namespace

uint64_t KernelOpener::link_symbol(const char* name) const {
  auto sym = kernel_->elf_->symbol(name);
  return sym ? sym->address : 0;
}

Result<std::unique_ptr<Kernel>> KernelOpener::open() {
  kernel_.reset(new Kernel(dump_));
  if (dump_.info().vmcoreinfo) {
    auto parsed = Vmcoreinfo::parse(*dump_.info().vmcoreinfo);
    if (parsed) {
      if (options_.ignore_derived_vmcoreinfo) parsed->drop_derived();
      kernel_->vmcoreinfo_ = std::move(*parsed);
    } else
      kernel_->notes_.push_back("VMCOREINFO note unreadable: " + parsed.error().to_string());
  }
  RAMSIFT_TRY_STATUS(open_vmlinux());
  RAMSIFT_TRY_STATUS(check_arch());
  RAMSIFT_TRY(Found found, find_kaslr());
  if (arch_ == "arm64")
    RAMSIFT_TRY_STATUS(build_arm64(found));
  else
    RAMSIFT_TRY_STATUS(build_x86_64(found));
  kernel_->layout_.arch = arch_;
  kernel_->layout_.kaslr_offset = found.kaslr_offset;
  kernel_->layout_.kaslr_source = found.source;
  kernel_->layout_.kaslr_detail = found.detail;
  RAMSIFT_TRY_STATUS(verify_banner());
  return std::move(kernel_);
}

Status KernelOpener::open_vmlinux() {
  std::string path = options_.vmlinux;
  if (path.empty()) {
    std::optional<std::string> build_id;
    std::string release = dump_.info().release;
    if (kernel_->vmcoreinfo_) {
      build_id = kernel_->vmcoreinfo_->build_id();
      if (auto r = kernel_->vmcoreinfo_->os_release()) release = *r;
    }
    RAMSIFT_TRY(path, find_vmlinux(options_.symbol_dirs, build_id, release));
  }
  RAMSIFT_TRY(std::string plain, plain_file(path));
  RAMSIFT_TRY(VmlinuxElf elf, VmlinuxElf::open(plain));
  kernel_->vmlinux_path_ = path;
  kernel_->elf_ = std::make_shared<const VmlinuxElf>(std::move(elf));
  RAMSIFT_TRY(DwarfTypes dwarf, DwarfTypes::open(kernel_->elf_));
  kernel_->dwarf_ = std::make_unique<DwarfTypes>(std::move(dwarf));
  RAMSIFT_TRY(elf_banner_, kernel_->elf_->linux_banner());
  // The build ID first: cheap and exact, when the dump has one.
  if (kernel_->vmcoreinfo_) {
    auto dump_id = kernel_->vmcoreinfo_->build_id();
    auto elf_id = kernel_->elf_->build_id();
    // VMCOREINFO prints BUILD-ID with %20phN: the first 20 bytes.
    if (dump_id && elf_id && !elf_id->starts_with(*dump_id) && !dump_id->starts_with(*elf_id))
      return bad_input("vmlinux does not match this dump: the dump's BUILD-ID is " + *dump_id + ", " + path + "'s is " +
                       *elf_id)
          .in_file(path);
  }
  return {};
}

Status KernelOpener::check_arch() {
  std::string elf_arch = arch_from_elf_machine(kernel_->elf_->machine());
  const std::string& dump_arch = dump_.info().arch;
  if (!dump_arch.empty() && !elf_arch.empty() && dump_arch != elf_arch)
    return bad_input("vmlinux does not match this dump: the dump is " + dump_arch + ", " + kernel_->vmlinux_path_ +
                     " is " + elf_arch);
  arch_ = !elf_arch.empty() ? elf_arch : !dump_arch.empty() ? dump_arch : options_.arch;
  if (!options_.arch.empty() && options_.arch != arch_)
    return bad_input("--arch " + options_.arch + " but " + kernel_->vmlinux_path_ + " is " + arch_);
  if (arch_ != "arm64" && arch_ != "x86_64")
    return not_implemented("architecture " + (arch_.empty() ? std::string("unknown") : arch_) +
                           ": ramsift reads arm64 and x86_64 kernels")
        .in_file(kernel_->vmlinux_path_);
  if (!kernel_->elf_->little_endian()) return not_implemented("big-endian kernels").in_file(kernel_->vmlinux_path_);

  // The page size: VMCOREINFO, or (arm64) the Image header
  // at _text, whose flags bits 1-2 give it (Documentation/arch/arm64/booting.rst).
  // The dump format's own page size is not the kernel's: QEMU writes arm64
  // kdump files with 64K blocks for a 4K kernel.
  std::optional<uint64_t> page_size;
  if (kernel_->vmcoreinfo_) page_size = kernel_->vmcoreinfo_->page_size();
  if (!page_size && arch_ == "x86_64") page_size = 4096;
  if (!page_size && arch_ == "arm64") {
    auto header = kernel_->elf_->bytes_at(link_symbol("_text"), 64);
    if (header && std::memcmp(header->data() + 56, "ARM\x64", 4) == 0) {
      switch ((le64(header->data() + 24) >> 1) & 3) {
        case 1: page_size = 4096; break;
        case 2: page_size = 16384; break;
        case 3: page_size = 65536; break;
        default: break;
      }
    }
  }
  uint64_t size = page_size.value_or(4096);
  if (!std::has_single_bit(size) || size < 4096 || size > 65536)
    return corrupt("page size " + std::to_string(size) + " is not 4K, 16K or 64K");
  page_shift_ = static_cast<unsigned>(std::countr_zero(size));
  return {};
}

Result<KernelOpener::Found> KernelOpener::find_kaslr() {
  if (auto f = from_options()) return *f;
  if (kernel_->vmcoreinfo_)
    if (auto f =
            from_vmcoreinfo(*kernel_->vmcoreinfo_, KaslrSource::VmcoreinfoNote, "KERNELOFFSET in the VMCOREINFO note"))
      return *f;
  if (auto f = from_memory_vmcoreinfo()) return *f;
  if (auto f = from_qualcomm_imem()) return *f;
  return from_kernel_image(std::nullopt);
}

std::optional<KernelOpener::Found> KernelOpener::from_options() {
  if (!options_.kaslr_offset) return std::nullopt;
  Found f;
  f.kaslr_offset = *options_.kaslr_offset;
  f.source = KaslrSource::Option;
  f.detail = "--kaslr-offset";
  return f;
}

std::optional<KernelOpener::Found> KernelOpener::from_vmcoreinfo(const Vmcoreinfo& info, KaslrSource source,
                                                                 std::string detail) {
  Found f;
  f.source = source;
  f.detail = std::move(detail);
  if (auto offset = info.kernel_offset()) {
    f.kaslr_offset = *offset;
  } else if (auto stext = info.symbol("_stext"); stext && link_symbol("_stext")) {
    // x86_64 prints KERNELOFFSET only when KASLR is on; SYMBOL(_stext) tells either way.
    f.kaslr_offset = *stext - link_symbol("_stext");
    f.detail =
        "SYMBOL(_stext) in the VMCOREINFO " + std::string(source == KaslrSource::VmcoreinfoNote ? "note" : "text");
  } else {
    return std::nullopt;
  }
  if (arch_ == "arm64") {
    if (auto v = info.number("kimage_voffset")) f.kimage_voffset = static_cast<uint64_t>(*v);
    if (auto v = info.number("PHYS_OFFSET")) f.phys_offset = static_cast<uint64_t>(*v);
    if (auto v = info.number("VA_BITS")) f.va_bits = static_cast<uint64_t>(*v);
  } else {
    if (auto v = info.number("phys_base")) f.phys_offset = static_cast<uint64_t>(*v);
  }
  return f;
}

std::optional<KernelOpener::Found> KernelOpener::from_memory_vmcoreinfo() {
  // Only a kernel built with vmcoreinfo keeps the text in memory.
  if (!kernel_->elf_->symbol("vmcoreinfo_data")) return std::nullopt;
  // vmcoreinfo_data is a page of its own (get_zeroed_page): the text starts a page.
  const uint64_t page = uint64_t{1} << page_shift_;
  std::vector<std::byte> chunk(1 << 20);
  for (const PhysRange& range : dump_.ranges()) {
    for (uint64_t at = 0; at < range.size; at += chunk.size()) {
      uint64_t want = std::min<uint64_t>(chunk.size(), range.size - at);
      auto n = dump_.read(range.start + at, std::span(chunk.data(), want));
      if (!n) continue;
      for (uint64_t off = 0; off + 64 <= *n; off += page) {
        if (std::memcmp(chunk.data() + off, "OSRELEASE=", 10) != 0) continue;
        std::string text(
            reinterpret_cast<const char*>(chunk.data() + off),
            strnlen(reinterpret_cast<const char*>(chunk.data() + off), std::min<uint64_t>(page, *n - off)));
        auto info = Vmcoreinfo::parse(text);
        if (!info) continue;
        PhysAddr pa = range.start + at + off;
        if (auto f = from_vmcoreinfo(*info, KaslrSource::VmcoreinfoInMemory,
                                     "KERNELOFFSET in the VMCOREINFO text at pa " + hex(pa.value())))
          return f;
      }
    }
  }
  return std::nullopt;
}

std::optional<KernelOpener::Found> KernelOpener::from_qualcomm_imem() {
  for (const AuxFile& aux : dump_.info().aux_files) {
    std::ifstream in(aux.path, std::ios::binary);
    if (!in) continue;
    std::vector<std::byte> bytes(std::min<uint64_t>(aux.size, 16 << 20));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    bytes.resize(static_cast<size_t>(in.gcount()));
    auto record = find_imem_kaslr(bytes);
    if (!record) continue;
    Found f;
    f.kaslr_offset = record->kaslr_offset;
    f.source = KaslrSource::QualcommImem;
    f.detail = aux.name + " + " + hex(record->file_offset);
    if (aux.base) f.detail += " (pa " + hex((*aux.base + record->file_offset).value()) + ")";
    return f;
  }
  return std::nullopt;
}

std::optional<PhysAddr> KernelOpener::find_banner(std::optional<uint64_t> known_kaslr) {
  const uint64_t banner_link = link_symbol("linux_banner");
  if (!banner_link || elf_banner_.empty()) return std::nullopt;
  const std::string& want = elf_banner_;
  std::vector<std::byte> buf(want.size());
  auto matches = [&](PhysAddr pa) {
    auto n = dump_.read(pa, std::span(buf.data(), std::min<size_t>(16, buf.size())));
    if (!n || *n < std::min<size_t>(16, buf.size()) || std::memcmp(buf.data(), want.data(), *n) != 0) return false;
    return dump_.read_exact(pa, buf) && std::memcmp(buf.data(), want.data(), want.size()) == 0;
  };
  auto scan = [&](uint64_t stride, uint64_t residue) -> std::optional<PhysAddr> {
    for (const PhysRange& range : dump_.ranges()) {
      uint64_t first = range.start.value() - range.start.value() % stride + residue;
      if (first < range.start.value()) first += stride;
      for (uint64_t pa = first; pa + want.size() <= range.end().value() && pa >= first; pa += stride)
        if (matches(PhysAddr(pa))) return PhysAddr(pa);
    }
    return std::nullopt;
  };
  // The image is placed 2 MiB aligned with its virtual address (a KASLR
  // offset is a multiple of 2 MiB on both architectures); else any page.
  uint64_t runtime = banner_link + known_kaslr.value_or(0);
  if (auto pa = scan(k2M, runtime % k2M)) return pa;
  const uint64_t page = uint64_t{1} << page_shift_;
  return scan(page, banner_link % page);
}

Result<uint64_t> KernelOpener::read_image_u64(PhysAddr banner_pa, const char* symbol) {
  uint64_t link = link_symbol(symbol);
  if (!link) return not_found(std::string("symbol ") + symbol + " is not in " + kernel_->vmlinux_path_);
  PhysAddr pa = banner_pa + (link - link_symbol("linux_banner"));
  std::byte buf[8];
  auto status = dump_.read_exact(pa, buf);
  if (!status) return std::move(status).error().with_context(std::string("reading ") + symbol);
  return le64(buf);
}

Result<KernelOpener::Found> KernelOpener::from_kernel_image(std::optional<uint64_t> known_kaslr) {
  auto banner_pa = find_banner(known_kaslr);
  if (!banner_pa)
    return not_found(
               "vmlinux does not match this dump: its linux_banner is nowhere in the dump's memory, and the dump has "
               "no "
               "VMCOREINFO or IMEM record giving the KASLR offset (vmlinux: " +
               first_line(elf_banner_) + "); give --kaslr-offset if the kernel image is in the dump")
        .in_file(kernel_->vmlinux_path_);
  const uint64_t banner_link = link_symbol("linux_banner");
  Found f;
  f.source = KaslrSource::KernelImage;
  if (arch_ == "arm64") {
    RAMSIFT_TRY(uint64_t voffset, read_image_u64(*banner_pa, "kimage_voffset"));
    f.kimage_voffset = voffset;
    f.kaslr_offset = banner_pa->value() + voffset - banner_link;
    if (auto memstart = read_image_u64(*banner_pa, "memstart_addr")) f.phys_offset = *memstart;
    f.detail = "kimage_voffset " + hex(voffset) + " read from the kernel image at pa " +
               hex(banner_pa->value() - (banner_link - link_symbol("_text"))) + " (found by its linux_banner)";
  } else {
    RAMSIFT_TRY(uint64_t phys_base, read_image_u64(*banner_pa, "phys_base"));
    f.phys_offset = phys_base;
    f.kaslr_offset = banner_pa->value() - phys_base + kX86_64StartKernelMap - banner_link;
    f.detail = "phys_base " + hex(phys_base) + " read from the kernel image at pa " + hex(banner_pa->value()) +
               " (found by its linux_banner)";
  }
  if (known_kaslr && *known_kaslr != f.kaslr_offset)
    kernel_->notes_.push_back("the kernel image in memory implies KASLR offset " + hex(f.kaslr_offset) + ", not " +
                              hex(*known_kaslr));
  return f;
}

Status KernelOpener::build_arm64(const Found& given) {
  Found found = given;
  // A step that gave only the offset (IMEM, --kaslr-offset): the image's
  // physical place still has to be found.
  if (options_.kimage_voffset) found.kimage_voffset = options_.kimage_voffset;
  if (options_.phys_offset) found.phys_offset = options_.phys_offset;
  if (!found.kimage_voffset) {
    auto banner_pa = find_banner(found.kaslr_offset);
    if (!banner_pa)
      return not_found("KASLR offset " + hex(found.kaslr_offset) + " (" + found.detail +
                       ") but the kernel image (its linux_banner) is not in the dump; give --kimage-voffset");
    found.kimage_voffset = link_symbol("linux_banner") + found.kaslr_offset - banner_pa->value();
  }
  KernelLayout& layout = kernel_->layout_;
  layout.kaslr_offset = found.kaslr_offset;
  layout.page_shift = page_shift_;
  layout.kimage_voffset = *found.kimage_voffset;
  const uint64_t text = link_symbol("_text");
  if (options_.va_bits)
    layout.va_bits = *options_.va_bits;
  else if (found.va_bits)
    layout.va_bits = static_cast<unsigned>(*found.va_bits);
  else  // The image lives in the top half of the kernel VA range: count the leading ones.
    layout.va_bits = 65 - static_cast<unsigned>(std::countl_one(text));
  if (layout.va_bits < 36 || layout.va_bits > 52) return corrupt("arm64 VA_BITS " + std::to_string(layout.va_bits));
  auto to_pa = [&](uint64_t link) { return PhysAddr(link + found.kaslr_offset - *found.kimage_voffset); };
  if (!found.phys_offset) {
    std::byte buf[8];
    auto status = dump_.read_exact(to_pa(link_symbol("memstart_addr")), buf);
    if (!status) return std::move(status).error().with_context("reading memstart_addr (PHYS_OFFSET)");
    found.phys_offset = le64(buf);
  }
  layout.phys_offset = *found.phys_offset;
  layout.page_table_root = to_pa(link_symbol("swapper_pg_dir"));

  // The walk that finds linux_banner where the kernel image's fast path puts
  // it is the one the kernel used.
  Arm64Layout image;
  image.kimage_voffset = layout.kimage_voffset;
  image.kimage_start = kernel_->runtime(text);
  image.kimage_size = link_symbol("_end") - text;
  auto agrees = [&](const Arm64Paging& p) {
    auto t = Arm64Translator::create(p, layout.page_table_root, image);
    return t && check_fast_path(dump_, *t, kernel_->runtime(link_symbol("linux_banner"))).agree();
  };
  // Counted from the image's address, VA_BITS is VA_BITS_MIN: a 52-bit
  // kernel puts its image where a 48-bit (4K, 64K) or 47-bit (16K) one
  // does (KIMAGE_VADDR = _PAGE_END(VA_BITS_MIN)), and with no VMCOREINFO
  // nothing else in memory says 52 (6.9+ has no vabits_actual variable:
  // it reads TCR_EL1). If that walk does not find the image, 52 is tried.
  if (!options_.va_bits && !found.va_bits && layout.va_bits == (page_shift_ == 14 ? 47u : 48u)) {
    Arm64Paging counted;
    counted.page_shift = page_shift_;
    counted.va_bits = layout.va_bits;
    if (!agrees(counted)) {
      kernel_->notes_.push_back("the kernel image's address says VA_BITS " + std::to_string(layout.va_bits) +
                                " (VA_BITS_MIN), but that walk does not find it: VA_BITS 52 tried");
      layout.va_bits = 52;
    }
  }
  layout.direct_map = VirtAddr(~uint64_t{0} << layout.va_bits);

  Arm64Paging paging;
  paging.page_shift = page_shift_;
  paging.va_bits = layout.va_bits;
  if (kernel_->vmcoreinfo_)
    if (auto bits = kernel_->vmcoreinfo_->number("MAX_PHYSMEM_BITS")) paging.pa_bits = static_cast<unsigned>(*bits);
  // A 52-bit config with 4K or 16K pages (6.9+) ran with FEAT_LPA2 and 52
  // VA bits, or without it on 48 (4K) / 47 (16K) bits with classic
  // descriptors and a folded top level. PAGE_OFFSET (the linear map's
  // start) stays the config's either way: memstart_addr absorbs the
  // difference (arm64_memblock_init()).
  if (page_shift_ != 16 && layout.va_bits == 52) {
    const unsigned fallback = page_shift_ == 12 ? 48 : 47;
    std::optional<unsigned> ran;
    if (kernel_->vmcoreinfo_)
      if (auto t1sz = kernel_->vmcoreinfo_->number("TCR_EL1_T1SZ")) ran = 64 - static_cast<unsigned>(*t1sz);
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
    kernel_->notes_.push_back("VA_BITS 52 with " + std::to_string((1u << page_shift_) >> 10) + "K pages: " +
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
  fast.kimage_start = kernel_->runtime(text);
  fast.kimage_size = link_symbol("_end") - text;
  if (uint64_t init = link_symbol("__init_begin"), init_end = link_symbol("__init_end"); init && init_end > init) {
    fast.kimage_hole = kernel_->runtime(init);
    fast.kimage_hole_size = init_end - init;
  }
  RAMSIFT_TRY(Arm64Translator translator, Arm64Translator::create(paging, layout.page_table_root, fast));
  kernel_->translator_ = std::make_unique<Arm64Translator>(std::move(translator));
  kernel_->memory_ = std::make_unique<VirtualMemory>(dump_, *kernel_->translator_, options_.translation);
  return {};
}

Status KernelOpener::build_x86_64(const Found& given) {
  Found found = given;
  if (options_.phys_offset) found.phys_offset = options_.phys_offset;
  if (!found.phys_offset) {
    auto banner_pa = find_banner(found.kaslr_offset);
    if (!banner_pa)
      return not_found(
          "phys_base is unknown (no VMCOREINFO) and the kernel image is not in the dump; give --phys-offset");
    found.phys_offset = banner_pa->value() - (link_symbol("linux_banner") + found.kaslr_offset - kX86_64StartKernelMap);
  }
  KernelLayout& layout = kernel_->layout_;
  layout.kaslr_offset = found.kaslr_offset;
  layout.page_shift = 12;
  layout.phys_offset = *found.phys_offset;
  X86_64Paging paging;
  const Vmcoreinfo* info = kernel_->vmcoreinfo_ ? &*kernel_->vmcoreinfo_ : nullptr;
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
    if (uint64_t l5 = link_symbol("__pgtable_l5_enabled")) {
      std::byte buf[4];
      if (dump_.read_exact(image_pa(l5), buf)) paging.five_level = le32(buf) != 0;
    }
  }
  layout.va_bits = paging.five_level ? 57 : 48;
  layout.page_table_root = image_pa(link_symbol("init_top_pgt"));
  X86_64Layout fast;
  fast.phys_base = PhysAddr(layout.phys_offset);
  // The fast path covers the image the page tables map, not the whole
  // KERNEL_IMAGE_SIZE the kernel's __pa() formula accepts (x86_64.h).
  if (uint64_t text = link_symbol("_text"), end = link_symbol("_end"); text && end > text) {
    fast.kernel_image_start = kernel_->runtime(text);
    fast.kernel_image_size = end - text;
  } else {
    fast.kernel_image_size = image_size;
  }
  // page_offset_base is randomized (CONFIG_RANDOMIZE_MEMORY); the variable says where.
  uint64_t page_offset_base = paging.five_level ? 0xff11000000000000 : 0xffff888000000000;
  if (uint64_t sym = link_symbol("page_offset_base")) {
    std::byte buf[8];
    auto status = dump_.read_exact(image_pa(sym), buf);
    if (!status) return std::move(status).error().with_context("reading page_offset_base");
    page_offset_base = le64(buf);
  }
  layout.direct_map = VirtAddr(page_offset_base);
  fast.page_offset_base = layout.direct_map;
  // The direct map covers RAM; the regions after it (vmalloc, vmemmap) are
  // randomized to start right behind it, so bound it by the dump's memory.
  uint64_t top = 0;
  for (const PhysRange& r : dump_.ranges()) top = std::max(top, r.end().value());
  const uint64_t gib = uint64_t{1} << 30;
  fast.direct_map_size = std::min((top + gib - 1) / gib * gib, uint64_t{1} << (paging.five_level ? 52 : 46));
  RAMSIFT_TRY(X86_64Translator translator, X86_64Translator::create(paging, layout.page_table_root, fast));
  kernel_->translator_ = std::make_unique<X86_64Translator>(std::move(translator));
  kernel_->memory_ = std::make_unique<VirtualMemory>(dump_, *kernel_->translator_, options_.translation);
  return {};
}

Status KernelOpener::verify_banner() {
  Kernel& k = *kernel_;
  RAMSIFT_TRY(VirtAddr at, k.require_symbol("linux_banner"));
  // The page tables must agree with the fast path for the image before
  // anything is read through them.
  FastPathCheck check = check_fast_path(dump_, *k.translator_, at);
  // A layout the user gave that puts the page tables nowhere is that
  // layout's fault first: say which options, not "not in this dump".
  std::string given;
  auto name_given = [&](const char* flag, const std::optional<uint64_t>& v) {
    if (v) given += std::string(given.empty() ? "" : ", ") + flag + " " + hex(*v);
  };
  name_given("--kaslr-offset", options_.kaslr_offset);
  name_given("--phys-offset", options_.phys_offset);
  name_given("--kimage-voffset", options_.kimage_voffset);
  if (options_.va_bits)
    given += std::string(given.empty() ? "" : ", ") + "--va-bits " + std::to_string(*options_.va_bits);
  if (!given.empty() && check.mapping && (!check.walk || !check.agree()))
    return bad_input("the layout given (" + given +
                     ") does not fit this dump: " + (check.walk ? check.describe() : check.walk.error().to_string()) +
                     "; check those values, or leave them out and ramsift finds the layout itself");
  if (check.mapping && !check.walk && check.walk.error().code() == ErrorCode::NoData)
    return Error(ErrorCode::NoData,
                 "the kernel's page tables are not in this dump (" + check.walk.error().to_string() +
                     "): without them nothing outside the linear map and the kernel image (vmemmap, vmalloc, "
                     "modules) can be read; keep page-table pages when filtering the dump");
  if (check.mapping && !check.agree())
    return corrupt("kernel layout does not fit this dump's page tables: " + check.describe() + " (KASLR offset " +
                   hex(k.layout_.kaslr_offset) + " from " + k.layout_.kaslr_detail + ")");
  std::vector<std::byte> buf(elf_banner_.size());
  auto status = k.memory_->read_exact(at, buf);
  if (!status)
    return std::move(status).error().with_context("reading linux_banner at " + hex(at.value()) + " (KASLR offset " +
                                                  hex(k.layout_.kaslr_offset) + " from " + k.layout_.kaslr_detail +
                                                  ")");
  std::string in_dump(reinterpret_cast<const char*>(buf.data()), buf.size());
  if (in_dump != elf_banner_)
    return bad_input("vmlinux does not match this dump:\n  dump:    " + first_line(in_dump) +
                     "\n  vmlinux: " + first_line(elf_banner_))
        .in_file(k.vmlinux_path_);
  k.banner_ = elf_banner_;
  k.release_ = release_of(k.banner_);
  unsigned major = 0, minor = 0;
  if (std::sscanf(k.release_.c_str(), "%u.%u", &major, &minor) == 2) {
    k.major_ = major;
    k.minor_ = minor;
  }
  return {};
}

}  // namespace ramsift
