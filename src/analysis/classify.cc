#include "ramsift/analysis/classify.h"

#include <array>
#include <string>
#include <unordered_map>

namespace ramsift {

std::string_view frame_function(std::string_view frame) {
  size_t plus = frame.find('+');
  if (plus != std::string_view::npos) return frame.substr(0, plus);
  size_t space = frame.find(' ');
  return space == std::string_view::npos ? frame : frame.substr(0, space);
}

std::string_view frame_module(std::string_view frame) {
  // %pS appends " [modname]" for a module symbol (and nothing else ends in ']').
  if (frame.empty() || frame.back() != ']') return {};
  size_t open = frame.rfind(" [");
  if (open == std::string_view::npos) return {};
  return frame.substr(open + 2, frame.size() - open - 3);
}

std::string_view module_of(std::span<const std::string> stack) {
  for (const std::string& frame : stack) {
    std::string_view m = frame_module(frame);
    if (!m.empty()) return m;
  }
  return "vmlinux";
}

namespace {

struct CategoryRule {
  std::string_view category;
  std::string_view function_prefix;  // matches "prefix", "prefix_noprof", "prefix_node", ...
};

// Scanned innermost frame first; the first frame that matches any row wins, so
// the mechanism (slab, vmalloc, page table) is found before the use (a
// fault, a read) that led to it. Names carry the 6.10+ "_noprof" suffix of
// memory allocation profiling; matching by prefix covers both.
constexpr std::array kCategoryRules = {
    // slab pages: the allocator refilling a cache, or kmalloc_large's direct pages
    CategoryRule{"slab", "allocate_slab"}, CategoryRule{"slab", "new_slab"}, CategoryRule{"slab", "___slab_alloc"},
    CategoryRule{"slab", "__slab_alloc"}, CategoryRule{"slab", "kmem_cache_alloc"},
    CategoryRule{"slab", "kmalloc_large"}, CategoryRule{"slab", "__kmalloc"}, CategoryRule{"slab", "kmalloc_order"},
    CategoryRule{"slab", "cache_grow_begin"},  // SLAB (removed in 6.8)
    // vmalloc (also vmap'd kernel stacks, module text, BPF)
    CategoryRule{"vmalloc", "vm_area_alloc_pages"}, CategoryRule{"vmalloc", "__vmalloc_area_node"},
    CategoryRule{"vmalloc", "__vmalloc_node_range"}, CategoryRule{"vmalloc", "__vmalloc_node"},
    CategoryRule{"vmalloc", "vmalloc"}, CategoryRule{"vmalloc", "vzalloc"}, CategoryRule{"vmalloc", "kvmalloc"},
    // page tables
    CategoryRule{"page-table", "__pte_alloc"}, CategoryRule{"page-table", "pte_alloc_one"},
    CategoryRule{"page-table", "__pmd_alloc"}, CategoryRule{"page-table", "pmd_alloc_one"},
    CategoryRule{"page-table", "__pud_alloc"}, CategoryRule{"page-table", "pud_alloc_one"},
    CategoryRule{"page-table", "__p4d_alloc"}, CategoryRule{"page-table", "pgd_alloc"},
    CategoryRule{"page-table", "__pgd_alloc"},
    // compressed swap / zram
    CategoryRule{"zram", "alloc_zspage"}, CategoryRule{"zram", "zs_malloc"}, CategoryRule{"zram", "zram_"},
    CategoryRule{"zram", "zswap_"},
    // dma-buf heaps and ION
    CategoryRule{"dma-buf", "system_heap_"}, CategoryRule{"dma-buf", "alloc_largest_available"},
    CategoryRule{"dma-buf", "dma_heap_"}, CategoryRule{"dma-buf", "ion_"}, CategoryRule{"dma-buf", "dma_buf_"},
    // GPU drivers
    CategoryRule{"gpu", "ttm_pool_"}, CategoryRule{"gpu", "ttm_tt_"}, CategoryRule{"gpu", "drm_gem_"},
    CategoryRule{"gpu", "i915_"}, CategoryRule{"gpu", "amdgpu_"}, CategoryRule{"gpu", "nouveau_"},
    CategoryRule{"gpu", "kgsl_"}, CategoryRule{"gpu", "msm_gem_"}, CategoryRule{"gpu", "kbase_"},
    CategoryRule{"gpu", "panfrost_"},
    // DMA coherent memory, CMA
    CategoryRule{"dma", "dma_direct_alloc"}, CategoryRule{"dma", "__dma_direct_alloc_pages"},
    CategoryRule{"dma", "iommu_dma_alloc"}, CategoryRule{"dma", "dma_alloc_attrs"}, CategoryRule{"cma", "cma_alloc"},
    // huge pages
    CategoryRule{"hugetlb", "alloc_fresh_hugetlb"}, CategoryRule{"hugetlb", "alloc_buddy_hugetlb"},
    CategoryRule{"hugetlb", "alloc_surplus_hugetlb"}, CategoryRule{"hugetlb", "alloc_pool_huge"},
    // networking buffers
    CategoryRule{"network", "page_frag_alloc"}, CategoryRule{"network", "__page_frag_cache_refill"},
    CategoryRule{"network", "skb_page_frag_refill"}, CategoryRule{"network", "page_pool_"},
    CategoryRule{"network", "__netdev_alloc"}, CategoryRule{"network", "__napi_alloc"},
    // kernel stacks (when not vmap'd)
    CategoryRule{"kernel-stack", "alloc_thread_stack_node"},
    // shmem / tmpfs (before the page cache: shmem pages are not reclaimable the same way)
    CategoryRule{"shmem", "shmem_alloc"}, CategoryRule{"shmem", "shmem_get_folio"},
    CategoryRule{"shmem", "shmem_swapin"},
    // page cache
    CategoryRule{"page-cache", "filemap_alloc_folio"}, CategoryRule{"page-cache", "__filemap_get_folio"},
    CategoryRule{"page-cache", "__page_cache_alloc"}, CategoryRule{"page-cache", "page_cache_ra"},
    CategoryRule{"page-cache", "page_cache_async_ra"}, CategoryRule{"page-cache", "page_cache_sync_ra"},
    CategoryRule{"page-cache", "__do_page_cache_readahead"}, CategoryRule{"page-cache", "ondemand_readahead"},
    CategoryRule{"page-cache", "pagecache_get_page"}, CategoryRule{"page-cache", "grab_cache_page"},
    CategoryRule{"page-cache", "filemap_"},
    // anonymous memory: the fault paths that allocate for a process
    CategoryRule{"anon", "do_anonymous_page"}, CategoryRule{"anon", "do_huge_pmd_anonymous_page"},
    CategoryRule{"anon", "alloc_anon_folio"}, CategoryRule{"anon", "wp_page_copy"},
    CategoryRule{"anon", "do_cow_fault"}, CategoryRule{"anon", "do_swap_page"},
    CategoryRule{"anon", "__read_swap_cache_async"}, CategoryRule{"anon", "handle_mm_fault"},
    CategoryRule{"anon", "__handle_mm_fault"}, CategoryRule{"anon", "do_page_fault"},
    CategoryRule{"anon", "do_user_addr_fault"}, CategoryRule{"anon", "do_mem_abort"},  // arm64
};

constexpr std::array<std::string_view, 19> kCategoryNames = {
    "slab",    "vmalloc", "page-table",   "zram",  "dma-buf",    "gpu",  "dma",  "cma",
    "hugetlb", "network", "kernel-stack", "shmem", "page-cache", "anon", "other"};

}  // namespace

namespace {

// The rule index of a function name, or -1; memoised, since a dump has a few
// thousand distinct functions in millions of frames.
struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

int rule_of(std::string_view fn) {
  thread_local std::unordered_map<std::string, int, NameHash, std::equal_to<>> memo;
  auto it = memo.find(fn);
  if (it != memo.end()) return it->second;
  int found = -1;
  for (size_t i = 0; i < kCategoryRules.size() && found < 0; ++i)
    if (fn.starts_with(kCategoryRules[i].function_prefix)) found = static_cast<int>(i);
  memo.emplace(std::string(fn), found);
  return found;
}

}  // namespace

std::string_view category_of(std::span<const std::string> stack) {
  for (const std::string& frame : stack) {
    int rule = rule_of(frame_function(frame));
    if (rule >= 0) return kCategoryRules[static_cast<size_t>(rule)].category;
  }
  return "other";
}

std::span<const std::string_view> category_names() {
  size_t n = 0;
  while (n < kCategoryNames.size() && !kCategoryNames[n].empty()) ++n;
  return {kCategoryNames.data(), n};
}

int page_owner_sort_allocator(const PageOwnerRecord& r) {
  int allocator = 0;
  // strstr() over the PFN line: only the migratetype names and the flag
  // names can spell these (the numbers are digits and lowercase hex).
  auto pfn_line_has = [&](std::string_view s) {
    return r.page_migratetype.find(s) != std::string::npos || r.pageblock_migratetype.find(s) != std::string::npos ||
           r.page_flags_text.find(s) != std::string::npos;
  };
  if (pfn_line_has("CMA")) allocator |= kAllocatorCma;
  if (pfn_line_has("slab")) allocator |= kAllocatorSlab;
  for (size_t i = 0; i < r.stack.size(); ++i) {
    size_t at = r.stack[i].find("__vmalloc_node_range");
    if (at == std::string::npos) continue;
    // Only the first occurrence counts; "alloc_pages" must be on the line
    // before it, or earlier on its own line.
    bool before = (i > 0 && r.stack[i - 1].find("alloc_pages") != std::string::npos) ||
                  r.stack[i].substr(0, at).find("alloc_pages") != std::string::npos;
    if (before) allocator |= kAllocatorVmalloc;
    break;
  }
  return allocator == 0 ? kAllocatorOthers : allocator;
}

std::string page_owner_sort_allocator_text(int allocator) {
  std::string s;
  if (allocator & kAllocatorCma) s += "CMA ";
  if (allocator & kAllocatorSlab) s += "SLAB ";
  if (allocator & kAllocatorVmalloc) s += "VMALLOC ";
  if (allocator & kAllocatorOthers) s += "OTHERS ";
  return s;
}

}  // namespace ramsift
