#include "crash_memory.h"

#include <elf.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "crash_api.h"

namespace ramsift::crash {

namespace {

// crash's name for the machine -> ramsift's, and the ELF machine.
void set_arch(DumpInfo& info) {
  std::string machine = ramsift_crash_machine();
  // crash's MACHINE_TYPE is ramsift's name in capitals.
  std::string lower;
  for (char ch : machine) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  info.arch = arch_from_name(lower);
  info.elf_machine = arch_row(info.arch).elf_machine;
}

std::string take(char* text) {
  std::string s = text ? text : "";
  std::free(text);
  return s;
}

// When the kernel keeps no VMCOREINFO text in memory: the keys ramsift's
// kernel and decode layers read, one by one from crash's copy of the dump's
// note. Keep in step with the Vmcoreinfo calls in src/kernel and src/decode.
constexpr const char* kVmcoreinfoKeys[] = {
    "OSRELEASE",
    "BUILD-ID",
    "PAGESIZE",
    "KERNELOFFSET",
    "SYMBOL(_stext)",
    "LENGTH(mem_section)",
    "LENGTH(zone.free_area)",
    "NUMBER(phys_base)",
    "NUMBER(kimage_voffset)",
    "NUMBER(PHYS_OFFSET)",
    "NUMBER(VA_BITS)",
    "NUMBER(MAX_PHYSMEM_BITS)",
    "NUMBER(pgtable_l5_enabled)",
    "NUMBER(sme_mask)",
    "NUMBER(KERNEL_IMAGE_SIZE)",
    "NUMBER(SECTION_SIZE_BITS)",
};

std::optional<std::string> vmcoreinfo_text() {
  std::string text = take(ramsift_crash_vmcoreinfo_text());
  if (!text.empty()) return text;
  for (const char* key : kVmcoreinfoKeys) {
    std::string value = take(ramsift_crash_vmcoreinfo_key(key));
    if (!value.empty()) text += std::string(key) + "=" + value + "\n";
  }
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace

Result<std::unique_ptr<CrashMemory>> CrashMemory::open() {
  std::unique_ptr<CrashMemory> m(new CrashMemory());
  m->info_.format = "crash";
  m->info_.files = {ramsift_crash_dumpfile()};
  set_arch(m->info_);
  m->info_.vmcoreinfo = vmcoreinfo_text();
  if (m->info_.vmcoreinfo) {
    if (size_t at = m->info_.vmcoreinfo->find("PAGESIZE="); at != std::string::npos)
      m->page_size_ = std::strtoull(m->info_.vmcoreinfo->c_str() + at + 9, nullptr, 10);
  }
  if (m->page_size_ < 4096 || (m->page_size_ & (m->page_size_ - 1)))
    return corrupt("crash: page size " + std::to_string(m->page_size_) + " is not a power of two of 4096 or more");
  m->info_.page_size = static_cast<uint32_t>(m->page_size_);

  std::vector<uint64_t> starts(64), sizes(64);
  size_t n = ramsift_crash_memory_ranges(starts.data(), sizes.data(), starts.size());
  for (size_t i = 0; i < std::min(n, starts.size()); ++i)
    if (sizes[i]) m->ranges_.push_back({PhysAddr(starts[i]), sizes[i]});
  std::sort(m->ranges_.begin(), m->ranges_.end(),
            [](const PhysRange& a, const PhysRange& b) { return a.start < b.start; });
  // Overlapping node spans (interleaved nodes) merged: ranges() must not overlap.
  std::vector<PhysRange> merged;
  for (const PhysRange& r : m->ranges_) {
    if (!merged.empty() && r.start <= merged.back().end()) {
      uint64_t end = std::max(merged.back().end().value(), r.end().value());
      merged.back().size = end - merged.back().start.value();
    } else {
      merged.push_back(r);
    }
  }
  m->ranges_ = std::move(merged);
  // No node table (an early failure in crash): every address is asked for,
  // and crash says which it cannot read.
  if (m->ranges_.empty()) m->ranges_.push_back({PhysAddr(0), uint64_t{1} << 52});
  for (CachedPage& page : m->cache_) page.bytes.resize(m->page_size_);
  return m;
}

CrashMemory::~CrashMemory() {
  if (std::getenv("RAMSIFT_CRASH_STATS"))
    std::fprintf(stderr, "ramsift: %llu physical reads, %llu readmem() calls\n",
                 static_cast<unsigned long long>(reads_), static_cast<unsigned long long>(readmem_calls_));
}

const CrashMemory::CachedPage& CrashMemory::page_at(uint64_t page) const {
  CachedPage* oldest = &cache_[0];
  for (CachedPage& slot : cache_) {
    if (slot.address == page) {
      slot.last_used = ++clock_;
      return slot;
    }
    if (slot.last_used < oldest->last_used) oldest = &slot;
  }
  oldest->address = page;
  oldest->last_used = ++clock_;
  ++readmem_calls_;
  oldest->readable = ramsift_crash_read_physical(page, oldest->bytes.data(), oldest->bytes.size()) != 0;
  return *oldest;
}

Result<size_t> CrashMemory::read(PhysAddr addr, std::span<std::byte> out) const {
  const uint64_t a = addr.value();
  auto range = std::find_if(ranges_.begin(), ranges_.end(), [&](const PhysRange& r) { return r.contains(addr); });
  if (range == ranges_.end()) return fault("outside the memory crash describes").at_address(addr);
  const uint64_t limit = std::min<uint64_t>(out.size(), range->end().value() - a);
  std::lock_guard lock(mutex_);
  ++reads_;
  // A range of pages in one call: crash reads it in one pass.
  if (limit > page_size_) {
    ++readmem_calls_;
    if (ramsift_crash_read_physical(a, out.data(), limit)) return limit;
  }
  uint64_t done = 0;
  while (done < limit) {
    const uint64_t at = a + done;
    const uint64_t page = at & ~(page_size_ - 1);
    const CachedPage& cached = page_at(page);
    if (!cached.readable) break;
    const uint64_t n = std::min(page_size_ - (at - page), limit - done);
    std::memcpy(out.data() + done, cached.bytes.data() + (at - page), n);
    done += n;
  }
  if (!done) return no_data("crash cannot read this page").at_address(PhysAddr(a));
  return done;
}

}  // namespace ramsift::crash
