#!/usr/bin/env python3
"""`top --stacks`, two ways, on the bundled sample (arm64 6.12 dump).

show_stacks_check.py RAMSIFT DUMP

`ramsift top DUMP --stacks` prints the kernel's own per-stack counters
(stack_list and each stack_record's refcount, as page_owner_stacks/
show_stacks would). With a filter that keeps every record (--pfn-range over
all pfns) it computes the same from the records instead. The two are
independent (counters the kernel kept vs records ramsift walked), and must
agree stack for stack: the same set of (frames, nr_base_pages).

One stack is in the records only, by the kernel's design: the pages that
init_pages_in_zone() marks at page_owner's start with early_handle (the
stack of register_early_stack()) never go through inc_stack_record_count()
(mm/page_owner.c, 6.9+), so show_stacks cannot show them.
"""
import collections
import subprocess
import sys

ramsift, dump = sys.argv[1:3]


def blocks(args):
    p = subprocess.run([ramsift, "top", dump, "--stacks", *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAIL: top --stacks {' '.join(args)}: exit {p.returncode}: {p.stderr}")
    out = collections.Counter()
    for block in p.stdout.split("\n\n"):
        if not block.strip():
            continue
        *frames, count = block.split("\n")
        if not count.startswith("nr_base_pages: ") or not all(f.startswith(" ") for f in frames):
            sys.exit(f"FAIL: not show_stacks' wording: {block[:200]!r}")
        out[("\n".join(frames), int(count.split(": ")[1]))] += 1
    return out


kernel = blocks([])
records = blocks(["--pfn-range", "0-0xffffffffff"])
print(f"kernel counters: {sum(kernel.values())} stacks, {sum(n for _, n in kernel)} pages; "
      f"from records: {sum(records.values())} stacks, {sum(n for _, n in records)} pages")
only_kernel = kernel - records
only_records = records - kernel
early = [k for k in only_records if k[0].startswith(" register_early_stack+")]
for k in early:
    print(f"early_handle stack: {k[1]} pages in the records, never counted by the kernel (init_pages_in_zone)")
    del only_records[k]
for (frames, n), _ in list(only_kernel.items())[:5]:
    print(f"FAIL: kernel counter {n} pages, not from the records:\n{frames}")
for (frames, n), _ in list(only_records.items())[:5]:
    print(f"FAIL: records give {n} pages, no such kernel counter:\n{frames}")
if not kernel or only_kernel or only_records:
    sys.exit(1)
print(f"all {sum(kernel.values())} stacks agree")
