#include "ramsift/output/top.h"

#include <algorithm>
#include <string>
#include <vector>

#include "ramsift/output/json.h"
#include "ramsift/output/show_stacks.h"

namespace ramsift {

namespace {

std::string scalar_key(const TopGroup& g, GroupKey k) {
  switch (k) {
    case GroupKey::Pid: return g.pid ? std::to_string(*g.pid) : "-";
    case GroupKey::Tgid: return g.tgid ? std::to_string(*g.tgid) : "-";
    case GroupKey::Comm: return g.comm;
    case GroupKey::Module: return g.module;
    case GroupKey::Allocator: return g.allocator;
    case GroupKey::Category: return g.category;
    case GroupKey::Stack: break;
  }
  return {};
}

std::string upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return u;
}

std::string pad_left(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}
std::string pad_right(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string by_list(const TopResult& r) {
  std::string s;
  for (GroupKey k : r.by) {
    if (!s.empty()) s += ',';
    s += group_key_name(k);
  }
  return s;
}

void print_text(const TopResult& r, uint64_t page_size, std::ostream& out) {
  out << r.matched_records << " records, " << r.matched_pages << " pages (" << human_size(r.matched_pages * page_size)
      << ")";
  if (r.matched_records != r.records) out << " of " << r.records << " records, " << r.pages << " pages read";
  out << "; " << r.groups_total << " groups by " << by_list(r);
  if (r.groups.size() != r.groups_total) out << ", " << r.groups.size() << " shown";
  out << '\n';

  std::vector<GroupKey> scalars;
  bool stack = false;
  for (GroupKey k : r.by) {
    if (k == GroupKey::Stack)
      stack = true;
    else
      scalars.push_back(k);
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"PAGES", "SIZE", "RECORDS"};
  for (GroupKey k : scalars) header.push_back(upper(group_key_name(k)));
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const TopGroup& g : r.groups) {
    std::vector<std::string> row = {std::to_string(g.pages), human_size(g.pages * page_size),
                                    std::to_string(g.records)};
    for (GroupKey k : scalars)
      row.push_back(k == GroupKey::Tgid && g.tgid && !g.process.empty() ? scalar_key(g, k) + " (" + g.process + ")"
                                                                        : scalar_key(g, k));
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    rows.push_back(std::move(row));
  }
  auto line = [&](const std::vector<std::string>& row) {
    std::string s;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) s += "  ";
      // Numbers right-aligned, names left-aligned; the last column is not padded.
      s += i < 3 ? pad_left(row[i], width[i]) : i + 1 == row.size() ? row[i] : pad_right(row[i], width[i]);
    }
    out << s << '\n';
  };
  line(header);
  for (size_t i = 0; i < rows.size(); ++i) {
    line(rows[i]);
    if (stack) {
      for (const std::string& frame : r.groups[i].stack) out << "    " << frame << '\n';
      if (r.groups[i].stack.empty()) out << "    (no stack)\n";
      out << '\n';
    }
  }
}

void print_json(const TopResult& r, uint64_t page_size, std::ostream& out) {
  JsonWriter j(out);
  j.begin_object();
  j.key("schema"), j.value("ramsift.top");
  j.key("version"), j.value(1);
  j.key("records"), j.value(r.records);
  j.key("pages"), j.value(r.pages);
  j.key("page_size"), j.value(page_size);
  j.key("matched_records"), j.value(r.matched_records);
  j.key("matched_pages"), j.value(r.matched_pages);
  j.key("groups_total"), j.value(r.groups_total);
  j.key("problems"), j.value(static_cast<uint64_t>(r.problems.size()));
  j.key("by");
  j.begin_array();
  for (GroupKey k : r.by) j.value(group_key_name(k));
  j.end_array();
  j.key("groups");
  j.begin_array();
  for (const TopGroup& g : r.groups) {
    j.begin_object();
    j.key("pages"), j.value(g.pages);
    j.key("bytes"), j.value(g.pages * page_size);
    j.key("records"), j.value(g.records);
    for (GroupKey k : r.by) {
      j.key(group_key_name(k));
      if (k == GroupKey::Stack) {
        j.begin_array();
        for (const std::string& f : g.stack) j.value(f);
        j.end_array();
      } else if ((k == GroupKey::Pid && g.pid) || (k == GroupKey::Tgid && g.tgid)) {
        j.value(static_cast<int64_t>(k == GroupKey::Pid ? *g.pid : *g.tgid));
        if (k == GroupKey::Tgid) j.key("process"), j.value(g.process);
      } else if (k == GroupKey::Pid || k == GroupKey::Tgid) {
        j.null();
      } else {
        j.value(scalar_key(g, k));
      }
    }
    j.end_object();
  }
  j.end_array();
  j.end_object();
}

void print_csv(const TopResult& r, uint64_t page_size, std::ostream& out) {
  out << "pages,bytes,records";
  for (GroupKey k : r.by) out << ',' << group_key_name(k) << (k == GroupKey::Tgid ? ",process" : "");
  out << '\n';
  for (const TopGroup& g : r.groups) {
    out << g.pages << ',' << g.pages * page_size << ',' << g.records;
    for (GroupKey k : r.by) {
      out << ',';
      if (k == GroupKey::Stack) {
        std::string joined;
        for (const std::string& f : g.stack) {
          if (!joined.empty()) joined += ';';
          joined += f;
        }
        write_csv_field(out, joined);
      } else {
        write_csv_field(out, scalar_key(g, k));
        if (k == GroupKey::Tgid) out << ',', write_csv_field(out, g.process);
      }
    }
    out << '\n';
  }
}

}  // namespace

void print_top(const TopResult& result, OutputFormat format, uint64_t page_size, std::ostream& out) {
  switch (format) {
    case OutputFormat::Text: print_text(result, page_size, out); break;
    case OutputFormat::Json: print_json(result, page_size, out); break;
    case OutputFormat::Csv: print_csv(result, page_size, out); break;
  }
}

void print_top_report(const TopReport& report, OutputFormat format, std::ostream& out) {
  if (report.compat_text)
    out.write(report.compat_text->data(), static_cast<std::streamsize>(report.compat_text->size()));
  else if (report.kernel_stacks)
    print_show_stacks(*report.kernel_stacks, out);
  else if (report.stacks)
    print_show_stacks(report.result, out);
  else
    print_top(report.result, format, report.page_size, out);
}

}  // namespace ramsift
