#!/usr/bin/env python3
"""Real QEMU dumps, read back through ramsift, checked against our own parse.

  qemu_dump_test.py make DIR
      Starts qemu-system-x86_64 -S (no kernel, CPU stopped, 128 MiB) with a
      known 1 MiB pattern loaded at 0x100000 (-device loader), and writes
      dump-guest-memory as DIR/guest.elf and DIR/guest.kdump-zlib over QMP.
  qemu_dump_test.py check-elf DIR --read-phys BIN --ramsift BIN
      The ELF has QEMU 7.2's quirks (e_ehsize 8, a section header table,
      unaligned PT_LOAD offsets). Pages sampled from every PT_LOAD, read
      through ramsift, must equal the file's bytes at the offsets this script
      finds with struct, and the pattern where it was loaded; `ramsift info
      --format json` must agree with the program headers.
  qemu_dump_test.py check-kdump DIR --read-phys BIN --ramsift BIN
      The same pages read from the kdump-zlib (flattened) file must equal the
      ELF's bytes.

Exit 0 on success, 1 with the first difference on failure. A missing
qemu-system-x86_64 is a failure: .ci/setup installs it.
"""

import argparse
import json
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

PAGE = 4096
PATTERN_ADDR = 0x100000
PATTERN_SIZE = 1 << 20
PT_LOAD, PT_NOTE, PN_XNUM, NT_PRSTATUS = 1, 4, 0xFFFF, 1


class TestFailure(Exception):
    pass


def pattern_bytes():
    return random.Random(0x5EED).randbytes(PATTERN_SIZE)


# --- make -------------------------------------------------------------------


class Qmp:
    def __init__(self, path, deadline):
        self.sock = socket.socket(socket.AF_UNIX)
        while True:
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    raise TestFailure("QEMU's QMP socket never appeared")
                time.sleep(0.05)
        self.sock.settimeout(max(1.0, deadline - time.monotonic()))
        self.file = self.sock.makefile("rw")
        greeting = json.loads(self.file.readline())
        if "QMP" not in greeting:
            raise TestFailure(f"unexpected QMP greeting {greeting}")

    def command(self, name, **arguments):
        message = {"execute": name}
        if arguments:
            message["arguments"] = arguments
        self.file.write(json.dumps(message) + "\n")
        self.file.flush()
        while True:
            line = self.file.readline()
            if not line:
                raise TestFailure(f"QEMU closed QMP during {name}")
            reply = json.loads(line)
            if "event" in reply:
                continue
            if "error" in reply:
                raise TestFailure(f"QMP {name}: {reply['error']}")
            return reply["return"]


def make(args):
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        raise TestFailure("qemu-system-x86_64 not found (.ci/setup installs the qemu-system-x86 package)")
    out = os.path.abspath(args.dir)
    os.makedirs(out, exist_ok=True)
    pattern = os.path.join(out, "pattern.bin")
    with open(pattern, "wb") as f:
        f.write(pattern_bytes())
    dumps = {"elf": os.path.join(out, "guest.elf"), "kdump-zlib": os.path.join(out, "guest.kdump-zlib")}
    for path in dumps.values():
        if os.path.exists(path):
            os.unlink(path)

    # A unix socket path is limited to 108 bytes: keep it out of the build tree.
    sockdir = tempfile.mkdtemp(prefix="ramsift-qmp-")
    sock = os.path.join(sockdir, "qmp.sock")
    command = [qemu, "-S", "-nodefaults", "-display", "none", "-m", "128",
               "-qmp", f"unix:{sock},server,nowait",
               "-device", f"loader,file={pattern},addr={PATTERN_ADDR:#x},force-raw=on"]
    start = time.monotonic()
    with open(os.path.join(out, "qemu.log"), "wb") as log:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        qmp = Qmp(sock, time.monotonic() + 20)
        qmp.command("qmp_capabilities")
        for fmt, path in dumps.items():
            t = time.monotonic()
            qmp.command("dump-guest-memory", paging=False, protocol=f"file:{path}", format=fmt)
            print(f"{fmt}: {os.path.getsize(path)} bytes in {time.monotonic() - t:.2f} s")
        qmp.command("quit")
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(sockdir, ignore_errors=True)
    for path in dumps.values():
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            raise TestFailure(f"QEMU wrote no {path}; see {out}/qemu.log")
    print(f"QEMU run: {time.monotonic() - start:.2f} s")


