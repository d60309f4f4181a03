#include "ramsift/output/dump_info.h"

#include <cinttypes>
#include <cstdio>

#include "ramsift/output/json.h"

namespace ramsift {

namespace {

std::string range_text(const PhysRange& r) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "0x%016" PRIx64 "-0x%016" PRIx64, r.start.value(), r.end().value() - 1);
  return buf;
}

std::string format_text(const DumpInfo& info) {
  std::string f = info.format;
  if (info.flattened) f += " (flattened)";
  if (info.split_parts > 1) f += " (split, " + std::to_string(info.split_parts) + " parts)";
  return f;
}

uint64_t total_size(const Dump& dump) {
  uint64_t total = 0;
  for (const PhysRange& r : dump.ranges()) total += r.size;
  return total;
}

void print_text(const Dump& dump, std::ostream& out) {
  const DumpInfo& info = dump.info();
  auto row = [&](const char* key, const std::string& value) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%-16s", key);
    out << buf << value << '\n';
  };
  row("format", format_text(info));
  for (size_t i = 0; i < info.files.size(); ++i) row(i == 0 ? "files" : "", info.files[i]);
  std::string arch = info.arch == Arch::Unknown ? "unknown (give --arch)" : std::string(arch_name(info.arch));
  if (info.elf_machine) arch += " (ELF machine " + std::to_string(info.elf_machine) + ")";
  row("arch", arch);
  row("page size", info.page_size ? std::to_string(info.page_size) : "unknown");
  if (!info.release.empty()) row("release", info.release);
  if (info.phys_base) row("phys_base", hex(*info.phys_base));
  if (info.prstatus_count) row("cpus (prstatus)", std::to_string(info.prstatus_count));
  row("memory", human_size(total_size(dump)) + " in " + std::to_string(dump.ranges().size()) + " ranges");
  for (const PhysRange& r : dump.ranges()) out << "  " << range_text(r) << "  " << human_size(r.size) << '\n';
  row("excluded", std::to_string(info.excluded_pages) + " pages");
  for (const AuxFile& f : info.aux_files)
    row("aux file", f.name + (f.base ? " at " + hex(f.base->value()) : "") + " (" + human_size(f.size) + ")");
  if (info.vmcoreinfo) {
    out << "vmcoreinfo\n";
    size_t start = 0;
    const std::string& v = *info.vmcoreinfo;
    while (start < v.size()) {
      size_t end = v.find('\n', start);
      if (end == std::string::npos) end = v.size();
      if (end > start) out << "  " << v.substr(start, end - start) << '\n';
      start = end + 1;
    }
  } else {
    row("vmcoreinfo", "none");
  }
}

}  // namespace

void write_dump_info_json(JsonWriter& j, const Dump& dump) {
  const DumpInfo& info = dump.info();
  j.begin_object();
  j.key("format");
  j.value(info.format);
  j.key("flattened");
  j.value(info.flattened);
  j.key("split_parts");
  j.value(info.split_parts);
  j.key("files");
  j.begin_array();
  for (const std::string& f : info.files) j.value(f);
  j.end_array();
  j.key("arch");
  if (info.arch == Arch::Unknown)
    j.null();
  else
    j.value(std::string(arch_name(info.arch)));
  j.key("elf_machine");
  j.value(static_cast<unsigned>(info.elf_machine));
  j.key("page_size");
  j.value(info.page_size);
  j.key("release");
  j.value(info.release);
  j.key("phys_base");
  if (info.phys_base)
    j.value(*info.phys_base);
  else
    j.null();
  j.key("prstatus_count");
  j.value(info.prstatus_count);
  j.key("memory_bytes");
  j.value(total_size(dump));
  j.key("ranges");
  j.begin_array();
  for (const PhysRange& r : dump.ranges()) {
    j.begin_object();
    j.key("start");
    j.value(r.start.value());
    j.key("size");
    j.value(r.size);
    j.end_object();
  }
  j.end_array();
  j.key("excluded_pages");
  j.value(info.excluded_pages);
  j.key("aux_files");
  j.begin_array();
  for (const AuxFile& f : info.aux_files) {
    j.begin_object();
    j.key("name");
    j.value(f.name);
    j.key("path");
    j.value(f.path);
    j.key("base");
    if (f.base)
      j.value(f.base->value());
    else
      j.null();
    j.key("size");
    j.value(f.size);
    j.end_object();
  }
  j.end_array();
  j.key("vmcoreinfo");
  if (info.vmcoreinfo)
    j.value(*info.vmcoreinfo);
  else
    j.null();
  j.key("problems");
  write_json_errors(j, dump.problems());
  j.end_object();
}

namespace {

void print_csv(const Dump& dump, std::ostream& out) {
  // One table: the physical ranges, the unit scripts most want.
  out << "start,end,size\n";
  for (const PhysRange& r : dump.ranges())
    out << hex(r.start.value()) << ',' << hex(r.end().value()) << ',' << r.size << '\n';
}

}  // namespace

void print_dump_info(const Dump& dump, OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::Text: print_text(dump, out); break;
    case OutputFormat::Json: {  // the "dump" object alone (info's document: kernel_info.h)
      JsonWriter j(out);
      write_dump_info_json(j, dump);
      out << '\n';
      break;
    }
    case OutputFormat::Csv: print_csv(dump, out); break;
  }
}

}  // namespace ramsift
