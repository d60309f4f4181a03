#!/usr/bin/env python3
"""Writes the seeds of imem_fuzz, kallsyms_fuzz, stack_depot_fuzz and pipeline_fuzz (their
input formats are described at the top of each target). Run from anywhere:
    python3 tests/fuzz/seeds/make_seeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def imem():
    rec = struct.pack("<IQ", 0xDEAD4EAD, 0x28600000)
    at_6d0 = bytearray(0x1000)
    at_6d0[0x6D0:0x6D0 + 12] = rec
    write("imem_fuzz", "record-at-6d0", at_6d0)
    elsewhere = bytearray(0x800)
    elsewhere[0x204:0x204 + 12] = rec
    write("imem_fuzz", "record-elsewhere", elsewhere)
    write("imem_fuzz", "truncated", bytes(0x6D4) + struct.pack("<I", 0xDEAD4EAD))


def kallsyms():
    base = 0xFFFFFFFF81000000
    syms = [("T", "_stext", base), ("t", "alloc_pages_slowpath.constprop.0", base + 0x100),
            ("T", "_etext", base + 0x1000), ("D", "page_owner_ops", base + 0x2000),
            ("T", "_sinittext", base + 0x3000), ("t", "x" * 200, base + 0x3010),
            ("T", "_einittext", base + 0x3100), ("B", "_end", base + 0x4000)]
    # Token i is the character i (token 0 empty), as a table of NUL-terminated strings.
    table = bytearray()
    index = bytearray()
    for i in range(256):
        index += struct.pack("<H", len(table))
        table += (bytes([i]) if i else b"") + b"\0"
    names = bytearray()
    for t, n, _ in syms:
        full = (t + n).encode()
        if len(full) < 0x80:
            names.append(len(full))
        else:
            names += bytes([0x80 | (len(full) & 0x7F), len(full) >> 7])
        names += full

    def image(absolute, pointer_size):
        mem = bytearray(0x1800)
        num_syms, relative_base, table_at, token_index, token_table, names_at = 0, 8, 16, 0x100, 0x300, 0x800
        struct.pack_into("<I", mem, num_syms, len(syms))
        if absolute:
            fmt = "<Q" if pointer_size == 8 else "<I"
            for i, (_, _, a) in enumerate(syms):
                struct.pack_into(fmt, mem, table_at + i * pointer_size, a & ((1 << (8 * pointer_size)) - 1))
        else:
            struct.pack_into("<Q", mem, relative_base, base)
            for i, (_, _, a) in enumerate(syms):
                struct.pack_into("<i", mem, table_at + i * 4, a - base)
        mem[token_index:token_index + len(index)] = index
        mem[token_table:token_table + len(table)] = table
        mem[names_at:names_at + len(names)] = names
        flags = (1 if absolute else 0) | (2 if pointer_size == 4 else 0)
        header = struct.pack("<BB7H", flags, 0, num_syms, names_at, token_table, token_index, table_at,
                             relative_base, 0x1100)
        return header + bytes(mem)

    write("kallsyms_fuzz", "relative", image(False, 8))
    write("kallsyms_fuzz", "absolute-64", image(True, 8))
    write("kallsyms_fuzz", "absolute-32", image(True, 4))


def stack_depot():
    kbase = 0xFFFFFF8000010000

    def seed(flags, pools, records, handles, page_shift_choice=0, size_off=20, count_off=28, entries_off=32,
             entries_bound=64, pointer=False):
        header = bytearray(16)
        header[0] = flags
        header[1] = page_shift_choice
        header[6], header[7], header[8] = size_off // 4, count_off // 4, entries_off // 4
        struct.pack_into("<H", header, 9, entries_bound)
        header[15] = len(handles)
        mem = bytearray(0x2000)
        gen = flags & 3
        struct.pack_into("<i", mem, 0, len(pools) if gen >= 2 else len(pools) - 1)
        array = 8
        if pointer:
            struct.pack_into("<Q", mem, 8, kbase + 0x100)
            array = 0x100
        for i, p in enumerate(pools):
            struct.pack_into("<Q", mem, array + 8 * i, kbase + p if p else 0)
        for at, frames, count in records:
            struct.pack_into("<I", mem, at + size_off, len(frames))
            if flags & 8:
                struct.pack_into("<I", mem, at + count_off, count)
            for i, f in enumerate(frames):
                struct.pack_into("<Q", mem, at + entries_off + 8 * i, f)
        return bytes(header) + b"".join(struct.pack("<I", h) for h in handles) + bytes(mem)

    frames = [0xFFFFFFC0081234A0, 0xFFFFFFC008ABCD10]
    # 6.8-like (pools_num, refcount), 4K pages: index 17 bits, offset at bit 17.
    write("stack_depot_fuzz", "pools-num-refcount",
          seed(2 | 8, [0x400, 0, 0x800], [(0x400 + 0x40, frames, 0xC0000000), (0x800, frames[:1], 0)],
               [4 << 17, (1 << 0) | (4 << 17), 2, 3 | (1 << 17), 0]))
    # 6.17-like: pointer storage, pool_index_plus_1, refcount.
    write("stack_depot_fuzz", "pointer-plus-1",
          seed(3 | 4 | 8, [0x400], [(0x400 + 0x40, frames, 0xC0000000)], [1 | (4 << 17), 4 << 17, 2 | (4 << 17)],
               pointer=True))
    # 5.4-like: stack_slabs, depot_index, entries[1] (unbounded), 16K pages, a short-reading reader.
    write("stack_depot_fuzz", "slabs-16k-trickle",
          seed(0 | 32, [0x400, 0x1000], [(0x1000 + 0x20, frames, 0)], [1 | (2 << 15), 5 << 15], page_shift_choice=1,
               size_off=12, entries_off=24, entries_bound=1))


def pipeline():
    # Four mutations each (page index, offset, what, value), every kind once.
    import random
    r = random.Random(14)
    for n in range(4):
        write("pipeline_fuzz", "seed%d" % n,
              b"".join(struct.pack("<IHBB", r.randrange(1 << 32), r.randrange(4096), op, r.randrange(256))
                       for op in range(n, n + 4)))


imem()
kallsyms()
stack_depot()
pipeline()