# --- the ELF, parsed independently ------------------------------------------------


class Elf:
    def __init__(self, path):
        self.path = path
        self.file = open(path, "rb")
        head = self.file.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
            raise TestFailure(f"{path}: not a little-endian ELF64")
        (self.e_machine,) = struct.unpack_from("<H", head, 18)
        self.e_phoff, self.e_shoff = struct.unpack_from("<QQ", head, 32)
        self.e_ehsize, self.e_phentsize, phnum = struct.unpack_from("<HHH", head, 52)
        if phnum == PN_XNUM:
            (phnum,) = struct.unpack("<I", self.at(self.e_shoff + 44, 4))
        self.loads = []  # (paddr, memsz, offset, filesz)
        self.notes = []  # (name, type, desc)
        for i in range(phnum):
            p_type, _, offset, _, paddr, filesz, memsz, _ = struct.unpack(
                "<IIQQQQQQ", self.at(self.e_phoff + i * self.e_phentsize, 56))
            if p_type == PT_LOAD and memsz:
                self.loads.append((paddr, memsz, offset, filesz))
            elif p_type == PT_NOTE:
                self.parse_notes(self.at(offset, filesz))

    def at(self, offset, size):
        self.file.seek(offset)
        data = self.file.read(size)
        if len(data) != size:
            raise TestFailure(f"{self.path}: short read at {offset:#x}")
        return data

    def parse_notes(self, data):
        pos = 0
        while pos + 12 <= len(data):
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            name_at = pos + 12
            desc_at = name_at + (namesz + 3) // 4 * 4
            self.notes.append((data[name_at:name_at + namesz].rstrip(b"\0").decode(), ntype,
                               data[desc_at:desc_at + descsz]))
            pos = desc_at + (descsz + 3) // 4 * 4

    def phys(self, addr, size):
        """The bytes at physical [addr, addr + size), from the PT_LOADs."""
        out = b""
        while size:
            for paddr, memsz, offset, filesz in self.loads:
                if paddr <= addr < paddr + filesz:
                    n = min(size, paddr + filesz - addr)
                    out += self.at(offset + addr - paddr, n)
                    addr += n
                    size -= n
                    break
            else:
                raise TestFailure(f"{self.path}: physical {addr:#x} is in no PT_LOAD")
        return out

    def merged_ranges(self):
        ranges = []
        for paddr, memsz, _, _ in sorted(self.loads):
            if ranges and ranges[-1][0] + ranges[-1][1] >= paddr:
                start, size = ranges[-1]
                ranges[-1] = (start, max(size, paddr + memsz - start))
            else:
                ranges.append((paddr, memsz))
        return ranges


def sample_requests(elf):
    """(addr, size) reads covering every PT_LOAD's edges, random pages,
    unaligned reads, PT_LOAD boundaries and the whole pattern."""
    rng = random.Random(7)
    requests = [(PATTERN_ADDR, PATTERN_SIZE)]
    for paddr, memsz, _, filesz in elf.loads:
        pages = filesz // PAGE
        requests += [(paddr, min(PAGE, filesz)), (paddr + filesz - min(PAGE, filesz), min(PAGE, filesz))]
        for _ in range(min(8, pages)):
            requests.append((paddr + rng.randrange(pages) * PAGE, PAGE))
        requests.append((paddr + rng.randrange(max(1, filesz - 100)), 100))
        end = paddr + filesz
        if any(p == end for p, _, _, _ in elf.loads):
            requests.append((end - 0x80, 0x100))  # across two adjacent PT_LOADs
    return requests


def read_through_ramsift(read_phys, dump, requests):
    text = "".join(f"{addr:#x} {size:#x}\n" for addr, size in requests)
    t = time.monotonic()
    result = subprocess.run([read_phys, dump], input=text, capture_output=True, text=True)
    elapsed = time.monotonic() - t
    if result.returncode != 0:
        raise TestFailure(f"ramsift-read-phys {dump} exited {result.returncode}: {result.stderr.strip()}")
    lines = result.stdout.splitlines()
    if not lines or lines[0] != "problems 0":
        raise TestFailure(f"{dump}: ramsift reports problems: {result.stderr.strip()}")
    if len(lines) != len(requests) + 1:
        raise TestFailure(f"{dump}: {len(lines) - 1} answers for {len(requests)} requests")
    return lines[1:], elapsed


