#include "ramsift/decode/page_owner_dump.h"

#include <algorithm>
#include <cstring>

#include "ramsift/kernel/version_facts.h"
#include "ramsift/kernel/vmlinux_elf.h"

namespace ramsift {

namespace {

constexpr size_t kMaxProblems = 100;
constexpr size_t kMaxCachedTexts = 4096;
constexpr uint64_t kCgroupNameLen = 80;  // char name[80] in print_page_owner_memcg()

std::optional<uint64_t> offset_of(const TypeLayout& t, std::string_view name) {
  auto m = t.member(name);
  return m ? std::optional<uint64_t>(m->offset) : std::nullopt;
}

}  // namespace

const std::string& PageOwnerWalker::cached_text(TextCache& cache, uint64_t key,
                                                const std::function<std::string()>& make) {
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  if (cache.size() >= kMaxCachedTexts) cache.clear();  // a damaged dump's every value distinct: bounded
  return cache.emplace(key, make()).first->second;
}

void PageOwnerWalker::problem(Error e) {
  ++stats_.problems;
  if (problems_.size() < kMaxProblems) problems_.push_back(std::move(e));
}

Result<PageOwnerWalker> PageOwnerWalker::open(const Kernel& kernel, const MemoryModel& model, const KernelNames& names,
                                              const StackDepot& depot, const PageOwnerWalkOptions& options) {
  PageOwnerWalker w;
  w.kernel_ = &kernel;
  w.model_ = &model;
  w.names_ = &names;
  w.depot_ = &depot;
  w.options_ = options;
  for (const Error& e : model.problems()) w.problem(e);
  DwarfTypes& dwarf = kernel.dwarf();
  constexpr std::string_view hint = "mm/page_owner.c";

  auto inited = kernel.variable("page_owner_inited", hint);
  if (!inited)
    return not_found("this kernel has no page_owner (CONFIG_PAGE_OWNER is off: no page_owner_inited in " +
                     kernel.vmlinux_path() + ")");
  if (!model.has_page_ext()) return not_found("this kernel has no page_ext (mem_section has no page_ext member)");
  // DEFINE_STATIC_KEY_FALSE: struct static_key_false { struct static_key key; }, key.enabled an atomic_t.
  uint64_t enabled_off = 0;
  if (auto key = dwarf.layout("struct static_key", "kernel/jump_label.c"))
    if (auto m = (*key)->member("enabled")) enabled_off = m->offset;
  RAMSIFT_TRY(uint32_t enabled, kernel.read_u32(inited->address + enabled_off));
  if (enabled == 0)
    return not_found(
        "page_owner was not enabled in this kernel: boot it with page_owner=on (page_owner_inited is off)");

  RAMSIFT_TRY(auto ops, dwarf.layout("struct page_ext_operations", "mm/page_ext.c"));
  RAMSIFT_TRY(Member ops_offset, ops->require("offset"));
  RAMSIFT_TRY(VirtAddr ops_at, kernel.require_symbol("page_owner_ops"));
  RAMSIFT_TRY(w.owner_offset_, kernel.read_u64(ops_at + ops_offset.offset));
  if (auto bit = dwarf.enumerator("PAGE_EXT_OWNER", "mm/page_owner.c")) w.ext_owner_bit_ = static_cast<uint64_t>(*bit);
  if (auto bit = dwarf.enumerator("PAGE_EXT_OWNER_ALLOCATED", "mm/page_owner.c"))
    w.ext_allocated_bit_ = static_cast<uint64_t>(*bit);
  else
    return not_found("no PAGE_EXT_OWNER_ALLOCATED in this kernel's DWARF (kernels before 5.4 are not supported)");

  RAMSIFT_TRY(auto po, dwarf.layout("struct page_owner", hint));
  PageOwnerLayout& l = w.layout_;
  l.size = po->size;
  RAMSIFT_TRY(Member order, po->require("order"));
  RAMSIFT_TRY(Member reason, po->require("last_migrate_reason"));
  RAMSIFT_TRY(Member gfp, po->require("gfp_mask"));
  RAMSIFT_TRY(Member handle, po->require("handle"));
  l.order = order.offset;
  l.last_migrate_reason = reason.offset;
  l.gfp_mask = gfp.offset;
  l.handle = handle.offset;
  l.free_handle = offset_of(*po, "free_handle").value_or(handle.offset);
  l.ts_nsec = offset_of(*po, "ts_nsec");
  l.free_ts_nsec = offset_of(*po, "free_ts_nsec");
  l.comm = offset_of(*po, "comm");
  if (auto c = po->member("comm")) l.comm_size = c->type.size ? c->type.size : 16;
  l.pid = offset_of(*po, "pid");
  l.tgid = offset_of(*po, "tgid");
  l.free_pid = offset_of(*po, "free_pid");
  l.free_tgid = offset_of(*po, "free_tgid");
  if (w.owner_offset_ + l.size > model.page_ext_size())
    return corrupt("page_owner_ops.offset " + std::to_string(w.owner_offset_) + " + sizeof(struct page_owner) " +
                   std::to_string(l.size) + " exceeds page_ext_size " + std::to_string(model.page_ext_size()));

  // Line 1 by evidence (struct page_owner's members); the PFN radix by the
  // format string print_page_owner() was built with (the vmlinux's .rodata),
  // by version only when the file has no .rodata to look in.
  w.format_ = PageOwnerTextFormat{};
  const VmlinuxElf& elf = kernel.elf();
  if (elf.section_contains(".rodata", "PFN 0x%lx type %s Block %lu type %s") == true)
    w.format_.pfn_hex = true;
  else if (elf.section_contains(".rodata", "PFN %lu type %s Block %lu type %s") == true)
    w.format_.pfn_hex = false;
  else
    w.format_.pfn_hex = version_says(kernel, VersionFact::PageOwnerPfnHex);
  if (l.free_pid)  // free_pid/free_tgid came with dropping free_ts from the output (v6.8)
    w.format_.line1 = PageOwnerLine1::Tgid;
  else if (l.tgid)
    w.format_.line1 = PageOwnerLine1::TgidFreeTs;
  else if (l.pid)
    w.format_.line1 = PageOwnerLine1::PidFreeTs;
  else
    w.format_.line1 = PageOwnerLine1::Order;
  // Each wording prints these members; one missing would be printed as 0 on
  // every record (a DWARF that lost it, or a backport of half a change):
  // refused, naming it, rather than a wrong field.
  {
    std::vector<std::pair<const char*, const std::optional<uint64_t>*>> needed;
    switch (w.format_.line1) {
      case PageOwnerLine1::Tgid:
        needed = {{"pid", &l.pid},         {"tgid", &l.tgid},         {"comm", &l.comm},
                  {"ts_nsec", &l.ts_nsec}, {"free_pid", &l.free_pid}, {"free_tgid", &l.free_tgid}};
        break;
      case PageOwnerLine1::TgidFreeTs:
        needed = {{"pid", &l.pid},
                  {"tgid", &l.tgid},
                  {"comm", &l.comm},
                  {"ts_nsec", &l.ts_nsec},
                  {"free_ts_nsec", &l.free_ts_nsec}};
        break;
      case PageOwnerLine1::PidFreeTs:
        needed = {{"pid", &l.pid}, {"ts_nsec", &l.ts_nsec}, {"free_ts_nsec", &l.free_ts_nsec}};
        break;
      case PageOwnerLine1::Order: break;
    }
    // free_pid and free_tgid came in one commit, which also changed line 1:
    // one without the other would choose the wrong wording.
    if (l.free_pid.has_value() != l.free_tgid.has_value())
      needed.push_back(l.free_pid ? std::pair{"free_tgid", &l.free_tgid} : std::pair{"free_pid", &l.free_pid});
    std::string missing;
    for (const auto& [name, at] : needed)
      if (!*at && (", " + missing + ", ").find(std::string(", ") + name + ", ") == std::string::npos)
        missing += std::string(missing.empty() ? "" : ", ") + name;
    if (!missing.empty())
      return not_implemented("struct page_owner in " + kernel.vmlinux_path() + " has no " + missing +
                             " but has the members that come with it: no kernel's page_owner prints records " +
                             "that way, so none is printed (a vmlinux whose DWARF lost members, or a partial " +
                             "backport?)");
  }

  // memcg: CONFIG_MEMCG gives struct page a memcg_data member; the kernel
  // prints it from 5.19 on (before, memcg_data and no such line: 5.11-5.18).
  const auto charged = elf.section_contains(".rodata", "Charged %sto %smemcg %s");
  const bool prints_memcg = charged ? *charged : version_says(kernel, VersionFact::PageOwnerMemcg);
  if (model.page_layout().memcg_data && prints_memcg) {
    Memcg& m = w.memcg_;
    auto memcg = dwarf.layout("struct mem_cgroup", "mm/memcontrol.c");
    auto css = dwarf.layout("struct cgroup_subsys_state", "kernel/cgroup/cgroup.c");
    auto cgroup = dwarf.layout("struct cgroup", "kernel/cgroup/cgroup.c");
    auto kn = dwarf.layout("struct kernfs_node", "fs/kernfs/dir.c");
    auto objcg = dwarf.layout("struct obj_cgroup", "mm/memcontrol.c");
    if (memcg && css && cgroup && kn && objcg) {
      auto css_in_memcg = (*memcg)->member("css");
      auto flags = (*css)->member("flags");
      auto cg = (*css)->member("cgroup");
      auto cg_kn = (*cgroup)->member("kn");
      auto parent = (*kn)->member("parent");
      if (!parent) parent = (*kn)->member("__parent");
      auto name = (*kn)->member("name");
      auto objcg_memcg = (*objcg)->member("memcg");
      if (css_in_memcg && flags && cg && cg_kn && parent && name && objcg_memcg) {
        m.enabled = true;
        m.css_flags = css_in_memcg->offset + flags->offset;
        m.css_cgroup = css_in_memcg->offset + cg->offset;
        m.cgroup_kn = cg_kn->offset;
        m.kn_parent = parent->offset;
        m.kn_name = name->offset;
        m.objcg_memcg = objcg_memcg->offset;
        if (auto online = dwarf.enumerator("CSS_ONLINE", "kernel/cgroup/cgroup.c"))
          m.css_online = static_cast<uint64_t>(*online);
        // MEMCG_DATA_OBJEXTS replaced MEMCG_DATA_OBJCGS in Linux kernel commit
        // 21c690a349ba ("mm: introduce slabobj_ext to support slab object extensions") (in v6.10).
        // (mm/memcontrol.c uses the flags of whichever enum its kernel has.)
        if (auto nr = dwarf.enumerator("__NR_OBJEXTS_FLAGS", "mm/memcontrol.c", DwarfTypes::Scope::HintedUnits)) {
          m.objexts = true;
          // How print_page_owner_memcg() finds the memcg: Debian's 6.12.118
          // casts every memcg_data to an obj_cgroup (its local `objcg`);
          // 6.19's asks page_memcg_check() (a memcg, an objcg only with
          // MEMCG_DATA_KMEM) and has no such local. The function's DWARF
          // tells; without it, the 6.12 way.
          auto objcg_local = dwarf.function_has_local("print_page_owner_memcg", "objcg", "mm/page_owner.c");
          m.all_objcg = !objcg_local || *objcg_local;
          m.flags_mask = static_cast<uint64_t>(*nr) - 1;
        } else if (auto nr2 = dwarf.enumerator("__NR_MEMCG_DATA_FLAGS", "mm/memcontrol.c")) {
          m.flags_mask = static_cast<uint64_t>(*nr2) - 1;
        }
      }
    }
    if (!m.enabled) w.problem(not_found("memcg layout not found in DWARF: no \"Charged ...\" lines"));
  }

  // Records whose block overlaps [first_pfn, end_pfn): a block that starts
  // before first_pfn is found by starting at its max-order block's head.
  w.pfn_ = options.first_pfn ? options.first_pfn & ~(model.max_order_nr_pages() - 1) : model.min_low_pfn();
  if (w.pfn_ < model.min_low_pfn()) w.pfn_ = model.min_low_pfn();
  w.end_ = std::min(options.end_pfn.value_or(model.max_pfn()), model.max_pfn());
  w.begin_ = w.pfn_;
  w.page_buf_.resize(model.page_layout().size);
  w.ext_buf_.resize(model.page_ext_size());
  return w;
}

void PageOwnerWalker::memcg_lines(std::span<const std::byte> page, PageOwnerRecord& record) {
  const Memcg& m = memcg_;
  if (!m.enabled) return;
  StructFields pg(page);
  uint64_t data = pg.get<uint64_t>(*model_->page_layout().memcg_data);
  if (pg.short_reads()) {
    problem(corrupt("struct page memcg_data lies past the struct's " + std::to_string(page.size()) + " bytes"));
    return;
  }
  if (!data) return;
  // A dump has few distinct memcg_data values: each is resolved once (its
  // error, if any, said again for every page that holds it, as before).
  auto it = memcg_by_data_.find(data);
  if (it == memcg_by_data_.end()) {
    if (memcg_by_data_.size() >= kMaxCachedTexts) memcg_by_data_.clear();
    it = memcg_by_data_.emplace(data, resolve_memcg(data)).first;
  }
  const MemcgOf& of = it->second;
  if (of.error) {
    problem(Error(*of.error).with_context("pfn " + hex(record.pfn)));
    return;
  }
  record.slab_cache_page = of.slab;
  if (of.charge) record.memcg = *of.charge;
}

PageOwnerWalker::MemcgOf PageOwnerWalker::resolve_memcg(uint64_t data) const {
  const Memcg& m = memcg_;
  MemcgOf of;
  constexpr uint64_t kObjcgsOrObjexts = 1, kKmem = 2;
  uint64_t memcg = 0;
  if (m.all_objcg) {
    // 6.10-6.12: print_page_owner_memcg() treats every other value as an obj_cgroup.
    if (data & kObjcgsOrObjexts) {
      of.slab = true;
      return of;
    }
    uint64_t objcg = data & ~m.flags_mask;
    if (!objcg) return of;
    auto v = kernel_->read_u64(VirtAddr(objcg + m.objcg_memcg));
    if (!v) {
      of.error = std::move(v).error().with_context("memcg_data " + hex(data));
      return of;
    }
    memcg = *v;
  } else {
    if (data & kObjcgsOrObjexts) {
      of.slab = true;
      return of;  // page_memcg_check() gives NULL for slab pages
    }
    if (data & kKmem) {
      auto v = kernel_->read_u64(VirtAddr((data & ~m.flags_mask) + m.objcg_memcg));
      if (!v) {
        of.error = std::move(v).error().with_context("memcg_data " + hex(data));
        return of;
      }
      memcg = *v;
    } else {
      memcg = data & ~m.flags_mask;
    }
  }
  if (!memcg) return of;
  auto flags = kernel_->read_u32(VirtAddr(memcg + m.css_flags));
  auto cgroup = kernel_->read_u64(VirtAddr(memcg + m.css_cgroup));
  if (!flags || !cgroup) {
    of.error = corrupt("memcg " + hex(memcg) + " unreadable");
    return of;
  }
  MemcgCharge charge;
  charge.via_objcg = (data & kKmem) != 0;
  charge.online = (*flags & m.css_online) != 0;
  // cgroup_name() -> kernfs_name(): "(null)" without a node, "/" for the root.
  auto kn = kernel_->read_u64(VirtAddr(*cgroup + m.cgroup_kn));
  if (!kn) {
    of.error = std::move(kn).error().with_context("cgroup");
    return of;
  }
  if (!*kn) {
    charge.name = "(null)";
  } else {
    auto parent = kernel_->read_u64(VirtAddr(*kn + m.kn_parent));
    auto name_ptr = kernel_->read_u64(VirtAddr(*kn + m.kn_name));
    if (!parent || !name_ptr) {
      of.error = corrupt("kernfs node " + hex(*kn) + " unreadable");
      return of;
    }
    if (!*parent) {
      charge.name = "/";
    } else {
      auto name = kernel_->read_string(VirtAddr(*name_ptr), kCgroupNameLen - 1);
      if (!name) {
        of.error = std::move(name).error().with_context("cgroup name");
        return of;
      }
      charge.name = std::move(*name);
    }
  }
  of.charge = std::move(charge);
  return of;
}

Result<bool> PageOwnerWalker::fill(uint64_t pfn, std::span<const std::byte> page, std::span<const std::byte> owner,
                                   PageOwnerRecord& r, PageOwnerFrames& frames, bool allocated) {
  const PageOwnerLayout& l = layout_;
  StructFields o(owner), pg(page);
  // Every field set again; the strings keep their storage (a reused record
  // allocates nothing for them once warm).
  r.pfn = pfn;
  r.order = o.get<uint16_t>(l.order);
  r.gfp_mask = o.get<uint32_t>(l.gfp_mask);
  r.gfp_flags = cached_text(gfp_texts_, r.gfp_mask, [&] { return names_->gfp_text(r.gfp_mask); });
  r.pid = l.pid ? std::optional<int32_t>(o.get<int32_t>(*l.pid)) : std::nullopt;
  r.tgid = l.tgid ? std::optional<int32_t>(o.get<int32_t>(*l.tgid)) : std::nullopt;
  if (l.comm)
    o.cstring_into(*l.comm, l.comm_size, r.comm);
  else
    r.comm.clear();
  r.ts_nsec = l.ts_nsec ? std::optional<uint64_t>(o.get<uint64_t>(*l.ts_nsec)) : std::nullopt;
  r.free_ts_nsec = l.free_ts_nsec ? std::optional<uint64_t>(o.get<uint64_t>(*l.free_ts_nsec)) : std::nullopt;
  unsigned page_mt =
      names_->mobility_disabled() ? 0 : (r.gfp_mask & names_->gfp_movable_mask()) >> names_->gfp_movable_shift();
  r.page_migratetype = names_->migratetype(page_mt);
  r.pageblock = pfn >> model_->pageblock_order();
  auto block_mt = model_->pageblock_migratetype(pfn);
  if (!block_mt) return std::move(block_mt).error().with_context("pfn " + hex(pfn) + ": pageblock flags");
  r.pageblock_migratetype = names_->migratetype(*block_mt);
  r.page_flags = pg.get<uint64_t>(model_->page_layout().flags);
  r.page_flags_text = cached_text(page_flags_texts_, r.page_flags, [&] {
    // page_flags_text holds what is inside the parentheses (page_owner.h).
    std::string text = names_->page_flags_text(r.page_flags);
    if (auto open = text.find('('); open != std::string::npos) text = text.substr(open + 1, text.size() - open - 2);
    return text;
  });
  int16_t reason = o.get<int16_t>(l.last_migrate_reason);
  if (reason != -1)
    r.last_migrate_reason = names_->migrate_reason(static_cast<uint16_t>(reason));
  else
    r.last_migrate_reason.reset();
  r.stack_handle.reset();
  r.free_stack_handle.reset();
  r.free_pid.reset();
  r.free_tgid.reset();
  r.slab_cache_page = false;
  r.memcg.reset();
  uint32_t handle = o.get<uint32_t>(l.handle);
  r.stack_handle = handle;
  auto stack = depot_->fetch(handle);
  if (!stack) {
    ++stats_.bad_handles;
    problem(std::move(stack).error().with_context("pfn " + hex(pfn)));
    frames.alloc = {};
  } else {
    frames.alloc = *stack;
  }
  frames.free = {};
  if (options_.freed || !allocated) {
    uint32_t free_handle = o.get<uint32_t>(l.free_handle);
    if (free_handle) {
      r.free_stack_handle = free_handle;
      if (auto fs = depot_->fetch(free_handle)) frames.free = *fs;
    }
    if (l.free_pid) r.free_pid = o.get<int32_t>(*l.free_pid);
    if (l.free_tgid) r.free_tgid = o.get<int32_t>(*l.free_tgid);
  }
  r.freed = !allocated;
  if (o.short_reads() || pg.short_reads())
    return corrupt("pfn " + hex(pfn) + ": " + std::to_string(o.short_reads() + pg.short_reads()) +
                   " fields lie past the struct page_owner (" + std::to_string(owner.size()) +
                   " bytes) or struct page (" + std::to_string(page.size()) + " bytes) read: the layout does not fit");
  memcg_lines(page, r);
  return true;
}

bool PageOwnerWalker::next(PageOwnerRecord& record, PageOwnerFrames& frames) {
  const Kernel& k = *kernel_;
  const uint64_t block = model_->max_order_nr_pages();
  const PageLayout& pl = model_->page_layout();
  uint64_t pfn = pfn_;
  // The prologue of every read(): find a valid pfn or the start of a block.
  while (pfn < end_ && !model_->pfn_valid(pfn) && (pfn & (block - 1)) != 0) ++pfn;
  for (; pfn < end_; ++pfn) {
    if ((pfn & (block - 1)) == 0 && !model_->pfn_valid(pfn)) {
      pfn += block - 1;
      continue;
    }
    ++stats_.pfns_visited;
    auto page_at = model_->page_address(pfn);
    Status read = page_at ? k.read(*page_at, page_buf_) : Status(page_at.error());
    if (!read) {
      ++stats_.unreadable_pages;
      problem(std::move(read).error().with_context("pfn " + hex(pfn) + ": struct page"));
      continue;
    }
    StructFields pb(page_buf_);
    if (!options_.freed && model_->is_buddy(pb.get<uint32_t>(pl.mapcount))) {
      uint64_t order = pb.get<uint64_t>(pl.private_);
      if (order < model_->nr_orders()) pfn += (uint64_t{1} << order) - 1;
      continue;
    }
    auto ext = model_->page_ext_address(pfn);
    if (!ext) {
      ++stats_.unreadable_page_ext;
      problem(std::move(ext).error().with_context("pfn " + hex(pfn) + ": page_ext"));
      continue;
    }
    if (!*ext) {
      // page_owner=on: page_ext_init() gave every present section its
      // page_ext (a failed allocation panics), so a NULL one is damage.
      if (auto s = model_->section_of_pfn(pfn); s && !s->page_ext.value()) {
        const uint64_t section_pfns = model_->pages_per_section();
        problem(corrupt("pfn " + hex(pfn) + ": its mem_section has no page_ext (NULL); the section's " +
                        std::to_string(section_pfns) + " pfns are left out"));
        pfn = (pfn | (section_pfns - 1));
      }
      continue;
    }
    if (Status read_ext = k.read(**ext, ext_buf_); !read_ext) {
      ++stats_.unreadable_page_ext;
      problem(std::move(read_ext).error().with_context("pfn " + hex(pfn) + ": page_ext entry"));
      continue;
    }
    uint64_t flags = StructFields(ext_buf_).get<uint64_t>(0);
    if (!((flags >> ext_owner_bit_) & 1)) continue;
    bool allocated = (flags >> ext_allocated_bit_) & 1;
    if (!allocated && !options_.freed) continue;
    std::span<const std::byte> owner(ext_buf_.data() + owner_offset_, layout_.size);
    StructFields ob(owner);
    unsigned order = ob.get<uint16_t>(layout_.order);
    uint32_t handle = ob.get<uint32_t>(layout_.handle);
    if (pb.short_reads() || ob.short_reads()) {
      problem(corrupt("pfn " + hex(pfn) + ": struct page or page_owner fields lie past the bytes read"));
      continue;
    }
    if (order >= 64 || (pfn & ((uint64_t{1} << order) - 1)) != 0) continue;
    if (!handle && allocated) continue;
    if (pfn + (uint64_t{1} << order) <= options_.first_pfn) continue;  // ends before the range
    pfn_ = pfn + 1;
    auto ok = fill(pfn, page_buf_, owner, record, frames, allocated);
    if (!ok) {
      problem(std::move(ok).error());
      continue;
    }
    ++stats_.records;
    stats_.pages += record.pages();
    return true;
  }
  pfn_ = pfn;
  return false;
}

PageOwnerWalker PageOwnerWalker::part(uint64_t first, uint64_t end) const {
  PageOwnerWalker p = *this;
  p.pfn_ = p.begin_ = std::max(first, begin_);
  p.end_ = std::min(end, end_);
  p.stats_ = {};
  p.problems_.clear();
  return p;
}

void PageOwnerWalker::absorb(const PageOwnerWalker& part) {
  const PageOwnerWalkStats& s = part.stats_;
  stats_.pfns_visited += s.pfns_visited;
  stats_.records += s.records;
  stats_.pages += s.pages;
  stats_.unreadable_pages += s.unreadable_pages;
  stats_.unreadable_page_ext += s.unreadable_page_ext;
  stats_.bad_handles += s.bad_handles;
  stats_.problems += s.problems;
  for (const Error& e : part.problems_) {
    if (problems_.size() >= kMaxProblems) break;
    problems_.push_back(e);
  }
  pfn_ = std::max(pfn_, part.pfn_);
}

Result<std::optional<PageOwnerWalker::PageOwnerState>> PageOwnerWalker::read_one(uint64_t pfn, PageOwnerRecord& record,
                                                                                 PageOwnerFrames& frames) {
  RAMSIFT_TRY(VirtAddr page_at, model_->page_address(pfn));
  RAMSIFT_TRY_STATUS(kernel_->read(page_at, page_buf_));
  RAMSIFT_TRY(auto ext, model_->page_ext_address(pfn));
  if (!ext) return std::optional<PageOwnerState>();
  RAMSIFT_TRY_STATUS(kernel_->read(*ext, ext_buf_));
  PageOwnerState state;
  state.ext_flags = StructFields(ext_buf_).get<uint64_t>(0);
  state.owner = (state.ext_flags >> ext_owner_bit_) & 1;
  state.allocated = (state.ext_flags >> ext_allocated_bit_) & 1;
  if (!state.owner) return std::optional<PageOwnerState>(state);
  std::span<const std::byte> owner(ext_buf_.data() + owner_offset_, layout_.size);
  bool saved = options_.freed;
  options_.freed = true;  // always the free side too
  auto ok = fill(pfn, page_buf_, owner, record, frames, state.allocated);
  options_.freed = saved;
  if (!ok) return std::move(ok).error();
  return std::optional<PageOwnerState>(state);
}

}  // namespace ramsift
