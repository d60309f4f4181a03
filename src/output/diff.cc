#include "ramsift/output/diff.h"

#include <algorithm>
#include <string>
#include <vector>

#include "ramsift/output/json.h"

namespace ramsift {

std::string signed_size(int64_t bytes) {
  if (bytes == 0) return human_size(0);
  uint64_t magnitude = bytes < 0 ? uint64_t(0) - static_cast<uint64_t>(bytes) : static_cast<uint64_t>(bytes);
  return (bytes < 0 ? "-" : "+") + human_size(magnitude);
}

namespace {

std::string signed_number(int64_t v) {
  return (v > 0 ? "+" : "") + std::to_string(v);
}

std::string pad_left(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}
std::string pad_right(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

void side_text(const DiffSide& s, uint64_t page_size, std::ostream& out) {
  out << s.matched_records << " records, " << s.matched_pages << " pages (" << human_size(s.matched_pages * page_size)
      << ")";
  if (s.matched_records != s.records) out << " of " << s.records << " records read";
}

int64_t net(const DiffResult& r) {
  return static_cast<int64_t>(r.after.matched_pages) - static_cast<int64_t>(r.before.matched_pages);
}

void print_text(const DiffResult& r, uint64_t page_size, std::ostream& out) {
  out << "before: ";
  side_text(r.before, page_size, out);
  out << "\nafter:  ";
  side_text(r.after, page_size, out);
  int64_t n = net(r);
  out << "\nchange: " << signed_number(n) << " pages (" << signed_size(n * static_cast<int64_t>(page_size)) << "); by "
      << diff_key_name(r.by) << ": " << r.grew_count + r.new_count << " grew (" << r.new_count << " new, +"
      << r.grew_pages << " pages), " << r.shrank_count + r.vanished_count << " shrank (" << r.vanished_count
      << " vanished, -" << r.shrank_pages << " pages), " << r.same_count << " unchanged";
  size_t listed = r.grew_count + r.new_count + r.shrank_count + r.vanished_count;
  if (r.entries.size() != listed) out << "; " << r.entries.size() << " shown";
  out << '\n';

  const bool stack = r.by == DiffKey::Stack;
  std::vector<std::string> header = {"BEFORE", "AFTER", "DELTA", "SIZE", "CHANGE"};
  if (!stack) {
    std::string name(diff_key_name(r.by));
    for (char& c : name) c = static_cast<char>(c - 'a' + 'A');
    header.push_back(name);
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const DiffEntry& e : r.entries) {
    std::vector<std::string> row = {
        std::to_string(e.before_pages), std::to_string(e.after_pages), signed_number(e.delta_pages()),
        signed_size(e.delta_pages() * static_cast<int64_t>(page_size)), std::string(diff_change_name(e.change()))};
    if (!stack) row.push_back(e.key);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    rows.push_back(std::move(row));
  }
  auto line = [&](const std::vector<std::string>& row) {
    std::string s;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) s += "  ";
      s += i < 4 ? pad_left(row[i], width[i]) : i + 1 == row.size() ? row[i] : pad_right(row[i], width[i]);
    }
    out << s << '\n';
  };
  line(header);
  for (size_t i = 0; i < rows.size(); ++i) {
    line(rows[i]);
    if (stack) {
      for (const std::string& frame : r.entries[i].stack) out << "    " << frame << '\n';
      if (r.entries[i].stack.empty()) out << "    (no stack)\n";
      out << '\n';
    }
  }
}

void side_json(JsonWriter& j, const DiffSide& s, uint64_t page_size) {
  j.begin_object();
  j.key("records"), j.value(s.records);
  j.key("pages"), j.value(s.pages);
  j.key("matched_records"), j.value(s.matched_records);
  j.key("matched_pages"), j.value(s.matched_pages);
  j.key("matched_bytes"), j.value(s.matched_pages * page_size);
  j.key("problems"), j.value(static_cast<uint64_t>(s.problems.size()));
  j.end_object();
}

void print_json(const DiffResult& r, uint64_t page_size, std::ostream& out) {
  JsonWriter j(out);
  j.begin_object();
  j.key("schema"), j.value("ramsift.diff");
  j.key("version"), j.value(1);
  j.key("by"), j.value(diff_key_name(r.by));
  j.key("page_size"), j.value(page_size);
  j.key("before"), side_json(j, r.before, page_size);
  j.key("after"), side_json(j, r.after, page_size);
  int64_t n = net(r);
  j.key("delta_pages"), j.value(static_cast<int64_t>(n));
  j.key("delta_bytes"), j.value(static_cast<int64_t>(n * static_cast<int64_t>(page_size)));
  j.key("counts");
  j.begin_object();
  j.key("new"), j.value(r.new_count);
  j.key("vanished"), j.value(r.vanished_count);
  j.key("grew"), j.value(r.grew_count);
  j.key("shrank"), j.value(r.shrank_count);
  j.key("unchanged"), j.value(r.same_count);
  j.key("grew_pages"), j.value(r.grew_pages);
  j.key("shrank_pages"), j.value(r.shrank_pages);
  j.end_object();
  j.key("entries");
  j.begin_array();
  for (const DiffEntry& e : r.entries) {
    j.begin_object();
    j.key("change"), j.value(diff_change_name(e.change()));
    j.key("before_pages"), j.value(e.before_pages);
    j.key("after_pages"), j.value(e.after_pages);
    j.key("delta_pages"), j.value(static_cast<int64_t>(e.delta_pages()));
    j.key("delta_bytes"), j.value(static_cast<int64_t>(e.delta_pages() * static_cast<int64_t>(page_size)));
    j.key("before_records"), j.value(e.before_records);
    j.key("after_records"), j.value(e.after_records);
    j.key(diff_key_name(r.by));
    if (r.by == DiffKey::Stack) {
      j.begin_array();
      for (const std::string& f : e.stack) j.value(f);
      j.end_array();
    } else {
      if (r.by == DiffKey::Tgid || r.by == DiffKey::Pid) {
        if (e.key.empty())
          j.null();
        else
          j.value(static_cast<int64_t>(std::stoll(e.key)));
      } else {
        j.value(e.key);
      }
    }
    j.end_object();
  }
  j.end_array();
  j.end_object();
}

void print_csv(const DiffResult& r, uint64_t page_size, std::ostream& out) {
  out << "change,before_pages,after_pages,delta_pages,delta_bytes,before_records,after_records," << diff_key_name(r.by)
      << '\n';
  for (const DiffEntry& e : r.entries) {
    out << diff_change_name(e.change()) << ',' << e.before_pages << ',' << e.after_pages << ',' << e.delta_pages()
        << ',' << e.delta_pages() * static_cast<int64_t>(page_size) << ',' << e.before_records << ',' << e.after_records
        << ',';
    if (r.by == DiffKey::Stack) {
      std::string joined;
      for (const std::string& f : e.stack) (joined += joined.empty() ? "" : ";") += f;
      write_csv_field(out, joined);
    } else {
      write_csv_field(out, e.key);
    }
    out << '\n';
  }
}

}  // namespace

void print_diff(const DiffResult& result, OutputFormat format, uint64_t page_size, std::ostream& out) {
  switch (format) {
    case OutputFormat::Text: print_text(result, page_size, out); break;
    case OutputFormat::Json: print_json(result, page_size, out); break;
    case OutputFormat::Csv: print_csv(result, page_size, out); break;
  }
}

}  // namespace ramsift