def compare(label, requests, answers, expected_of):
    total = 0
    for (addr, size), answer in zip(requests, answers):
        if not answer.startswith("ok "):
            raise TestFailure(f"{label}: read {addr:#x}+{size:#x}: {answer}")
        got = bytes.fromhex(answer[3:])
        want = expected_of(addr, size)
        if got != want:
            first = next(i for i in range(size) if got[i] != want[i])
            raise TestFailure(f"{label}: read {addr:#x}+{size:#x} differs first at {addr + first:#x}: "
                              f"ramsift {got[first]:#04x}, expected {want[first]:#04x}")
        total += size
    return total


def ramsift_info(ramsift, dump):
    result = subprocess.run([ramsift, "info", "--no-kernel", "--format", "json", dump], capture_output=True, text=True)
    if result.returncode != 0:
        raise TestFailure(f"ramsift info {dump} exited {result.returncode}: {result.stderr.strip()}")
    return json.loads(result.stdout)["dump"]


def check_elf(args):
    path = os.path.join(args.dir, "guest.elf")
    elf = Elf(path)
    # The point of this test is QEMU 7.2's layout; say so if QEMU changed it.
    if elf.e_ehsize != 8:
        print(f"note: e_ehsize is {elf.e_ehsize}, not QEMU 7.2's 8")
    if elf.e_shoff == 0:
        raise TestFailure("expected QEMU's section header table")
    if all(offset % PAGE == 0 for _, _, offset, _ in elf.loads):
        raise TestFailure("expected unaligned PT_LOAD offsets")

    info = ramsift_info(args.ramsift, path)
    expect = {
        "format": "ELF core",
        "elf_machine": elf.e_machine,
        "arch": {62: "x86_64", 3: "x86"}.get(elf.e_machine),
        "page_size": PAGE,
        "prstatus_count": sum(1 for name, ntype, _ in elf.notes if name == "CORE" and ntype == NT_PRSTATUS),
        "excluded_pages": 0,
        "ranges": [{"start": s, "size": n} for s, n in elf.merged_ranges()],
    }
    for key, want in expect.items():
        if info.get(key) != want:
            raise TestFailure(f"ramsift info: {key} is {info.get(key)!r}, expected {want!r}")
    vmcoreinfo = next((desc for name, _, desc in elf.notes if name == "VMCOREINFO"), None)
    if (info["vmcoreinfo"] is None) != (vmcoreinfo is None):
        raise TestFailure("ramsift info: vmcoreinfo presence differs from the notes")

    requests = sample_requests(elf)
    answers, elapsed = read_through_ramsift(args.read_phys, path, requests)
    pattern = pattern_bytes()
    if elf.phys(PATTERN_ADDR, PATTERN_SIZE) != pattern:
        raise TestFailure("the file's own bytes at 0x100000 are not the loaded pattern")
    compared = compare("ELF", requests, answers,
                       lambda addr, size: pattern if (addr, size) == (PATTERN_ADDR, PATTERN_SIZE)
                       else elf.phys(addr, size))

    # Outside every PT_LOAD: a fault, not zeros.
    hole = elf.merged_ranges()[0][0] + elf.merged_ranges()[0][1]
    answers, _ = read_through_ramsift(args.read_phys, path, [(hole, 16)])
    if not answers[0].startswith("err fault"):
        raise TestFailure(f"read at {hole:#x}, outside every PT_LOAD: {answers[0]}")
    print(f"ELF: {len(elf.loads)} PT_LOADs, {len(requests)} reads, {compared} bytes equal in {elapsed:.2f} s")


def check_kdump(args):
    elf = Elf(os.path.join(args.dir, "guest.elf"))
    path = os.path.join(args.dir, "guest.kdump-zlib")
    info = ramsift_info(args.ramsift, path)
    if not info.get("flattened"):
        raise TestFailure(f"ramsift info: QEMU's kdump output should read as flattened: {info}")
    requests = sample_requests(elf)
    answers, elapsed = read_through_ramsift(args.read_phys, path, requests)
    compared = compare("kdump-zlib", requests, answers, elf.phys)
    print(f"kdump-zlib (flattened): {len(requests)} reads, {compared} bytes equal to the ELF's in {elapsed:.2f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["make", "check-elf", "check-kdump"])
    parser.add_argument("dir")
    parser.add_argument("--read-phys")
    parser.add_argument("--ramsift")
    args = parser.parse_args()
    try:
        {"make": make, "check-elf": check_elf, "check-kdump": check_kdump}[args.command](args)
    except TestFailure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
