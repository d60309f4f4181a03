#!/usr/bin/env python3
"""The shape of the code (issue 15): the CLI only parses, calls and prints.

- No file in src/cli/ over 150 lines: logic that grows there belongs in a
  library operation (src/analysis/, ...) that the CLI and crash both call.
- No ';' in a doctest TEST_CASE name: CTest would split it and run nothing.
- No architecture name compared as a string outside the descriptors
  (src/base/arch.cc names them; src/kernel/arch_*.cc and src/arch/ hold
  what differs): code asks the descriptor, never `arch == "arm64"`.
"""
import os
import re
import subprocess
import sys

MAX_CLI_LINES = 150
ARCH_COMPARE = re.compile(r'(==|!=)\s*"(arm64|x86_64|aarch64|riscv64|x86|arm)"|"(arm64|x86_64|aarch64|riscv64)"\s*(==|!=)')
DESCRIPTORS = ("src/base/arch.cc", "src/arch/", "src/kernel/arch_")

top = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
files = subprocess.run(["git", "-C", top, "ls-files", "src", "include"], capture_output=True, text=True,
                       check=True).stdout.split()
bad = []
for path in files:
    if not path.endswith((".cc", ".h", ".c", ".cpp")):
        continue
    with open(os.path.join(top, path), errors="replace") as f:
        lines = f.readlines()
    if path.startswith("src/cli/") and len(lines) > MAX_CLI_LINES:
        bad.append(f"{path}: {len(lines)} lines, more than {MAX_CLI_LINES}: move its logic into a library operation")
    if not path.startswith(DESCRIPTORS):
        for n, line in enumerate(lines, 1):
            if ARCH_COMPARE.search(line):
                bad.append(f"{path}:{n}: an architecture compared by name: ask its descriptor (base/arch.h, "
                           f"kernel/kernel_arch.h)")
# doctest_discover_tests hands CTest each case's name; CMake splits a name at
# ';', so such a case runs as a filter matching nothing: it could never fail.
tests = subprocess.run(["git", "-C", top, "ls-files", "tests"], capture_output=True, text=True,
                       check=True).stdout.split()
for path in tests:
    if path.endswith(".cc"):
        with open(os.path.join(top, path), errors="replace") as f:
            for n, line in enumerate(f, 1):
                if re.search(r'TEST_CASE\("[^"]*;', line):
                    bad.append(f"{path}:{n}: a ';' in a TEST_CASE name: CTest would run it as no test at all")
for b in bad:
    print(b)
print(f"{len(files)} files, {len(bad)} problems")
sys.exit(1 if bad else 0)
