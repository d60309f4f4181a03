// Category rules: the format, its errors (file and line), the matching
// order, the built-in sets, and that "generic" is what classify.cc did.
#include "ramsift/analysis/categories.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "ramsift/analysis/classify.h"

using namespace ramsift;

namespace {

CategoryRules parse(const std::string& text) {
  auto r = CategoryRules::parse(text, "test.rules");
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
  return std::move(*r);
}

std::string parse_error(const std::string& text) {
  auto r = CategoryRules::parse(text, "test.rules");
  REQUIRE_FALSE(r);
  return r.error().to_string();
}

using Stack = std::vector<std::string>;

}  // namespace

TEST_CASE("analysis: categories: glob patterns") {
  CHECK(glob_match("kmem_cache_alloc*", "kmem_cache_alloc"));
  CHECK(glob_match("kmem_cache_alloc*", "kmem_cache_alloc_noprof"));
  CHECK_FALSE(glob_match("kmem_cache_alloc*", "__kmem_cache_alloc"));
  CHECK(glob_match("*heap*", "system_heap_allocate"));
  CHECK(glob_match("v4l2_?octl", "v4l2_ioctl"));
  CHECK_FALSE(glob_match("v4l2_ioctl", "v4l2_ioctl_ops"));
  CHECK(glob_match("a*b*c", "aXXbYYbc"));
  CHECK_FALSE(glob_match("a*b*c", "aXXbYYb"));
  CHECK(glob_match("*", ""));
  CHECK_FALSE(glob_match("?", ""));
}

TEST_CASE("analysis: categories: the innermost matching frame decides, file order breaks ties") {
  CategoryRules rules = parse(
      "# comment line\n"
      "\n"
      "slab    kmem_cache_alloc*   # trailing comment\n"
      "gpu     kgsl_*\n"
      "anon    handle_mm_fault do_page_fault\n"
      "early   kgsl_ioctl\n");  // kgsl_ioctl also matches gpu, which comes first
  // slab is nearer the allocator than the ioctl
  CHECK(rules.classify(Stack{"post_alloc_hook+0x1/0x2", "kmem_cache_alloc+0x1/0x2", "kgsl_ioctl+0x1/0x2"}, "") ==
        "slab");
  // a user page faulted in during an ioctl is the process's, not the driver's
  CHECK(rules.classify(Stack{"handle_mm_fault+0x1/0x2", "do_page_fault+0x1/0x2", "kgsl_ioctl+0x1/0x2"}, "") == "anon");
  CHECK(rules.classify(Stack{"alloc_pages+0x1/0x2", "kgsl_ioctl+0x1/0x2 [msm_kgsl]"}, "") == "gpu");
  CHECK(rules.classify(Stack{"alloc_pages+0x1/0x2"}, "") == "other");
  CHECK(rules.classify(Stack{}, "") == "other");
  CHECK(std::vector<std::string_view>(rules.names().begin(), rules.names().end()) ==
        std::vector<std::string_view>{"slab", "gpu", "anon", "early", "other"});
}

TEST_CASE("analysis: categories: comm= patterns restrict a rule, comm-only rules are the fallback") {
  CategoryRules rules = parse(
      "camera  v4l2_ioctl comm=*camera* comm=vendor.qti.camera*\n"
      "video   v4l2_ioctl\n"
      "surfaceflinger comm=surfaceflinger\n");
  Stack v4l2 = {"alloc_pages+0x1/0x2", "v4l2_ioctl+0x1/0x2"};
  CHECK(rules.classify(v4l2, "cameraserver") == "camera");
  CHECK(rules.classify(v4l2, "vendor.qti.camera.provider") == "camera");
  CHECK(rules.classify(v4l2, "mediaserver") == "video");
  CHECK(rules.classify(Stack{"alloc_pages+0x1/0x2"}, "surfaceflinger") == "surfaceflinger");
  CHECK(rules.classify(v4l2, "surfaceflinger") == "video");  // a frame match wins over the fallback
  CHECK(rules.classify(Stack{"alloc_pages+0x1/0x2"}, "init") == "other");
}

TEST_CASE("analysis: categories: bad rules files name the file and line") {
  CHECK(parse_error("slab kmem*\nbinder\n") == "test.rules: line 2: category \"binder\" has no patterns");
  CHECK(parse_error("# x\n\nsl@b kmem*\n") ==
        "test.rules: line 3: bad category name \"sl@b\" (letters, digits, - _ . only)");
  CHECK(parse_error("gpu kgsl_* proc=x\n") == "test.rules: line 1: unknown qualifier \"proc=\" (only comm=)");
  CHECK(parse_error("gpu comm=\n") == "test.rules: line 1: empty comm= pattern");
  CHECK(parse_error("other foo\n") == "test.rules: line 1: \"other\" is what nothing matched; it cannot have rules");
  CHECK(parse_error("# only comments\n\n") == "test.rules: no rules (every line is blank or a comment)");
}

