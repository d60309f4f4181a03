#include "kernel_opener.h"

#include <elf.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>

#include "qualcomm_imem.h"

namespace ramsift {

namespace {

constexpr uint64_t k2M = uint64_t{2} << 20;

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

uint64_t image_le64(const std::byte* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

uint32_t image_le32(const std::byte* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void KernelOpener::set_translator(std::unique_ptr<Translator> translator) {
  kernel_->translator_ = std::move(translator);
  kernel_->memory_ = std::make_unique<VirtualMemory>(dump_, *kernel_->translator_, options_.translation);
}

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
  kernel_->arch_ = arch_;
  kernel_->layout_.arch = arch_->arch;
  RAMSIFT_TRY(KaslrFound found, find_kaslr());
  Status opened = open_with(found);
  if (found.source == KaslrSource::KernelImage) {
    // The image was the cheapest evidence; the VMCOREINFO text it points
    // to (vmcoreinfo_data) is the kernel's own word: it wins where it
    // reads. Only when the image led nowhere is the whole memory searched.
    if (opened) {
      if (auto text = vmcoreinfo_through_image()) {
        if (text->kaslr_offset != found.kaslr_offset)
          note("the kernel image in memory implies KASLR offset " + hex(found.kaslr_offset) + ", the VMCOREINFO " +
               "text " + hex(text->kaslr_offset));
        Status again = open_with(*text);
        if (again) return std::move(kernel_);
        RAMSIFT_TRY_STATUS(open_with(found));  // the text's layout did not verify: the image's stands
      }
      return std::move(kernel_);
    }
    if (auto searched = from_memory_vmcoreinfo())
      if (open_with(*searched)) return std::move(kernel_);
  }
  RAMSIFT_TRY_STATUS(opened);
  return std::move(kernel_);
}

Status KernelOpener::open_with(const KaslrFound& found) {
  RAMSIFT_TRY_STATUS(arch_->build(*this, found));
  kernel_->layout_.kaslr_offset = found.kaslr_offset;
  kernel_->layout_.kaslr_source = found.source;
  kernel_->layout_.kaslr_detail = found.detail;
  return verify_banner();
}

std::optional<KaslrFound> KernelOpener::vmcoreinfo_through_image() {
  // crash_core.c: unsigned char *vmcoreinfo_data, a page of its own
  // (get_zeroed_page), the text vmcoreinfo_size bytes long.
  const uint64_t data_link = link_symbol("vmcoreinfo_data");
  if (!data_link) return std::nullopt;
  auto data = kernel_->read_u64(runtime(data_link));
  if (!data || !*data) return std::nullopt;
  const uint64_t page = uint64_t{1} << page_shift_;
  std::vector<std::byte> buf(page);
  if (!kernel_->read(VirtAddr(*data), buf)) return std::nullopt;
  size_t len = strnlen(reinterpret_cast<const char*>(buf.data()), buf.size());
  auto info = Vmcoreinfo::parse(std::string(reinterpret_cast<const char*>(buf.data()), len));
  if (!info) return std::nullopt;
  std::string where = "va " + hex(*data);
  if (auto t = kernel_->translator_->walk(dump_, VirtAddr(*data))) where = "pa " + hex(t->pa.value());
  return from_vmcoreinfo(*info, KaslrSource::VmcoreinfoInMemory,
                         "KERNELOFFSET in the VMCOREINFO text at " + where + " (vmcoreinfo_data)");
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
  const Arch elf_arch = arch_from_elf_machine(kernel_->elf_->machine());
  const Arch dump_arch = dump_.info().arch;
  auto name = [](Arch a) { return a == Arch::Unknown ? std::string("unknown") : std::string(arch_name(a)); };
  if (dump_arch != Arch::Unknown && elf_arch != Arch::Unknown && dump_arch != elf_arch)
    return bad_input("vmlinux does not match this dump: the dump is " + name(dump_arch) + ", " +
                     kernel_->vmlinux_path_ + " is " + name(elf_arch));
  const Arch arch = elf_arch != Arch::Unknown ? elf_arch : dump_arch != Arch::Unknown ? dump_arch : options_.arch;
  if (options_.arch != Arch::Unknown && options_.arch != arch)
    return bad_input("--arch " + name(options_.arch) + " but " + kernel_->vmlinux_path_ + " is " + name(arch));
  arch_ = kernel_arch(arch);
  if (!arch_)
    return not_implemented("architecture " + name(arch) + ": ramsift reads arm64 and x86_64 kernels")
        .in_file(kernel_->vmlinux_path_);
  if (!kernel_->elf_->little_endian()) return not_implemented("big-endian kernels").in_file(kernel_->vmlinux_path_);

  // The page size: VMCOREINFO, or what the image says (kernel_arch.h). The
  // dump format's own page size is not the kernel's: QEMU writes arm64
  // kdump files with 64K blocks for a 4K kernel.
  std::optional<uint64_t> page_size;
  if (kernel_->vmcoreinfo_) page_size = kernel_->vmcoreinfo_->page_size();
  if (!page_size) page_size = arch_->image_page_size(*kernel_->elf_);
  uint64_t size = page_size.value_or(4096);
  if (!std::has_single_bit(size) || size < 4096 || size > 65536)
    return corrupt("page size " + std::to_string(size) + " is not 4K, 16K or 64K");
  page_shift_ = static_cast<unsigned>(std::countr_zero(size));
  return {};
}

Result<KaslrFound> KernelOpener::find_kaslr() {
  if (auto f = from_options()) return *f;
  if (kernel_->vmcoreinfo_)
    if (auto f =
            from_vmcoreinfo(*kernel_->vmcoreinfo_, KaslrSource::VmcoreinfoNote, "KERNELOFFSET in the VMCOREINFO note"))
      return *f;
  if (auto f = from_qualcomm_imem()) return *f;
  // The cheapest evidence first: the kernel image (a read every 2 MiB until
  // its banner); the whole-memory search for the VMCOREINFO text last (it
  // reads memory from the start up to the text, gigabytes on a phone).
  auto image = from_kernel_image(std::nullopt);
  if (image) return image;
  if (auto f = from_memory_vmcoreinfo()) return *f;
  return image;
}

std::optional<KaslrFound> KernelOpener::from_options() {
  if (!options_.kaslr_offset) return std::nullopt;
  KaslrFound f;
  f.kaslr_offset = *options_.kaslr_offset;
  f.source = KaslrSource::Option;
  f.detail = "--kaslr-offset";
  return f;
}

std::optional<KaslrFound> KernelOpener::from_vmcoreinfo(const Vmcoreinfo& info, KaslrSource source,
                                                        std::string detail) {
  KaslrFound f;
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
  arch_->read_vmcoreinfo(info, f);
  return f;
}

std::optional<KaslrFound> KernelOpener::from_memory_vmcoreinfo() {
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

std::optional<KaslrFound> KernelOpener::from_qualcomm_imem() {
  for (const AuxFile& aux : dump_.info().aux_files) {
    std::ifstream in(aux.path, std::ios::binary);
    if (!in) continue;
    std::vector<std::byte> bytes(std::min<uint64_t>(aux.size, 16 << 20));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    bytes.resize(static_cast<size_t>(in.gcount()));
    auto record = find_imem_kaslr(bytes);
    if (!record) continue;
    KaslrFound f;
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
  return image_le64(buf);
}

Result<KaslrFound> KernelOpener::from_kernel_image(std::optional<uint64_t> known_kaslr) {
  auto banner_pa = find_banner(known_kaslr);
  if (!banner_pa)
    return not_found(
               "vmlinux does not match this dump: its linux_banner is nowhere in the dump's memory, and the dump has "
               "no "
               "VMCOREINFO or IMEM record giving the KASLR offset (vmlinux: " +
               first_line(elf_banner_) + "); give --kaslr-offset if the kernel image is in the dump")
        .in_file(kernel_->vmlinux_path_);
  RAMSIFT_TRY(KaslrFound f, arch_->kaslr_from_image(*this, *banner_pa));
  f.source = KaslrSource::KernelImage;
  if (known_kaslr && *known_kaslr != f.kaslr_offset)
    kernel_->notes_.push_back("the kernel image in memory implies KASLR offset " + hex(f.kaslr_offset) + ", not " +
                              hex(*known_kaslr));
  return f;
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
