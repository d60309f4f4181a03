#!/usr/bin/env python3
"""Compare `ramsift page-tracking` output with ramparse's own files (goldens).

usage: compare.py GOLDEN_DIR RAMSIFT_DIR [--min-identical PCT]

Records are matched by their first pfn. A difference is allowed only when
it falls in one of the classes docs/ramparse.md names (each printed with its
reason and counted); anything else fails. GOLDEN_DIR files may be
zstd-compressed (NAME.zst).
"""
import collections
import os
import re
import subprocess
import sys

FILES = ("page_tracking.txt", "page_tracking_freed.txt")
HEADER = re.compile(r"^PFN : 0x([0-9a-f]+)-0x([0-9a-f]+) Page : 0x([0-9a-f]+) Order : (\d+) PID : (-?\d+) "
                    r"(?:Comm: (.*) )?ts_nsec (-?\d+) gfp 0x([0-9a-f]+) pgext 0x([0-9a-f]+)$")
FRAME = re.compile(r"^      \[<([0-9a-f]+)>\] (.*)\+0x([0-9a-f]+)$")

# The classes docs/ramparse.md documents, and why each is allowed.
REASONS = {
    "stops-at-module": "ramparse's stack stops at the first frame outside vmlinux (its module table predates "
                       "6.4's struct module mem[], so it runs without module symbols); ramsift names module "
                       "frames sym[module] from the module's own kallsyms",
    "stops-at-bare": "ramparse's stack stops at a frame nothing covers (freed module init text, an unloaded "
                     "module); ramsift prints it as the kernel does, a bare 0x<addr>",
    "deep-stack": "a stack deeper than 16 frames: ramparse (before its 6.18 code) drops the whole record; "
                  "ramsift prints it, as the kernel does (CONFIG_STACKDEPOT_MAX_FRAMES)",
    "alias": "same address, another symbol at the same start: nm's choice among aliases vs kallsyms' "
             "(the kernel's own %pS name)",
}


def read(path):
    if os.path.exists(path):
        with open(path, "rb") as f:
            return f.read().decode()
    if os.path.exists(path + ".zst"):
        return subprocess.run(["zstd", "-dc", path + ".zst"], check=True, capture_output=True).stdout.decode()
    sys.exit("compare.py: no " + path)


def records(text, name):
    out = collections.OrderedDict()
    current = None
    for n, line in enumerate(text.split("\n"), 1):
        if not line:
            current = None
            continue
        m = HEADER.match(line)
        if m:
            current = {"header": line, "pfn": int(m.group(1), 16), "fields": m.groups(), "frames": [], "text": ""}
            out[current["pfn"]] = current
            continue
        f = FRAME.match(line)
        if f and current is not None:
            current["frames"].append((int(f.group(1), 16), f.group(2), int(f.group(3), 16)))
            current["text"] += line + "\n"
            continue
        sys.exit("compare.py: %s:%d: not ramparse's format: %r" % (name, n, line))
    return out


FREQ_HEADER = re.compile(r"^Allocated (\d+) times, total memory: (\d+) KB$")
FREQ_PID = re.compile(r"^pid:(.*) order:(\d+) frequency:(\d+) memory:(\d+) KB$")


def frequency_blocks(text, name, page_kb=4):
    """[(stack text, records, KB, Counter{(pid, order): records})] in file order."""
    out = []
    for n, block in enumerate(text.split("\n\n")):
        if not block.strip():
            continue
        lines = block.strip("\n").split("\n")
        m = FREQ_HEADER.match(lines[0])
        if not m:
            sys.exit("compare.py: %s: block %d: not ramparse's format: %r" % (name, n, lines[0]))
        stack, pids = "", collections.Counter()
        for line in lines[1:]:
            if FRAME.match(line):
                stack += line + "\n"
                continue
            p = FREQ_PID.match(line)
            if not p or int(p.group(4)) != page_kb * (1 << int(p.group(2))) * int(p.group(3)):
                sys.exit("compare.py: %s: not ramparse's format: %r" % (name, line))
            pids[(p.group(1), int(p.group(2)))] += int(p.group(3))
        out.append((stack, int(m.group(1)), int(m.group(2)), pids))
    return out


