#!/usr/bin/env python3
"""Writes the SYNTHETIC page_owner debugfs texts in this directory.

Nothing here was captured from a machine: the records are made up, in the
exact shape print_page_owner() (mm/page_owner.c) gives them in 6.1
(free_ts, decimal PFN) and 6.12 (no free_ts, hex PFN). Real captures come
from the fixture pipeline under $RAMSIFT_FIXTURES.

    python3 tests/data/page_owner/make_samples.py   # rewrites the *.txt files

The mix is chosen for the tests: stacks shared by several tasks, module and
bare-address frames, migration and memcg lines, CMA and slab pages, a vmalloc
stack page_owner_sort recognises, comms with spaces and parentheses, equal
timestamps, and (6.1) runs of identical consecutive records.
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))

ALLOC = [
    " post_alloc_hook+0x1d8/0x200",
    " get_page_from_freelist+0x3a5/0x1330",
    " __alloc_pages_noprof+0x1a2/0x350",
    " alloc_pages_mpol_noprof+0xdc/0x1f0",
]

STACKS = {
    "anon": ALLOC + [
        " vma_alloc_folio_noprof+0x6c/0xd0",
        " alloc_anon_folio+0x1d5/0x2c0",
        " do_anonymous_page+0xa1/0x7a0",
        " __handle_mm_fault+0x8c3/0xe50",
        " handle_mm_fault+0x16e/0x2f0",
        " do_user_addr_fault+0x2b2/0x650",
        " exc_page_fault+0x7c/0x190",
        " asm_exc_page_fault+0x26/0x30",
    ],
    "pagecache": ALLOC + [
        " folio_alloc_noprof+0x1e/0x60",
        " page_cache_ra_unbounded+0x11c/0x210",
        " filemap_get_pages+0x13e/0x6c0",
        " filemap_read+0xef/0x370",
        " vfs_read+0x262/0x390",
        " ksys_read+0x6f/0xf0",
        " do_syscall_64+0x82/0x170",
        " entry_SYSCALL_64_after_hwframe+0x76/0x7e",
    ],
    "slab": ALLOC + [
        " allocate_slab+0x2d0/0x410",
        " ___slab_alloc+0x3c3/0x9b0",
        " kmem_cache_alloc_lru_noprof+0x2d3/0x320",
        " alloc_inode+0x86/0xd0",
        " new_inode+0x19/0xa0",
        " do_syscall_64+0x82/0x170",
    ],
    "vmalloc": ALLOC + [
        " alloc_pages_noprof+0x4f/0x90",
        " __vmalloc_node_range_noprof+0x3d1/0x8b0",
        " alloc_thread_stack_node+0xd0/0x230",
        " dup_task_struct+0x50/0x2c0",
        " copy_process+0x1e4/0x1b20",
        " kernel_clone+0xc0/0x3a0",
    ],
    "pagetable": ALLOC + [
        " __pte_alloc+0x38/0x1a0",
        " do_anonymous_page+0x6be/0x7a0",
        " __handle_mm_fault+0x8c3/0xe50",
        " handle_mm_fault+0x16e/0x2f0",
    ],
    "gpu": ALLOC + [
        " ttm_pool_alloc_page+0x43/0x90 [ttm]",
        " ttm_pool_alloc+0x2a1/0x600 [ttm]",
        " amdgpu_ttm_tt_populate+0x4d/0xa0 [amdgpu]",
        " ttm_tt_populate+0xa3/0x130 [ttm]",
        " 0xffffffffc0a01234",
    ],
    "zram": ALLOC + [
        " alloc_zspage+0x9a/0x2c0 [zsmalloc]",
        " zs_malloc+0x155/0x340 [zsmalloc]",
        " zram_write_page+0x1c8/0x4d0 [zram]",
        " zram_bio_write+0x53/0xa0 [zram]",
    ],
    "bare": [
        " post_alloc_hook+0x1d8/0x200",
        " 0xffffffffc1b02000",
        " 0xffffffffc1b03010",
    ],
}

# (comm, pid, tgid)
TASKS = [
    ("bash", 812, 812),
    ("systemd", 1, 1),
    ("kworker/u8:2", 97, 97),
    ("(sd-pam)", 1203, 1203),
    ("Web Content", 2311, 2290),
    ("Web Content", 2312, 2290),
    ("Xorg", 1500, 1500),
    ("swapper/0", 0, 0),
]

GFP = {
    "anon": (0x140dca, "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO"),
    "pagecache": (0x152c4a, "GFP_NOFS|__GFP_HARDWALL|__GFP_MOVABLE|__GFP_NOWARN|__GFP_NORETRY"),
    "slab": (0x52820, "GFP_ATOMIC|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP"),
    "vmalloc": (0x400dc0, "GFP_KERNEL_ACCOUNT|__GFP_ZERO"),
    "pagetable": (0x400dc0, "GFP_KERNEL_ACCOUNT|__GFP_ZERO"),
    "gpu": (0x100cca, "GFP_HIGHUSER"),
    "zram": (0x102a02, "__GFP_HIGHMEM|__GFP_NOWARN|__GFP_NORETRY|__GFP_HARDWALL"),
    "bare": (0x0, ""),
}

MIGRATETYPE = {"anon": "Movable", "pagecache": "Movable", "gpu": "Movable", "zram": "Movable"}

FLAGS = {
    "anon": (0x17ffffc0080068, "uptodate|lru|active|swapbacked"),
    "pagecache": (0x17ffffc000002c, "referenced|uptodate|lru"),
    "slab": (0x17ffffc0000200, "slab"),
    "vmalloc": (0x17ffffc0000000, ""),
    "pagetable": (0x17ffffc0000000, ""),
    "gpu": (0x17ffffc0000000, ""),
    "zram": (0x17ffffc0000000, ""),
    "bare": (0x0, ""),
}


def flags_text(kind, node_zone):
    value, names = FLAGS[kind]
    fields = node_zone if value else "node=0|zone=0"
    return "%#x(%s)" % (value, names + "|" + fields if names else fields) if value else "0x0(node=0|zone=0)"


def record(kind, task, order, ts, free_ts, pfn, v61, extra):
    comm, pid, tgid = task
    mask, names = GFP[kind]
    line1 = "Page allocated via order %d, mask %s(%s), pid %d, tgid %d (%s), ts %d ns" % (
        order, "0x%x" % mask, names, pid, tgid, comm, ts)
    if v61:
        line1 += ", free_ts %d ns" % free_ts
    mt = MIGRATETYPE.get(kind, "Unmovable")
    block_mt = "CMA" if extra.get("cma") else mt
    pfn_text = "%d" % pfn if v61 else "0x%x" % pfn
    node_zone = "node=0|zone=2|lastcpupid=0x1fffff"
    lines = [line1,
             "PFN %s type %s Block %d type %s Flags %s" % (pfn_text, mt, pfn >> 9, block_mt, flags_text(kind, node_zone))]
    lines += STACKS[kind]
    if extra.get("migrated"):
        lines.append("Page has been migrated, last migrate reason: " + extra["migrated"])
    if kind == "slab" and extra.get("memcg"):
        lines.append("Slab cache page")
    elif extra.get("memcg"):
        lines.append(extra["memcg"])
    return "\n".join(lines) + "\n\n"


def make(v61, seed, count):
    rng = random.Random(seed)
    out = []
    pfn = 0x100000
    ts = 1_000_000
    kinds = list(STACKS)
    memcgs = [None, None, "Charged to memcg session-2.scope", "Charged (via objcg) to memcg system.slice",
              "Charged to offline memcg docker-4e1f.scope", "Charged to memcg /"]
    previous = None
    for i in range(count):
        if v61 and previous and rng.random() < 0.12:
            out.append(previous)  # the same block again (page_owner_sort 6.1 merges these on reading)
            continue
        kind = rng.choice(kinds)
        task = rng.choice(TASKS) if kind not in ("zram", "gpu") else rng.choice(TASKS[:3] + TASKS[6:7])
        order = rng.choice([0, 0, 0, 0, 1, 2, 3, 9]) if kind != "slab" else rng.choice([0, 1, 2, 3])
        if rng.random() >= 0.1:  # now and then the same timestamp as the previous record
            ts += rng.randrange(1, 5_000_000)
        free_ts = 0 if rng.random() < 0.4 else max(0, ts - rng.randrange(1, 900_000))
        pfn += rng.randrange(1, 4000)
        extra = {
            "cma": rng.random() < 0.08,
            "migrated": rng.choice([None] * 8 + ["compaction", "numa_misplaced"]),
            "memcg": rng.choice(memcgs),
        }
        if i == 0:  # the first pages of boot: no mask, no task
            kind, task, ts, free_ts = "bare", ("swapper/0", 0, 0), 0, 0
        previous = record(kind, task, order, ts, free_ts, pfn, v61, extra)
        out.append(previous)
    return "".join(out)


def make_released():
    # 6.1 text in which every record with free_ts != 0 has ts < free_ts, so
    # page_owner_sort 6.1's `--cull free` (free_ts != 0) and -f's definition
    # of released (free_ts != 0 && ts < free_ts) pick the same records.
    rng = random.Random(61)
    out = []
    pfn = 0x80000
    for i in range(24):
        kind = rng.choice(["anon", "pagecache", "slab"])
        task = rng.choice(TASKS[:4])
        ts = 5_000_000 + i * 1000
        free_ts = 0 if i % 3 else ts + 777
        pfn += 8
        out.append(record(kind, task, rng.choice([0, 1]), ts, free_ts, pfn, True, {}))
    return "".join(out)



if __name__ == "__main__":
    files = {
        "synthetic-6.12.txt": make(False, 612, 80),
        "synthetic-6.1.txt": make(True, 61, 80),
        "synthetic-6.1-released.txt": make_released(),
    }
    for name, text in files.items():
        with open(os.path.join(HERE, name), "w") as f:
            f.write(text)
