#!/usr/bin/python3
"""Every command's --format json validates against docs/schema.json, and its
--format csv starts with the columns the schema lists (x-csv), on the
bundled sample's dump and its kernel text.

    schema.py RAMSIFT SAMPLE_DIR SCHEMA

Debian's python3-jsonschema (.ci/setup), hence /usr/bin/python3.
"""
import json
import subprocess
import sys
import tempfile

import jsonschema

ramsift, sample, schema_path = sys.argv[1:4]
dump = f"{sample}/arm64-6.12.kdump"
doc = json.load(open(schema_path))
jsonschema.Draft202012Validator.check_schema(doc)
failures = []
checked = 0


def run(args):
    p = subprocess.run([ramsift, *args], capture_output=True, text=True)
    if p.returncode not in (0, 1):
        failures.append(f"ramsift {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()[:300]}")
        return None
    return p.stdout


def validate(name, instance, what):
    global checked
    checked += 1
    schema = {"$schema": doc["$schema"], "$defs": doc["$defs"], "$ref": f"#/$defs/{name}"}
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(instance))
    for e in errors[:5]:
        path = "/".join(str(p) for p in e.absolute_path)
        failures.append(f"{what}: {name} at /{path}: {e.message[:200]}")
    print(f"{'ok' if not errors else 'FAIL'}: {what} ({name}, {len(errors)} errors)")


def json_of(name, args):
    out = run(args)
    if out is not None:
        try:
            validate(name, json.loads(out), "ramsift " + " ".join(args))
        except json.JSONDecodeError as e:
            failures.append(f"ramsift {' '.join(args)}: not one JSON document: {e}")


def json_lines(name, args, limit=3000):
    out = run(args)
    if out is None:
        return []
    lines = [json.loads(l) for l in out.splitlines()[:limit] if l.strip()]
    schema = {"$schema": doc["$schema"], "$defs": doc["$defs"], "type": "array", "items": {"$ref": f"#/$defs/{name}"}}
    global checked
    checked += 1
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(lines))
    for e in errors[:5]:
        failures.append(f"ramsift {' '.join(args)}: line {e.absolute_path[0] + 1 if e.absolute_path else '?'}: "
                        f"{e.message[:200]}")
    print(f"{'ok' if not errors else 'FAIL'}: ramsift {' '.join(args)} ({len(lines)} lines, {len(errors)} errors)")
    return lines


def csv_header(command, args, prefix_only=False):
    global checked
    checked += 1
    out = run(args)
    if out is None:
        return
    got = out.splitlines()[0].split(",") if out else []
    want = [c for c in doc["x-csv"][command] if not c.startswith("<")]
    ok = got[:len(want)] == want if prefix_only else got == want
    if not ok:
        failures.append(f"ramsift {' '.join(args)}: CSV header {got}, schema says {doc['x-csv'][command]}")
    print(f"{'ok' if ok else 'FAIL'}: ramsift {' '.join(args)} (CSV header)")


with tempfile.TemporaryDirectory() as tmp:
    text = f"{tmp}/po.txt"
    with open(text, "wb") as f:
        subprocess.run(["zstd", "-dqc", f"{sample}/page_owner.txt.zst"], stdout=f, check=True)
    json_of("ramsift.info", ["info", dump, "--format", "json"])
    json_of("ramsift.info", ["info", dump, "--no-kernel", "--format", "json"])
    records = json_lines("page_owner_record", ["page-owner", "-q", dump, "--format", "json"])
    json_lines("page_owner_record", ["page-owner", "-q", "--freed", dump, "--format", "json"])
    json_lines("page_owner_record", ["page-owner", "-q", text, "--format", "json"])
    for by in ("stack", "tgid,comm,pid", "module,allocator,category"):
        json_of("ramsift.top", ["top", dump, "--by", by, "--top", "20", "--format", "json"])
    json_of("ramsift.top", ["top", text, "--by", "tgid", "--format", "json"])
    for by in ("stack", "tgid", "comm", "module", "category"):
        json_of("ramsift.diff", ["diff", text, dump, "--by", by, "--format", "json"])
    compound = next((r for r in records if r["order"] > 0), records[0] if records else None)
    if compound:
        # A compound tail too, and an address that fails: one document.
        json_of("ramsift.page", ["page", dump, f"pfn:{records[0]['pfn']}", f"pfn:{compound['pfn'] + 1}",
                                 "pfn:0x7fffffffff", "--format", "json"])
        json_of("ramsift.stack_record", ["page", dump, "--handle", str(records[0]["stack_handle"]), "--format", "json"])
    json_of("ramsift.ps", ["ps", dump, "--format", "json"])
    json_of("ramsift.vtop", ["vtop", dump, "linux_banner", "init_task", "--format", "json"])
    csv_header("page-owner", ["page-owner", "-q", dump, "--format", "csv"])
    csv_header("top", ["top", dump, "--format", "csv"], prefix_only=True)
    csv_header("diff", ["diff", text, dump, "--format", "csv"], prefix_only=True)
    csv_header("ps", ["ps", dump, "--format", "csv"])
    csv_header("vtop", ["vtop", dump, "linux_banner", "--format", "csv"])
    csv_header("info", ["info", dump, "--format", "csv"])

for f in failures:
    print("FAIL:", f)
print(f"{checked} outputs checked, {len(failures)} failures")
sys.exit(1 if failures or not checked else 0)
