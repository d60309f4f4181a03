#!/usr/bin/env python3
"""The flame graph SVG of a real dump, parsed and rendered.

svg-check.py RAMSIFT SAMPLE_DIR OUT_DIR

On the bundled sample (an arm64 6.12 dump, fixtures/sample/):
  widths   every frame's width is its pages x (1180 px / total pages); the
           root holds every page of ramsift's own page-owner records, and
           each frame's children hold no more than it does;
  module   each ramsift_fixture function of the manifest appears with the
           pages the manifest says it allocated (count << order);
  render   headless Chromium's screenshot of the SVG (OUT_DIR/flamegraph.png)
           is not blank: most of the flame graph's area is painted in many
           colours, and the module's colour (from --color module) is on it.
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib

ramsift, sample, out_dir = sys.argv[1:4]
dump = os.path.join(sample, "arm64-6.12.kdump")
os.makedirs(out_dir, exist_ok=True)
svg_path = os.path.join(out_dir, "flamegraph.svg")
png_path = os.path.join(out_dir, "flamegraph.png")
failures = []

p = subprocess.run([ramsift, "flamegraph", dump, "--color", "module", "-o", svg_path], capture_output=True, text=True)
if p.returncode != 0:
    sys.exit(f"FAIL: ramsift flamegraph exit {p.returncode}: {p.stderr}")

# ---- widths: pages and pixels
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(svg_path).getroot()
frames = {}
for g in root.iter(ns + "g"):
    if g.get("class") != "f":
        continue
    rect = g.find(ns + "rect")
    frames[g.get("id")] = {
        "name": g.get("data-name"),
        "pages": int(g.get("data-pages")),
        "parent": g.get("data-parent"),
        "w": float(rect.get("width")),
        "fill": rect.get("fill"),
        "group": g.get("data-group"),
    }
roots = [f for f in frames.values() if f["parent"] is None]
if len(roots) != 1:
    sys.exit(f"FAIL: {len(roots)} root frames")
total = roots[0]["pages"]
text = subprocess.run([ramsift, "page-owner", dump], capture_output=True, text=True).stdout
want_total = sum(1 << int(m) for m in re.findall(r"^Page allocated via order (\d+),", text, re.M))
print(f"root: {total} pages; page-owner records: {want_total} pages; {len(frames)} frames")
if total != want_total:
    failures.append(f"root holds {total} pages, the records {want_total}")
width = float(root.get("width")) - 20  # 10 px padding each side
bad = [f for f in frames.values() if abs(f["w"] - f["pages"] * width / total) > 0.002]
print(f"widths: {len(frames) - len(bad)} of {len(frames)} frames are pages x {width:.0f}/{total} px")
if bad:
    failures.append(f"{len(bad)} frames' widths are not their pages, e.g. {bad[0]}")
children = {}
for fid, f in frames.items():
    if f["parent"]:
        children[f["parent"]] = children.get(f["parent"], 0) + f["pages"]
over = [(frames[fid]["name"], n, frames[fid]["pages"]) for fid, n in children.items() if n > frames[fid]["pages"]]
if over:
    failures.append(f"children hold more pages than their frame: {over[:3]}")

# ---- the test module's functions against the manifest
with open(os.path.join(sample, "manifest.json")) as f:
    manifest = json.load(f)
module_fill = None
for a in manifest["expected_allocations"]:
    if a["module"] != "ramsift_fixture":
        continue
    want = a["allocated"] << a["order"]
    name = f"{a['function']} [ramsift_fixture]"
    got = sum(f["pages"] for f in frames.values() if f["name"] == name)
    print(f"module: {name}: {got} pages, manifest {want}")
    if got != want:
        failures.append(f"{name}: {got} pages, manifest {want}")
    module_fill = module_fill or next((f["fill"] for f in frames.values() if f["name"] == name), None)

# ---- render with headless Chromium and look at the pixels
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
if not chromium:
    sys.exit("FAIL: no chromium (.ci/setup installs Debian's chromium)")
height = int(float(root.get("height")))
p = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={int(width) + 20},{height}", f"--screenshot={png_path}",
                    "file://" + os.path.abspath(svg_path)], capture_output=True, text=True, timeout=120)
if p.returncode != 0 or not os.path.exists(png_path):
    sys.exit(f"FAIL: chromium exit {p.returncode}: {p.stderr[-2000:]}")


def read_png(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB/RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    at, idat, w, h, ctype = 8, b"", 0, 0, 0
    while at < len(data):
        n, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                raise ValueError(f"PNG depth {depth} colour type {ctype}")
        elif kind == b"IDAT":
            idat += body
        at += 12 + n
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


w, h, rows = read_png(png_path)
background = max(((c, sum(r.count(c) for r in rows)) for c in {rows[0][0], rows[-1][-1], rows[h // 2][w // 2]}),
                 key=lambda t: t[1])[0]
painted = sum(1 for r in rows for c in r if c != background)
colours = {c for r in rows for c in r}
share = painted / (w * h)
print(f"render: {w}x{h} px, {share:.1%} painted (background {background}), {len(colours)} colours")
if w < 100 or h < 100:
    failures.append(f"screenshot is only {w}x{h}")
if share < 0.3 or len(colours) < 16:
    failures.append(f"screenshot looks blank: {share:.1%} painted, {len(colours)} colours")
if module_fill:
    rgb = tuple(int(module_fill[i:i + 2], 16) for i in (1, 3, 5))
    seen = sum(r.count(rgb) for r in rows)
    print(f"render: the module's colour {module_fill} covers {seen} px")
    if not seen:
        failures.append(f"the module's colour {module_fill} is not on the screenshot")

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