TEST_CASE("analysis: categories: load() reads files, knows the built-in sets, names what it cannot read") {
  std::vector<std::string_view> names = CategoryRules::builtin_names();
  CHECK(std::find(names.begin(), names.end(), "generic") != names.end());
  CHECK(std::find(names.begin(), names.end(), "android") != names.end());
  auto missing = CategoryRules::load("/nonexistent/dir/my.rules");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().to_string().starts_with("/nonexistent/dir/my.rules: "));
  auto unknown = CategoryRules::load("no-such-set");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().to_string().find("(android, generic)") != std::string::npos);

  std::string path = "/tmp/ramsift-categories-" + std::to_string(getpid()) + ".rules";
  {
    std::ofstream out(path);
    out << "mine my_alloc*\nbroken\n";
  }
  auto bad = CategoryRules::load(path);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().to_string() == path + ": line 2: category \"broken\" has no patterns");
  {
    std::ofstream out(path);
    out << "mine my_alloc*\n";
  }
  auto good = CategoryRules::load(path);
  REQUIRE(good);
  CHECK(good->classify(Stack{"my_alloc_pages+0x1/0x2"}, "") == "mine");
  CHECK(good->origin() == path);
  std::remove(path.c_str());
}

TEST_CASE("analysis: categories: the android set knows Android's drivers and keeps generic's mechanisms") {
  auto loaded = CategoryRules::load("android");
  REQUIRE(loaded);
  const CategoryRules& a = *loaded;
  auto under = [&](std::string_view caller) {
    return std::string(a.classify(Stack{"post_alloc_hook+0x1/0x2", "__alloc_pages+0x1/0x2",
                                        std::string(caller) + "+0x10/0x40", "__arm64_sys_ioctl+0x1/0x2"},
                                  "app"));
  };
  CHECK(under("dma_heap_ioctl") == "dma-buf");
  CHECK(under("system_heap_allocate") == "dma-buf");
  CHECK(under("kgsl_ioctl") == "gpu");
  CHECK(under("v4l2_ioctl") == "camera-video");
  CHECK(under("__video_do_ioctl") == "camera-video");
  CHECK(under("binder_ioctl") == "binder");
  CHECK(under("fastrpc_device_ioctl") == "fastrpc");
  CHECK(under("ashmem_ioctl") == "ashmem");
  CHECK(under("__arm64_sys_clone") == "process-creation");
  CHECK(under("do_page_fault") == "anon");
  CHECK(under("handle_mm_fault") == "anon");
  CHECK(under("vfs_read") == "file-io");
  CHECK(under("vfs_write") == "file-io");
  CHECK(under("allocate_slab") == "slab");
  CHECK(under("__vmalloc_node_range") == "vmalloc");
  CHECK(under("filemap_read") == "page-cache");
  // the mechanism nearer the allocator wins over the driver that led to it
  CHECK(a.classify(Stack{"post_alloc_hook+0x1/0x2", "allocate_slab+0x1/0x2", "kmem_cache_alloc+0x1/0x2",
                         "binder_transaction+0x1/0x2", "binder_ioctl+0x1/0x2"},
                   "") == "slab");
  // a read that fills the page cache is page cache, not "file-io"
  CHECK(a.classify(
            Stack{"folio_alloc+0x1/0x2", "page_cache_ra_unbounded+0x1/0x2", "filemap_read+0x1/0x2", "vfs_read+0x1/0x2"},
            "") == "page-cache");
  // a pipe write is file-io
  CHECK(a.classify(Stack{"alloc_pages+0x1/0x2", "pipe_write+0x1/0x2", "vfs_write+0x1/0x2"}, "") == "file-io");
}

TEST_CASE("analysis: categories: generic is classify.cc's table: same category for each probe stack") {
  // One stack per prefix of the table classify.cc had before the rules
  // files (docs/top.md lists it), with "_noprof" or "_node" appended where
  // the prefix matching mattered.
  struct Probe {
    const char* function;
    const char* category;
  };
  const Probe probes[] = {
      {"allocate_slab", "slab"},
      {"kmem_cache_alloc_noprof", "slab"},
      {"__kmalloc_node", "slab"},
      {"cache_grow_begin", "slab"},
      {"vm_area_alloc_pages", "vmalloc"},
      {"vzalloc", "vmalloc"},
      {"kvmalloc_node_noprof", "vmalloc"},
      {"__pte_alloc", "page-table"},
      {"pgd_alloc", "page-table"},
      {"zs_malloc", "zram"},
      {"zram_write_page", "zram"},
      {"system_heap_do_allocate", "dma-buf"},
      {"ion_alloc", "dma-buf"},
      {"ttm_pool_alloc", "gpu"},
      {"panfrost_gem_create", "gpu"},
      {"dma_direct_alloc", "dma"},
      {"cma_alloc", "cma"},
      {"alloc_fresh_hugetlb_folio", "hugetlb"},
      {"page_pool_alloc_pages", "network"},
      {"__napi_alloc_skb", "network"},
      {"alloc_thread_stack_node", "kernel-stack"},
      {"shmem_alloc_folio", "shmem"},
      {"filemap_fault", "page-cache"},
      {"page_cache_ra_order", "page-cache"},
      {"do_anonymous_page", "anon"},
      {"do_user_addr_fault", "anon"},
      {"do_mem_abort", "anon"},
      {"copy_process", "other"},
  };
  for (const Probe& p : probes) {
    CAPTURE(p.function);
    CHECK(category_of(Stack{"post_alloc_hook+0x1/0x2", std::string(p.function) + "+0x1/0x2"}) == p.category);
  }
  std::span<const std::string_view> names = category_names();
  CHECK(std::vector<std::string_view>(names.begin(), names.end()) ==
        std::vector<std::string_view>{"slab", "vmalloc", "page-table", "zram", "dma-buf", "gpu", "dma", "cma",
                                      "hugetlb", "network", "kernel-stack", "shmem", "page-cache", "anon", "other"});
}
