// The debugfs page_owner text, read and written.
//
// The format strings come from print_page_owner() and print_page_owner_memcg()
// in mm/page_owner.c; their history is in docs/top.md. The parser accepts a
// number only in the form the kernel prints it (no leading zeros, lowercase
// hex, "0x0" for zero), which is what makes parse -> print the identity.
#include "ramsift/decode/page_owner_text.h"

#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>

namespace ramsift {

PageOwnerTextFormat page_owner_text_format_of(unsigned major, unsigned minor) {
  auto at_least = [&](unsigned ma, unsigned mi) { return major > ma || (major == ma && minor >= mi); };
  PageOwnerTextFormat f;
  if (at_least(6, 8))
    f.line1 = PageOwnerLine1::Tgid;  // free_ts no longer printed (it left struct page_owner's output in 6.8)
  else if (at_least(5, 18))
    f.line1 = PageOwnerLine1::TgidFreeTs;
  else if (at_least(5, 11))
    f.line1 = PageOwnerLine1::PidFreeTs;
  else
    f.line1 = PageOwnerLine1::Order;
  // 6.4.6 prints the PFN in decimal, 6.6.9 in hex; 6.5 is unverified and taken as decimal.
  f.pfn_hex = at_least(6, 6);
  return f;
}

namespace {

// A cursor over one line; every parse_* consumes on success only.
class LineCursor {
 public:
  explicit LineCursor(std::string_view line) : rest_(line) {}
  std::string_view rest() const { return rest_; }
  bool done() const { return rest_.empty(); }

  bool literal(std::string_view s) {
    if (rest_.substr(0, s.size()) != s) return false;
    rest_.remove_prefix(s.size());
    return true;
  }
  // A canonical decimal: "0" or a non-zero digit first.
  bool decimal(uint64_t& out) {
    size_t n = 0;
    while (n < rest_.size() && rest_[n] >= '0' && rest_[n] <= '9') ++n;
    if (n == 0 || (n > 1 && rest_[0] == '0')) return false;
    auto r = std::from_chars(rest_.data(), rest_.data() + n, out);
    if (r.ec != std::errc()) return false;
    rest_.remove_prefix(n);
    return true;
  }
  bool decimal32(uint32_t& out) {
    uint64_t v;
    std::string_view saved = rest_;
    if (!decimal(v) || v > std::numeric_limits<uint32_t>::max()) return (rest_ = saved, false);
    out = static_cast<uint32_t>(v);
    return true;
  }
  // %d: an optional '-' and a canonical decimal; "-0" is not something printf makes.
  bool signed32(int32_t& out) {
    std::string_view saved = rest_;
    bool negative = literal("-");
    uint64_t v;
    if (!decimal(v) || (negative && v == 0) || v > (negative ? 2147483648ull : 2147483647ull))
      return (rest_ = saved, false);
    out = negative ? static_cast<int32_t>(-static_cast<int64_t>(v)) : static_cast<int32_t>(v);
    return true;
  }
  // "0x" and canonical lowercase hex ("0x0" for zero), as %#lx and 0x%lx print.
  bool hex64(uint64_t& out) {
    std::string_view saved = rest_;
    if (!literal("0x")) return false;
    size_t n = 0;
    while (n < rest_.size() && ((rest_[n] >= '0' && rest_[n] <= '9') || (rest_[n] >= 'a' && rest_[n] <= 'f'))) ++n;
    if (n == 0 || (n > 1 && rest_[0] == '0')) return (rest_ = saved, false);
    auto r = std::from_chars(rest_.data(), rest_.data() + n, out, 16);
    if (r.ec != std::errc()) return (rest_ = saved, false);
    rest_.remove_prefix(n);
    return true;
  }
  bool hex32(uint32_t& out) {
    uint64_t v;
    std::string_view saved = rest_;
    if (!hex64(v) || v > std::numeric_limits<uint32_t>::max()) return (rest_ = saved, false);
    out = static_cast<uint32_t>(v);
    return true;
  }
  // Up to (not including) the first `stop`, which must exist.
  bool until(char stop, std::string_view& out) {
    size_t n = rest_.find(stop);
    if (n == std::string_view::npos) return false;
    out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return true;
  }
  // A non-empty run of characters other than ' '.
  bool token(std::string_view& out) {
    size_t n = rest_.find(' ');
    if (n == 0) return false;
    if (n == std::string_view::npos) n = rest_.size();
    out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return true;
  }