def compare_frequency(gold_text, ours_text, stack_map, deep):
    """Unexplained differences of page_frequency.txt. stack_map: ramsift's
    stack text -> ramparse's, for the records whose stacks differ by an
    allowed class; ramsift's blocks are merged through it, as ramparse's
    dictionary merges equal texts."""
    gold = frequency_blocks(gold_text, "ramparse page_frequency.txt")
    ours = frequency_blocks(ours_text, "ramsift page_frequency.txt")
    merged = collections.OrderedDict()
    ours = [b for b in ours if b[0] not in deep]
    for stack, n, kb, pids in ours:
        key = stack_map.get(stack, stack)
        m = merged.setdefault(key, [0, 0, collections.Counter()])
        m[0] += n
        m[1] += kb
        m[2].update(pids)
    problems = []
    gold_keys = [g[0] for g in gold]
    if len(set(gold_keys)) != len(gold_keys):
        problems.append("ramparse's file repeats a stack")
    for stack, n, kb, pids in gold:
        m = merged.get(stack)
        if m is None:
            problems.append("stack only in ramparse's file:\n" + stack)
        elif (m[0], m[1], m[2]) != (n, kb, pids):
            problems.append("stack counted differently (ramparse %d times %d KB, ramsift %d times %d KB):\n%s" %
                            (n, kb, m[0], m[1], stack))
    for stack in set(merged) - set(gold_keys):
        problems.append("stack only in ramsift's file:\n" + stack)
    # Order: the blocks no allowed class touched keep ramparse's order.
    touched = {v for k, v in stack_map.items() if k != v}
    gold_order = [k for k in gold_keys if k not in touched]
    ours_order = [s for s, _, _, _ in ours if s not in stack_map and s not in touched]
    if gold_order != ours_order:
        problems.append("blocks in another order")
    return problems, len(gold), len(gold) - len(touched)


def outside_vmlinux(name):
    return name.endswith("]") or name.startswith("0x")


def compare_frames(gold, ours, classes):
    """None when equal or explained (classes counted), else the reason it is not."""
    i = 0
    for i, (g, o) in enumerate(zip(gold, ours)):
        if g == o:
            continue
        if g[0] == o[0] and g[2] == o[2] and not outside_vmlinux(o[1]):
            classes.append(("alias", "%x: %s vs %s" % (g[0], g[1], o[1])))
            continue
        return "frame %d: %s+0x%x vs %s+0x%x" % (i, g[1], g[2], o[1], o[2])
    if len(gold) == len(ours):
        return None
    if len(gold) < len(ours) and outside_vmlinux(ours[len(gold)][1]):
        first = ours[len(gold)][1]
        classes.append(("stops-at-bare" if first.startswith("0x") else "stops-at-module",
                        "%d frames from %s" % (len(ours) - len(gold), first)))
        return None
    return "%d frames vs %d" % (len(gold), len(ours))


def main():
    args = sys.argv[1:]
    min_identical = 0.0
    if "--min-identical" in args:
        at = args.index("--min-identical")
        min_identical = float(args[at + 1])
        del args[at:at + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    golden_dir, ours_dir = args
    explained = collections.Counter()
    unexplained = 0
    total = identical = 0
    stack_map = {}
    deep = set()  # stacks ramparse drops (deep-stack)
    for name in FILES:
        gold = records(read(os.path.join(golden_dir, name)), name)
        ours = records(read(os.path.join(ours_dir, name)), name)
        for pfn in sorted(set(gold) | set(ours)):
            total += 1
            g, o = gold.get(pfn), ours.get(pfn)
            if g is None and len(o["frames"]) > 16:
                explained["deep-stack"] += 1
                deep.add(o["text"])
                print("%s: pfn 0x%x: allowed (deep-stack): %d frames" % (name, pfn, len(o["frames"])))
                continue
            if g is None or o is None:
                unexplained += 1
                print("%s: pfn 0x%x: only in %s: %s" % (name, pfn, "ramsift" if g is None else "ramparse",
                                                       (o or g)["header"]))
                continue
            if g["header"] != o["header"]:
                unexplained += 1
                print("%s: pfn 0x%x: first line differs:\n  ramparse: %s\n  ramsift:  %s" % (name, pfn, g["header"],
                                                                                          o["header"]))
                continue
            classes = []
            why = compare_frames(g["frames"], o["frames"], classes)
            if why:
                unexplained += 1
                print("%s: pfn 0x%x: stack differs, unexplained: %s" % (name, pfn, why))
                continue
            if not classes:
                identical += 1
            for c, detail in classes:
                explained[c] += 1
                if explained[c] <= 3:
                    print("%s: pfn 0x%x: allowed (%s): %s" % (name, pfn, c, detail))
            if name == "page_tracking.txt" and classes:
                if stack_map.setdefault(o["text"], g["text"]) != g["text"]:
                    unexplained += 1
                    print("%s: pfn 0x%x: one ramsift stack, two ramparse stacks" % (name, pfn))
    problems, blocks, untouched = compare_frequency(read(os.path.join(golden_dir, "page_frequency.txt")),
                                                    read(os.path.join(ours_dir, "page_frequency.txt")), stack_map, deep)
    for p in problems:
        print("page_frequency.txt: " + p)
    print("page_frequency.txt: %d stacks, %d untouched by an allowed class and equal, in order; "
          "the others equal once ramsift's stacks are read as ramparse's" % (blocks, untouched) if not problems else
          "page_frequency.txt: %d unexplained differences" % len(problems))
    print()
    for c, n in explained.most_common():
        print("allowed %-16s %7d frames/stacks: %s" % (c, n, REASONS[c]))
    share = 100.0 * identical / total if total else 100.0
    print("records: %d, identical %d (%.2f%%), explained %d, unexplained %d" %
          (total, identical, share, total - identical - unexplained, unexplained))
    if unexplained or problems or share < min_identical:
        print("FAIL")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
