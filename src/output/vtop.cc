#include "ramsift/output/vtop.h"

#include <cstdio>

#include "ramsift/base/error.h"
#include "ramsift/output/json.h"

namespace ramsift {

namespace {

// "4 KiB", "2 MiB", "1 GiB", "512 MiB".
std::string size_name(uint64_t size) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  unsigned u = 0;
  while (size >= 1024 && size % 1024 == 0 && u + 1 < std::size(units)) {
    size /= 1024;
    ++u;
  }
  return std::to_string(size) + " " + units[u];
}

std::string steps_field(const WalkTrace& steps) {
  std::string s;
  for (const WalkStep& step : steps) {
    if (!s.empty()) s += ' ';
    s += std::string(step.level) + ":" + hex_digits(step.entry_address.value()) + "=" + hex_digits(step.entry);
  }
  return s;
}

void print_text(const std::vector<VtopEntry>& entries, std::ostream& out) {
  char line[256];
  bool first = true;
  for (const VtopEntry& e : entries) {
    if (!first) out << '\n';
    first = false;
    std::snprintf(line, sizeof line, "%-16s  %-16s  %-9s  %s\n", "VIRTUAL", "PHYSICAL", "PAGE SIZE", "FAST PATH");
    out << line;
    std::string fast = "none";
    if (!e.fast_path.empty())
      fast = e.fast_path + " " + hex_digits(e.fast_pa->value()) + " (" + e.fast_path_verdict() + ")";
    std::snprintf(line, sizeof line, "%-16s  %-16s  %-9s  %s\n", hex_digits(e.va.value()).c_str(),
                  e.translation ? hex_digits(e.translation->pa.value()).c_str() : "(not mapped)",
                  e.translation ? size_name(e.translation->page_size).c_str() : "-", fast.c_str());
    out << line;
    if (e.steps.empty()) continue;
    out << '\n';
    std::snprintf(line, sizeof line, "  %-5s  %16s  %5s  %16s  %16s\n", "LEVEL", "TABLE", "INDEX", "ENTRY AT", "ENTRY");
    out << line;
    for (size_t i = 0; i < e.steps.size(); ++i) {
      const WalkStep& s = e.steps[i];
      bool last = i + 1 == e.steps.size();
      std::string note;
      if (last && e.translation && e.translation->page_size > 4096 && s.level != std::string("PTE"))
        note = "  " + size_name(e.translation->page_size) + " page at " +
               hex_digits(e.translation->mapping_start().value());
      else if (last && !e.translation)
        note = "  " + e.error;
      std::snprintf(line, sizeof line, "  %-5s  %16s  %5s  %16s  %16s", s.level, hex_digits(s.table.value()).c_str(),
                    hex_digits(s.index).c_str(), hex_digits(s.entry_address.value()).c_str(),
                    hex_digits(s.entry).c_str());
      out << line << note << '\n';
    }
  }
}

void print_json(const std::vector<VtopEntry>& entries, std::ostream& out) {
  JsonWriter j(out);
  j.begin_array();
  for (const VtopEntry& e : entries) {
    j.begin_object();
    j.key("input");
    j.value(e.input);
    j.key("virtual");
    j.value(hex(e.va.value()));
    j.key("physical");
    if (e.translation)
      j.value(hex(e.translation->pa.value()));
    else
      j.null();
    j.key("page_size");
    if (e.translation)
      j.value(e.translation->page_size);
    else
      j.null();
    j.key("fast_path");
    if (e.fast_path.empty())
      j.null();
    else
      j.value(e.fast_path);
    j.key("fast_path_physical");
    if (e.fast_pa)
      j.value(hex(e.fast_pa->value()));
    else
      j.null();
    j.key("fast_path_agrees");
    if (e.fast_path.empty())
      j.null();
    else
      j.value(e.translation && e.translation->pa == *e.fast_pa);
    j.key("levels");
    j.begin_array();
    for (const WalkStep& s : e.steps) {
      j.begin_object();
      j.key("level");
      j.value(s.level);
      j.key("table");
      j.value(hex(s.table.value()));
      j.key("index");
      j.value(s.index);
      j.key("entry_address");
      j.value(hex(s.entry_address.value()));
      j.key("entry");
      j.value(hex(s.entry));
      j.end_object();
    }
    j.end_array();
    j.key("error");
    if (e.translation)
      j.null();
    else
      j.value(e.error);
    j.end_object();
  }
  j.end_array();
  out << '\n';
}

void print_csv(const std::vector<VtopEntry>& entries, std::ostream& out) {
  out << "virtual,physical,page_size,fast_path,fast_path_physical,fast_path_agrees,levels,error\n";
  for (const VtopEntry& e : entries) {
    out << hex(e.va.value()) << ',' << (e.translation ? hex(e.translation->pa.value()) : "") << ','
        << (e.translation ? std::to_string(e.translation->page_size) : "") << ',';
    write_csv_field(out, e.fast_path);
    out << ',' << (e.fast_pa ? hex(e.fast_pa->value()) : "") << ','
        << (e.fast_path.empty()                                  ? ""
            : (e.translation && e.translation->pa == *e.fast_pa) ? "yes"
                                                                 : "no")
        << ',';
    write_csv_field(out, steps_field(e.steps));
    out << ',';
    write_csv_field(out, e.translation ? "" : e.error);
    out << '\n';
  }
}

}  // namespace