 private:
  std::string_view rest_;
};

constexpr std::string_view kLine1Prefix = "Page allocated via order ";
constexpr std::string_view kMigrated = "Page has been migrated, last migrate reason: ";
constexpr std::string_view kSlabCachePage = "Slab cache page";
constexpr std::string_view kCharged = "Charged ";

// "ts %llu ns" [", free_ts %llu ns"] at the end of line 1.
bool parse_ts_tail(LineCursor& c, PageOwnerRecord& r, bool& has_free_ts) {
  uint64_t ts;
  if (!c.literal("ts ") || !c.decimal(ts) || !c.literal(" ns")) return false;
  r.ts_nsec = ts;
  has_free_ts = false;
  if (c.done()) return true;
  uint64_t free_ts;
  if (!c.literal(", free_ts ") || !c.decimal(free_ts) || !c.literal(" ns") || !c.done()) return false;
  r.free_ts_nsec = free_ts;
  has_free_ts = true;
  return true;
}

// Line 1; sets `line1` to the variant it is written in. An empty string on
// success, else what is wrong.
std::string parse_line1(std::string_view line, PageOwnerRecord& r, PageOwnerLine1& line1) {
  LineCursor c(line);
  if (!c.literal(kLine1Prefix)) return "expected \"Page allocated via order ...\"";
  std::string_view flags;
  if (!c.decimal32(r.order)) return "bad order";
  if (!c.literal(", mask ") || !c.hex32(r.gfp_mask)) return "bad gfp mask";
  if (!c.literal("(") || !c.until(')', flags) || !c.literal(")")) return "bad gfp flag names";
  r.gfp_flags.assign(flags);
  r.pid.reset();
  r.tgid.reset();
  r.comm.clear();
  r.ts_nsec.reset();
  r.free_ts_nsec.reset();
  if (c.done()) {
    line1 = PageOwnerLine1::Order;
    return {};
  }
  int32_t pid;
  if (!c.literal(", pid ") || !c.signed32(pid)) return "bad pid";
  r.pid = pid;
  bool has_free_ts = false;
  if (c.literal(", tgid ")) {
    int32_t tgid;
    if (!c.signed32(tgid) || !c.literal(" (")) return "bad tgid";
    r.tgid = tgid;
    // The comm is arbitrary text: it ends at the last "), ts " whose tail parses.
    std::string_view rest = c.rest();
    for (size_t end = rest.rfind("), ts "); end != std::string_view::npos;
         end = end == 0 ? std::string_view::npos : rest.rfind("), ts ", end - 1)) {
      LineCursor tail(rest.substr(end + 3));
      if (parse_ts_tail(tail, r, has_free_ts)) {
        r.comm.assign(rest.substr(0, end));
        line1 = has_free_ts ? PageOwnerLine1::TgidFreeTs : PageOwnerLine1::Tgid;
        return {};
      }
    }
    return "bad comm or timestamps";
  }
  if (!c.literal(", ") || !parse_ts_tail(c, r, has_free_ts) || !has_free_ts) return "bad timestamps";
  line1 = PageOwnerLine1::PidFreeTs;
  return {};
}

std::string parse_pfn_line(std::string_view line, PageOwnerRecord& r, bool& pfn_hex) {
  LineCursor c(line);
  if (!c.literal("PFN ")) return "expected \"PFN ...\"";
  pfn_hex = c.rest().substr(0, 2) == "0x";
  if (!(pfn_hex ? c.hex64(r.pfn) : c.decimal(r.pfn))) return "bad PFN";
  std::string_view mt, block_mt, flags;
  if (!c.literal(" type ") || !c.token(mt)) return "bad page migratetype";
  if (!c.literal(" Block ") || !c.decimal(r.pageblock)) return "bad pageblock";
  if (!c.literal(" type ") || !c.token(block_mt)) return "bad pageblock migratetype";
  if (!c.literal(" Flags ") || !c.hex64(r.page_flags) || !c.literal("(")) return "bad page flags";
  std::string_view rest = c.rest();
  if (rest.empty() || rest.back() != ')') return "bad page flags";
  flags = rest.substr(0, rest.size() - 1);
  r.page_migratetype.assign(mt);
  r.pageblock_migratetype.assign(block_mt);
  r.page_flags_text.assign(flags);
  return {};
}

bool parse_charged(std::string_view line, MemcgCharge& m) {
  LineCursor c(line);
  if (!c.literal(kCharged)) return false;
  m.via_objcg = c.literal("(via objcg) ");
  if (!c.literal("to ")) return false;
  m.online = !c.literal("offline memcg ");
  if (m.online && !c.literal("memcg ")) return false;
  m.name.assign(c.rest());
  return true;
}

void append_decimal(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
void append_signed(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
void append_hex(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v, 16);
  out += "0x";
  out.append(buf, r.ptr);
}

const char* line1_name(PageOwnerLine1 l) {
  switch (l) {
    case PageOwnerLine1::Order: return "5.4-5.10 (order, mask)";
    case PageOwnerLine1::PidFreeTs: return "5.11-5.17 (pid, free_ts)";
    case PageOwnerLine1::TgidFreeTs: return "5.18-6.7 (tgid, free_ts)";
    case PageOwnerLine1::Tgid: return "6.8+ (tgid, no free_ts)";
  }
  return "?";
}

}  // namespace

PageOwnerTextReader::PageOwnerTextReader(std::string_view text, std::string origin)
    : text_(text), origin_(std::move(origin)) {}

Error PageOwnerTextReader::problem_at(uint64_t line, const std::string& message) const {
  return corrupt("line " + std::to_string(line) + ": " + message).in_file(origin_);
}

bool PageOwnerTextReader::next_line(std::string_view& line) {
  if (pos_ >= text_.size()) return false;
  const char* start = text_.data() + pos_;
  size_t left = text_.size() - pos_;
  const void* nl = std::memchr(start, '\n', left);
  size_t len = nl ? static_cast<size_t>(static_cast<const char*>(nl) - start) : left;
  line = std::string_view(start, len);
  last_line_unterminated_ = nl == nullptr;
  pos_ += len + (nl ? 1 : 0);
  ++line_;
  return true;
}

void PageOwnerTextReader::skip_record() {
  std::string_view line;
  while (next_line(line))
    if (line.empty()) return;
}

bool PageOwnerTextReader::next(PageOwnerRecord& r) {
  std::string_view line;
  for (;;) {
    if (!next_line(line)) return false;
    if (line.empty()) {
      problems_.push_back(problem_at(line_, "blank line where a record should start"));
      continue;
    }
    uint64_t first = line_;
    if (last_line_unterminated_) {
      problems_.push_back(problem_at(first, "record truncated by the end of the file"));
      return false;
    }
    PageOwnerTextFormat f;
    std::string why = parse_line1(line, r, f.line1);
    if (!why.empty()) {
      problems_.push_back(problem_at(line_, why));
      skip_record();
      continue;
    }
    if (!next_line(line) || last_line_unterminated_) {
      problems_.push_back(problem_at(first, "record truncated by the end of the file"));
      return false;
    }
    why = parse_pfn_line(line, r, f.pfn_hex);
    if (!why.empty()) {
      problems_.push_back(problem_at(line_, why));
      if (!line.empty()) skip_record();
      continue;
    }
    if (format_known_ && !(f == format_)) {
      problems_.push_back(problem_at(first, std::string("record in a different format (") + line1_name(f.line1) +
                                                (f.pfn_hex ? ", hex PFN" : ", decimal PFN") +
                                                ") from the first record's (" + line1_name(format_.line1) +
                                                (format_.pfn_hex ? ", hex PFN" : ", decimal PFN") + ")"));
      skip_record();
      continue;
    }
    // The stack, then the optional trailer lines in print order, then a blank line.
    size_t frames = 0;
    r.stack_handle.reset();
    r.last_migrate_reason.reset();
    r.slab_cache_page = false;
    r.memcg.reset();
    enum { Stack, Migrated, Slab, Charged } stage = Stack;
    bool complete = false, bad = false;
    while (next_line(line)) {
      if (last_line_unterminated_) break;
      if (line.empty()) {
        complete = true;
        break;
      }
      if (line[0] == ' ' && stage == Stack) {
        if (frames < r.stack.size())
          r.stack[frames].assign(line.substr(1));
        else
          r.stack.emplace_back(line.substr(1));
        ++frames;
      } else if (line.starts_with(kMigrated) && stage < Migrated) {
        r.last_migrate_reason.emplace(line.substr(kMigrated.size()));
        stage = Migrated;
      } else if (line == kSlabCachePage && stage < Slab) {
        r.slab_cache_page = true;
        stage = Slab;
      } else if (line.starts_with(kCharged) && stage < Charged) {
        MemcgCharge m;
        if (!parse_charged(line, m)) {
          problems_.push_back(problem_at(line_, "bad memcg line"));
          bad = true;
          break;
        }
        r.memcg = std::move(m);
        stage = Charged;
      } else {
        problems_.push_back(problem_at(line_, "unexpected line in a record"));
        bad = true;
        break;
      }
    }
    if (bad) {
      skip_record();
      continue;
    }
    if (!complete) {
      problems_.push_back(problem_at(first, "record truncated by the end of the file"));
      return false;
    }
    r.stack.resize(frames);
    if (!format_known_) {
      format_ = f;
      format_known_ = true;
    }
    return true;
  }
}

PageOwnerText parse_page_owner_text(std::string_view text, std::string origin) {
  PageOwnerText out;
  PageOwnerTextReader reader(text, std::move(origin));
  PageOwnerRecord r;
  while (reader.next(r)) out.records.push_back(r);
  out.format = reader.text_format();
  out.problems = reader.problems();
  return out;
}

namespace {

// "%#x(%pGg)": the mask and its flag names, as both record wordings print it.
void append_gfp(std::string& out, const PageOwnerRecord& r) {
  append_hex(out, r.gfp_mask);
  out += '(';
  out += r.gfp_flags;
  out += ')';
}

// "PFN ... type ... Block ... type ... Flags %#lx(...)\n": the PFN line of
// every variant (5.4-5.15 print the wrapper themselves, 5.17+ %pGp does; the
// text is the same).
void append_pfn_line(std::string& out, const PageOwnerRecord& r, const PageOwnerTextFormat& f) {
  out += "PFN ";
  if (f.pfn_hex)
    append_hex(out, r.pfn);
  else
    append_decimal(out, r.pfn);
  out += " type ";
  out += r.page_migratetype;
  out += " Block ";
  append_decimal(out, r.pageblock);
  out += " type ";
  out += r.pageblock_migratetype;
  out += " Flags ";
  append_hex(out, r.page_flags);
  out += '(';
  out += r.page_flags_text;
  out += ")\n";
}

// stack_trace_snprint(): " %pS\n" per frame.
void append_frames(std::string& out, const std::vector<std::string>& frames) {
  for (const std::string& frame : frames) {
    out += ' ';
    out += frame;
    out += '\n';
  }
}

// ", pid %d[, tgid %d (%s)], ts %llu": who allocated and when, as both
// print_page_owner() and __dump_page_owner() write it (callers add " ns").
void append_owner_ts(std::string& out, const PageOwnerRecord& r, const PageOwnerTextFormat& f) {
  out += ", pid ";
  append_signed(out, r.pid.value_or(0));
  if (f.has_tgid()) {
    out += ", tgid ";
    append_signed(out, r.tgid.value_or(0));
    out += " (";
    out += r.comm;
    out += ')';
  }
  out += ", ts ";
  append_decimal(out, r.ts_nsec.value_or(0));
}

}  // namespace

void append_page_owner_record(std::string& out, const PageOwnerRecord& r, const PageOwnerTextFormat& f) {
  out += kLine1Prefix;
  append_decimal(out, r.order);
  out += ", mask ";
  append_gfp(out, r);
  if (f.has_pid()) {
    append_owner_ts(out, r, f);
    out += " ns";
    if (f.has_free_ts()) {
      out += ", free_ts ";
      append_decimal(out, r.free_ts_nsec.value_or(0));
      out += " ns";
    }
  }
  out += '\n';
  append_pfn_line(out, r, f);
  append_frames(out, r.stack);
  if (r.last_migrate_reason) {
    out += kMigrated;
    out += *r.last_migrate_reason;
    out += '\n';
  }
  if (r.slab_cache_page) {
    out += kSlabCachePage;
    out += '\n';
  }
  if (r.memcg) {
    out += kCharged;
    if (r.memcg->via_objcg) out += "(via objcg) ";
    out += "to ";
    if (!r.memcg->online) out += "offline ";
    out += "memcg ";
    out += r.memcg->name;
    out += '\n';
  }
  out += '\n';
}

std::string print_page_owner_text(const PageOwnerText& text) {
  std::string out;
  for (const PageOwnerRecord& r : text.records) append_page_owner_record(out, r, text.format);
  return out;
}

}  // namespace ramsift

namespace ramsift {

void append_freed_page_owner_record(std::string& out, const PageOwnerRecord& r, const PageOwnerTextFormat& f) {
  // __dump_page_owner() (mm/page_owner.c), the text the kernel prints for a
  // page in an oops; then the debugfs PFN line so the page can be found.
  out += "page_owner tracks the page as freed\n";
  out += "page last allocated via order ";
  append_decimal(out, r.order);
  out += ", migratetype ";
  out += r.page_migratetype;
  out += ", gfp_mask ";
  append_gfp(out, r);
  if (f.has_pid()) {
    append_owner_ts(out, r, f);
    out += ", free_ts ";
    append_decimal(out, r.free_ts_nsec.value_or(0));
  }
  out += '\n';
  append_pfn_line(out, r, f);
  if (r.stack.empty()) out += "page_owner allocation stack trace missing\n";
  append_frames(out, r.stack);
  if (!r.free_stack_handle) {
    out += "page_owner free stack trace missing\n";
  } else {
    if (r.free_pid) {
      out += "page last free pid ";
      append_signed(out, *r.free_pid);
      out += " tgid ";
      append_signed(out, r.free_tgid.value_or(0));
      out += " stack trace:\n";
    } else {
      out += "page last free stack trace:\n";
    }
    append_frames(out, r.free_stack);
  }
  if (r.last_migrate_reason) {
    out += "page has been migrated, last migrate reason: ";
    out += *r.last_migrate_reason;
    out += '\n';
  }
  out += '\n';
}

Result<std::unique_ptr<PageOwnerTextInput>> PageOwnerTextInput::open(const std::string& path) {
  std::unique_ptr<PageOwnerTextInput> in(new PageOwnerTextInput());
  std::string_view text;
  if (path == "-") {
    in->origin_ = "<stdin>";
    in->text_.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (in->text_.empty()) return bad_input("empty input: no page_owner records").in_file(in->origin_);
    text = in->text_;
  } else {
    in->origin_ = path;
    RAMSIFT_TRY(MappedFile file, MappedFile::open(path));
    if (file.size() == 0)
      return bad_input("empty file: no page_owner records (a copy of /sys/kernel/debug/page_owner, or a dump)")
          .in_file(path);
    in->file_.emplace(std::move(file));
    text = as_text(*in->file_);
  }
  in->reader_ = std::make_unique<PageOwnerTextReader>(text, in->origin_);
  return in;
}

bool looks_like_page_owner_text(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  char head[16] = {};
  in.read(head, sizeof head);
  std::string_view got(head, static_cast<size_t>(in.gcount()));
  return got.empty() || std::string_view("Page allocated v").starts_with(got) || got.starts_with("Page allocated v");
}

}  // namespace ramsift
