#!/usr/bin/env python3
"""Each layer includes only the layers above it (README's layout; src/CMakeLists.txt).

The build links each layer only to those above it, but every library sees
all of include/, so a header-only reach down a layer would compile: this
test reads every #include "ramsift/<layer>/..." in src/<layer>/ and
include/ramsift/<layer>/ and fails on one that names a layer below.
"""
import os
import re
import subprocess
import sys

# Above = smaller. cli and crash are both the top; crash runs cli's commands.
ORDER = ["base", "dump", "arch", "kernel", "decode", "symbolize", "analysis", "output", "cli", "crash"]
RANK = {name: i for i, name in enumerate(ORDER)}
RANK["crash"] = RANK["cli"] + 1
INCLUDE = re.compile(r'^\s*#\s*include\s+"ramsift/([a-z_]+)/')

top = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
files = subprocess.run(["git", "-C", top, "ls-files", "src", "include"], capture_output=True, text=True,
                       check=True).stdout.split()
bad, checked = [], 0
for path in files:
    parts = path.split("/")
    layer = parts[1] if parts[0] == "src" else parts[2] if len(parts) > 2 and parts[1] == "ramsift" else None
    if layer not in RANK:
        continue
    checked += 1
    with open(os.path.join(top, path), errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m and m.group(1) in RANK and RANK[m.group(1)] > RANK[layer]:
                bad.append(f"{path}:{n}: layer {layer} includes ramsift/{m.group(1)}/ (a layer below it)")
for b in bad:
    print(b)
print(f"{checked} files, {len(bad)} includes reaching down")
sys.exit(1 if bad else 0)