void print_vtop(const std::vector<VtopEntry>& entries, OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::Json: return print_json(entries, out);
    case OutputFormat::Csv: return print_csv(entries, out);
    case OutputFormat::Text: return print_text(entries, out);
  }
}

namespace {

void print_tally(const FastPathTally& t, std::ostream& out) {
  char line[512];
  std::snprintf(line, sizeof line,
                "%s: %llu tried, %llu agree, %llu disagree, %llu not mapped by the page tables, %llu page-table "
                "pages not in the dump, %llu other errors, %llu outside every fast path (%.2f s)\n",
                t.what.c_str(), static_cast<unsigned long long>(t.tried), static_cast<unsigned long long>(t.agree),
                static_cast<unsigned long long>(t.disagree), static_cast<unsigned long long>(t.unmapped),
                static_cast<unsigned long long>(t.no_data), static_cast<unsigned long long>(t.other),
                static_cast<unsigned long long>(t.no_fast_path), t.seconds);
  out << line;
  for (const FastPathTally::Span& s : t.unmapped_spans) {
    if (!s.fast)
      std::snprintf(line, sizeof line, "  not mapped: va %#llx-%#llx (no fast path), %llu addresses\n",
                    static_cast<unsigned long long>(s.first_va), static_cast<unsigned long long>(s.last_va),
                    static_cast<unsigned long long>(s.count));
    else
      std::snprintf(line, sizeof line, "  not mapped: va %#llx-%#llx (fast path pa %#llx-%#llx), %llu addresses\n",
                    static_cast<unsigned long long>(s.first_va), static_cast<unsigned long long>(s.last_va),
                    static_cast<unsigned long long>(s.first_pa), static_cast<unsigned long long>(s.last_pa),
                    static_cast<unsigned long long>(s.count));
    out << line;
  }
  for (const std::string& s : t.examples) out << "  " << s << '\n';
}

}  // namespace

void print_fast_path_report(const FastPathReport& report, std::ostream& out) {
  char line[256];
  out << arch_name(report.arch) << ", fast paths:";
  for (const DirectMapping& m : report.mappings) {
    std::snprintf(line, sizeof line, " %s [%#llx, +%#llx) -> pa %#llx;", m.name.c_str(),
                  static_cast<unsigned long long>(m.start.value()), static_cast<unsigned long long>(m.size),
                  static_cast<unsigned long long>(m.phys_start.value()));
    out << line;
  }
  out << '\n';
  print_tally(report.image, out);
  print_tally(report.linear, out);
  out << (report.ok() ? "fast paths agree with the walk" : "FAIL: fast paths and walk differ") << '\n';
}

}  // namespace ramsift
