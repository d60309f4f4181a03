// page_owner_sort, byte for byte. Each function below names the C function
// of tools/mm/page_owner_sort.c (6.12) or tools/vm/page_owner_sort.c (6.1)
// it stands for; where the two differ, `v61` says which applies.
//
// What is deliberately NOT copied (docs/top.md, "Deviations"):
//   1. 6.8+ main() overwrites --sort with the default -t whenever no
//      single-letter sort option is given, so --sort never works; ramsift
//      honours --sort (a single-letter option still wins over it, as there).
//   2. 6.1 has no default sort: without -t or --sort the groups come out in
//      text order although the usage says -t is the default; ramsift sorts by -t.
//   3. 6.1 `--cull free` groups by free_ts != 0 and prints "UNRELEASED" for
//      free_ts != 0 and "RELEASED" for free_ts == 0: inverted, and not what -f
//      calls released. ramsift groups and labels by -f's own test,
//      released = free_ts != 0 && ts < free_ts.
//   4. Undefined behaviour never reached with kernel output is not copied:
//      a comm longer than 15 bytes overflows get_comm's buffer; get_allocator
//      reads before its buffer when "__vmalloc_node_range" is the first frame
//      (ramsift stops at the start of the record); orders >= 31 shift past int.
//   5. Input the kernel never writes is rejected by the reader, not sorted:
//      page_owner_sort turns a double blank line into an empty record and
//      keeps the previous PFN line for a record without one.
// What IS copied, being harmless: glibc qsort's merge order (6.1's
// compare_ts and compare_free_ts never return 0, so ties come out in
// glibc's merge order), the "stacktrace" being everything after line 1
// (memcg and migration lines included), the first record of a group
// standing for it, and the final record being dropped when the file does
// not end with a blank line (the reader reports it as truncated).
#include "ramsift/analysis/page_owner_sort.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "ramsift/analysis/classify.h"
#include "ramsift/decode/page_owner_text.h"

namespace ramsift {

namespace {

enum CullBit {
  kCullPid = 1 << 1,
  kCullTgid = 1 << 2,
  kCullComm = 1 << 3,
  kCullStack = 1 << 4,
  kCullAllocator = 1 << 5,
  kCullRelease = 1 << 6
};
enum FilterBit { kFilterPid = 1 << 1, kFilterTgid = 1 << 2, kFilterComm = 1 << 3, kFilterUnreleased = 1 << 4 };

enum class Cmp { Txt, Comm, Stack, AllocTs, FreeTs, PageNum, Num, Pid, Tgid, Allocator };
enum class ArgType { Txt, Comm, Stack, AllocTs, FreeTs, Pid, Tgid, Free, Allocator, Unknown };

struct SortKey {
  Cmp cmp;
  int sign;
};

}  // namespace

struct PageOwnerSort::Config {
  PageOwnerSortVersion version = PageOwnerSortVersion::V6_12;
  int cull = 0;
  int filter = 0;
  std::vector<int32_t> pids, tgids;
  std::vector<std::string> comms;
  std::vector<SortKey> sort;
};

namespace {

bool v61(const PageOwnerSort::Config& c) {
  return c.version == PageOwnerSortVersion::V6_1;
}

// explode(): split on every separator, keeping empty pieces.
std::vector<std::string> explode(char sep, std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    out.emplace_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

ArgType get_arg_type(const PageOwnerSort::Config& c, std::string_view a) {
  if (a == "pid" || a == "p") return ArgType::Pid;
  if (a == "tgid" || a == "tg") return ArgType::Tgid;
  if (a == "name" || a == "n") return ArgType::Comm;
  if (a == "stacktrace" || a == "st") return ArgType::Stack;
  if (v61(c) && (a == "free" || a == "f")) return ArgType::Free;
  if (a == "txt" || a == "T") return ArgType::Txt;
  if (v61(c) && (a == "free_ts" || a == "ft")) return ArgType::FreeTs;
  if (a == "alloc_ts" || a == "at") return ArgType::AllocTs;
  if (a == "allocator" || a == "ator") return ArgType::Allocator;
  return ArgType::Unknown;
}

void set_single_cmp(PageOwnerSort::Config& c, Cmp cmp, int sign) {
  c.sort = {SortKey{cmp, sign}};
}

bool parse_cull_args(PageOwnerSort::Config& c, const std::string& arg) {
  for (const std::string& a : explode(',', arg)) {
    switch (get_arg_type(c, a)) {
      case ArgType::Pid: c.cull |= kCullPid; break;
      case ArgType::Tgid: c.cull |= kCullTgid; break;
      case ArgType::Comm: c.cull |= kCullComm; break;
      case ArgType::Stack: c.cull |= kCullStack; break;
      case ArgType::Free: c.cull |= kCullRelease; break;
      case ArgType::Allocator: c.cull |= kCullAllocator; break;
      default: return false;
    }
  }
  if (c.sort.empty()) set_single_cmp(c, Cmp::Num, -1);
  return true;
}

bool parse_sort_args(PageOwnerSort::Config& c, const std::string& arg) {
  std::vector<SortKey> keys;
  for (const std::string& a : explode(',', arg)) {
    int sign = 1;
    std::string_view name = a;
    if (!name.empty() && (name[0] == '-' || name[0] == '+')) {
      if (name[0] == '-') sign = -1;
      name.remove_prefix(1);
    }
    Cmp cmp;
    switch (get_arg_type(c, name)) {
      case ArgType::Pid: cmp = Cmp::Pid; break;
      case ArgType::Tgid: cmp = Cmp::Tgid; break;
      case ArgType::Comm: cmp = Cmp::Comm; break;
      case ArgType::Stack: cmp = Cmp::Stack; break;
      case ArgType::AllocTs: cmp = Cmp::AllocTs; break;
      case ArgType::FreeTs: cmp = Cmp::FreeTs; break;
      case ArgType::Txt: cmp = Cmp::Txt; break;
      case ArgType::Allocator: cmp = Cmp::Allocator; break;
      default: c.sort.clear(); return false;
    }
    keys.push_back({cmp, sign});
  }
  c.sort = std::move(keys);
  return true;
}

// parse_nums_list(): strtol() on each piece, the whole piece a number.
bool parse_nums_list(const std::string& arg, std::vector<int32_t>& out) {
  out.clear();
  errno = 0;
  for (const std::string& a : explode(',', arg)) {
    char* end = nullptr;
    long v = std::strtol(a.c_str(), &end, 10);
    if (errno != 0 || end == a.c_str() || *end != '\0') return false;
    out.push_back(static_cast<int32_t>(v));
  }
  return true;
}

// ---- the regular expressions, as hand-written matchers ---------------------
// POSIX ERE with REG_EXTENDED|REG_NEWLINE (glibc): `\s` is [[:space:]] and
// matches a newline too; `.` does not. Each returns the first (leftmost)
// match's capture group, or false when the expression does not match.

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
size_t skip_spaces(std::string_view s, size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}
size_t skip_digits(std::string_view s, size_t i) {
  while (i < s.size() && is_digit(s[i])) ++i;
  return i;
}

// "<word>\s*([0-9]*)<end>" where <end> is "," (order, pid).
bool match_word_digits_comma(std::string_view s, std::string_view word, std::string_view& capture) {
  for (size_t i = s.find(word); i != std::string_view::npos; i = s.find(word, i + 1)) {
    size_t d = skip_spaces(s, i + word.size());
    size_t e = skip_digits(s, d);
    if (e < s.size() && s[e] == ',') {
      capture = s.substr(d, e - d);
      return true;
    }
  }
  return false;
}

// "tgid\s*([0-9]*) ": the space may also be the last of the \s* run.
bool match_tgid(std::string_view s, std::string_view& capture) {
  for (size_t i = s.find("tgid"); i != std::string_view::npos; i = s.find("tgid", i + 1)) {
    size_t d = skip_spaces(s, i + 4);
    size_t e = skip_digits(s, d);
    if (e > d && e < s.size() && s[e] == ' ') {
      capture = s.substr(d, e - d);
      return true;
    }
    if (s.substr(i + 4, d - i - 4).find(' ') != std::string_view::npos) {
      capture = s.substr(d, 0);
      return true;
    }
  }
  return false;
}

// "<word>\s*([0-9]*)\s*ns" plus `tail` right after "ns" ("," for 6.1's ts).
// Returns the capture's position too, for remove_pattern().
bool match_ts(std::string_view s, std::string_view word, std::string_view tail, size_t& at, size_t& len) {
  for (size_t i = s.find(word); i != std::string_view::npos; i = s.find(word, i + 1)) {
    size_t d = skip_spaces(s, i + word.size());
    size_t e = skip_digits(s, d);
    size_t n = skip_spaces(s, e);
    if (s.substr(n, 2) == "ns" && s.substr(n + 2, tail.size()) == tail) {
      at = d;
      len = e - d;
      return true;
    }
  }
  return false;
}

// "tgid\s*[0-9]*\s*\((.*)\),\s*ts": the longest match, so the last "),"
// on the line that is followed by \s*ts.
bool match_comm(std::string_view s, std::string_view& capture) {
  for (size_t i = s.find("tgid"); i != std::string_view::npos; i = s.find("tgid", i + 1)) {
    size_t p = skip_spaces(s, skip_digits(s, skip_spaces(s, i + 4)));
    if (p >= s.size() || s[p] != '(') continue;
    size_t open = p + 1;
    size_t line_end = s.find('\n', open);
    if (line_end == std::string_view::npos) line_end = s.size();
    for (size_t q = s.rfind("),", line_end); q != std::string_view::npos && q >= open;
         q = q == 0 ? std::string_view::npos : s.rfind("),", q - 1)) {
      if (q + 2 > line_end) continue;
      size_t t = skip_spaces(s, q + 2);
      if (s.substr(t, 2) == "ts") {
        capture = s.substr(open, q - open);
        return true;
      }
    }
  }
  return false;
}

// strtol()/strtoull() on a captured digit string, with the C tool's error values.
bool parse_long(std::string_view digits, long& out) {
  std::string s(digits);
  errno = 0;
  char* end = nullptr;
  out = std::strtol(s.c_str(), &end, 10);
  return !(errno != 0 || end == s.c_str() || *end != '\0');
}

struct Block {
  std::string txt;        // the record without its PFN line and blank line (6.12: ts digits cut)
  size_t stacktrace = 0;  // offset in txt of what follows the first line
  size_t len = 0;         // the length page_owner_sort compares for 6.1's pre-merge
  std::string comm;
  int32_t pid = 0, tgid = 0;
  uint64_t ts_nsec = 0, free_ts_nsec = 0;
  int32_t num = 1, page_num = 0;
  int allocator = 0;

  std::string_view stack() const { return std::string_view(txt).substr(stacktrace); }
};

int32_t get_page_num(std::string_view buf) {
  std::string_view digits;
  if (!match_word_digits_comma(buf, "order", digits)) digits = {};
  long v;
  if (!parse_long(digits, v)) return 0;
  int32_t order = static_cast<int32_t>(v);
  if (order > 64 || order < 0) return 0;
  return static_cast<int32_t>(1u << (order & 31));  // x86's shift, which is what `1 << order` does at run time
}

int32_t get_id(std::string_view buf, bool tgid) {
  std::string_view digits;
  bool found = tgid ? match_tgid(buf, digits) : match_word_digits_comma(buf, "pid", digits);
  long v;
  if (!found || !parse_long(digits, v)) return -1;
  return static_cast<int32_t>(v);
}

uint64_t get_ts(std::string_view buf, std::string_view word, std::string_view tail) {
  size_t at, len;
  if (!match_ts(buf, word, tail, at, len)) return UINT64_MAX;
  std::string s(buf.substr(at, len));
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (errno != 0 || end == s.c_str() || *end != '\0') return UINT64_MAX;
  return v;
}

std::string get_comm(std::string_view buf) {
  std::string_view comm;
  return match_comm(buf, comm) ? std::string(comm) : std::string();
}

// get_allocator(): "CMA"/"slab" in the PFN line; "alloc_pages" on the line
// before the first "__vmalloc_node_range", or before it on its own line.
int get_allocator(std::string_view buf, std::string_view pfn_line) {
  int allocator = 0;
  if (pfn_line.find("CMA") != std::string_view::npos) allocator |= 1 << 1;
  if (pfn_line.find("slab") != std::string_view::npos) allocator |= 1 << 2;
  size_t second = buf.find("__vmalloc_node_range");
  if (second != std::string_view::npos) {
    size_t nl = buf.rfind('\n', second);  // end of the previous line
    size_t first = 0;
    if (nl != std::string_view::npos && nl > 0) {
      size_t before = buf.rfind('\n', nl - 1);
      first = before == std::string_view::npos ? 0 : before + 1;
    }
    size_t hit = buf.find("alloc_pages", first);
    if (hit != std::string_view::npos && hit < second) allocator |= 1 << 3;
  }
  return allocator == 0 ? 1 << 4 : allocator;
}

bool is_released(const Block& b) {
  return b.free_ts_nsec != 0 && b.ts_nsec < b.free_ts_nsec;
}

int sign_of(int v) {
  return (v > 0) - (v < 0);
}
int strcmp_view(std::string_view a, std::string_view b) {
  return sign_of(a.compare(b));
}
int32_t wrapping_sub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}

int compare(const PageOwnerSort::Config& c, Cmp cmp, const Block& a, const Block& b) {
  switch (cmp) {
    case Cmp::Txt: return strcmp_view(a.txt, b.txt);
    case Cmp::Stack: return strcmp_view(a.stack(), b.stack());
    case Cmp::Comm: return strcmp_view(a.comm, b.comm);
    case Cmp::Num: return wrapping_sub(a.num, b.num);
    case Cmp::PageNum: return wrapping_sub(a.page_num, b.page_num);
    case Cmp::Pid: return wrapping_sub(a.pid, b.pid);
    case Cmp::Tgid: return wrapping_sub(a.tgid, b.tgid);
    case Cmp::Allocator: return a.allocator - b.allocator;
    case Cmp::AllocTs:
      // 6.1's compare_ts never says "equal"; the merge order below then decides ties as glibc does.
      if (v61(c)) return a.ts_nsec < b.ts_nsec ? -1 : 1;
      return a.ts_nsec < b.ts_nsec ? -1 : a.ts_nsec > b.ts_nsec ? 1 : 0;
    case Cmp::FreeTs: return a.free_ts_nsec < b.free_ts_nsec ? -1 : 1;
  }
  return 0;
}

int compare_cull_condition(const PageOwnerSort::Config& c, const Block& a, const Block& b) {
  if (c.cull == 0) return compare(c, Cmp::Txt, a, b);
  int r;
  if ((c.cull & kCullStack) && (r = compare(c, Cmp::Stack, a, b))) return r;
  if ((c.cull & kCullPid) && (r = compare(c, Cmp::Pid, a, b))) return r;
  if ((c.cull & kCullTgid) && (r = compare(c, Cmp::Tgid, a, b))) return r;
  if ((c.cull & kCullComm) && (r = compare(c, Cmp::Comm, a, b))) return r;
  if ((c.cull & kCullRelease) && (r = int{is_released(a)} - int{is_released(b)})) return r;
  if ((c.cull & kCullAllocator) && (r = compare(c, Cmp::Allocator, a, b))) return r;
  return 0;
}

int compare_sort_condition(const PageOwnerSort::Config& c, const Block& a, const Block& b) {
  int r = 0;
  for (const SortKey& k : c.sort)
    if (r == 0) r = k.sign * compare(c, k.cmp, a, b);
  return r;
}

// glibc's qsort (msort.c): a top-down merge sort, left half n/2, taking from
// the left run while cmp <= 0. Stable for a consistent comparator, and for
// an inconsistent one (6.1's compare_ts) it yields glibc's exact order.
template <class Cmp3>
void glibc_msort(uint32_t* b, size_t n, uint32_t* tmp, const Cmp3& cmp) {
  if (n <= 1) return;
  size_t n1 = n / 2, n2 = n - n1;
  uint32_t* b1 = b;
  uint32_t* b2 = b + n1;
  glibc_msort(b1, n1, tmp, cmp);
  glibc_msort(b2, n2, tmp, cmp);
  uint32_t* t = tmp;
  while (n1 > 0 && n2 > 0) {
    if (cmp(*b1, *b2) <= 0) {
      *t++ = *b1++;
      --n1;
    } else {
      *t++ = *b2++;
      --n2;
    }
  }
  if (n1 > 0) std::memcpy(t, b1, n1 * sizeof *b1);
  std::memcpy(b, tmp, (n - n2) * sizeof *b);
}

template <class Cmp3>
void sort_indices(std::vector<uint32_t>& idx, const Cmp3& cmp) {
  std::vector<uint32_t> tmp(idx.size());
  glibc_msort(idx.data(), idx.size(), tmp.data(), cmp);
}

void append_int(std::string& out, const char* fmt, long long v) {
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, fmt, v);
  out.append(buf, static_cast<size_t>(n));
}

}  // namespace

PageOwnerSort::PageOwnerSort(std::unique_ptr<Config> config) : config_(std::move(config)) {}
PageOwnerSort::PageOwnerSort(PageOwnerSort&&) noexcept = default;
PageOwnerSort& PageOwnerSort::operator=(PageOwnerSort&&) noexcept = default;
PageOwnerSort::~PageOwnerSort() = default;

Result<PageOwnerSort> PageOwnerSort::configure(PageOwnerSortVersion version,
                                               const std::vector<PageOwnerSortArg>& args) {
  auto c = std::make_unique<Config>();
  c->version = version;
  bool is61 = version == PageOwnerSortVersion::V6_1;
  int compare_flags = 0;  // 6.12's COMP_* bits: one sort letter at most
  std::optional<SortKey> letter;
  for (const PageOwnerSortArg& a : args) {
    std::optional<SortKey> key;
    switch (a.flag) {
      case 'a': key = SortKey{Cmp::AllocTs, 1}; break;
      case 'm': key = SortKey{Cmp::PageNum, -1}; break;
      case 'p': key = SortKey{Cmp::Pid, 1}; break;
      case 's': key = SortKey{Cmp::Stack, 1}; break;
      case 't': key = SortKey{Cmp::Num, -1}; break;
      case 'P': key = SortKey{Cmp::Tgid, 1}; break;
      case 'n': key = SortKey{Cmp::Comm, 1}; break;
      case 'r':
        if (!is61) return bad_input("-r (sort by free time) exists only in page_owner_sort of 5.19-6.7");
        key = SortKey{Cmp::FreeTs, 1};
        break;
      case 'f':
        if (!is61) return bad_input("-f (drop released blocks) exists only in page_owner_sort of 5.19-6.7");
        c->filter |= kFilterUnreleased;
        break;
      case 'd': break;  // debug messages on stderr: nothing to do
      case kPosPid:
        c->filter |= kFilterPid;
        if (!parse_nums_list(a.value, c->pids))
          return bad_input("wrong/invalid pid in from the command line:" + a.value);
        break;
      case kPosTgid:
        c->filter |= kFilterTgid;
        if (!parse_nums_list(a.value, c->tgids))
          return bad_input("wrong/invalid tgid in from the command line:" + a.value);
        break;
      case kPosName:
        c->filter |= kFilterComm;
        c->comms = explode(',', a.value);
        break;
      case kPosCull:
        if (!parse_cull_args(*c, a.value)) return bad_input("wrong argument after --cull option:" + a.value);
        break;
      case kPosSort:
        if (!parse_sort_args(*c, a.value)) return bad_input("wrong argument after --sort option:" + a.value);
        break;
      default: return bad_input(std::string("unknown page_owner_sort option -") + a.flag);
    }
    if (!key) continue;
    if (is61) {
      set_single_cmp(*c, key->cmp, key->sign);  // 6.1: options apply in order, the last one wins
    } else {
      int bit = a.flag == 'a'   ? 1
                : a.flag == 'm' ? 2
                : a.flag == 'p' ? 4
                : a.flag == 's' ? 8
                : a.flag == 't' ? 16
                : a.flag == 'P' ? 32
                                : 64;
      compare_flags |= bit;
      letter = key;
    }
  }
  if (!is61) {
    if (compare_flags & (compare_flags - 1)) return bad_input("only one of -a -m -n -p -P -s -t may be given");
    if (letter)
      set_single_cmp(*c, letter->cmp, letter->sign);
    else if (c->sort.empty())
      set_single_cmp(*c, Cmp::Num, -1);  // deviation 1: a --sort stands
  } else if (c->sort.empty()) {
    set_single_cmp(*c, Cmp::Num, -1);  // deviation 2: the documented default
  }
  return PageOwnerSort(std::move(c));
}

void PageOwnerSort::run(PageOwnerSource& source, std::string& out) const {
  const Config& c = *config_;
  const bool is61 = v61(c);
  std::vector<Block> list;
  PageOwnerRecord record;
  std::string text, buf;
  const PageOwnerTextFormat format = source.text_format();
  bool have_format = false;
  PageOwnerTextFormat fmt = format;
  while (source.next(record)) {
    if (!have_format) {
      fmt = source.text_format();
      have_format = true;
    }
    // read_block(): the record's lines but the PFN line, which goes to ext_buf.
    text.clear();
    append_page_owner_record(text, record, fmt);
    size_t l1 = text.find('\n');
    size_t l2 = text.find('\n', l1 + 1);
    std::string_view pfn_line = std::string_view(text).substr(l1 + 1, l2 - l1);
    buf.assign(text, 0, l1 + 1);
    buf.append(text, l2 + 1, std::string::npos);  // ends "\n\n": the blank line is in buf, outside len
    size_t len = buf.size() - 1;
    std::string_view block(buf.data(), len);

    if (is61 && !list.empty() && len == list.back().len && list.back().txt == block) {
      // 6.1 add_list(): a copy of the previous block only counts again.
      ++list.back().num;
      list.back().page_num += get_page_num(buf);
      continue;
    }
    // is_need()
    std::string_view ts_tail = is61 ? "," : "";
    if (c.filter & kFilterUnreleased) {
      uint64_t ts = get_ts(buf, "ts", ts_tail), free_ts = get_ts(buf, "free_ts", "");
      if (free_ts != 0 && ts < free_ts) continue;
    }
    if ((c.filter & kFilterPid) && std::find(c.pids.begin(), c.pids.end(), get_id(buf, false)) == c.pids.end())
      continue;
    if ((c.filter & kFilterTgid) && std::find(c.tgids.begin(), c.tgids.end(), get_id(buf, true)) == c.tgids.end())
      continue;
    Block b;
    b.comm = get_comm(buf);
    if ((c.filter & kFilterComm) && std::find(c.comms.begin(), c.comms.end(), b.comm) == c.comms.end()) continue;
    // add_list()
    b.pid = get_id(buf, false);
    b.tgid = get_id(buf, true);
    b.txt.assign(block);
    b.len = len;
    if (!is61 && !(c.sort[0].cmp == Cmp::AllocTs)) {
      size_t at, n;  // remove_pattern(): cut the ts digits so that identical allocations merge
      if (match_ts(b.txt, "ts", "", at, n)) b.txt.erase(at, n);
    }
    size_t nl = b.txt.find('\n');
    b.stacktrace = nl == std::string::npos ? b.txt.size() : nl + 1;
    b.page_num = get_page_num(buf);
    b.ts_nsec = get_ts(buf, "ts", ts_tail);
    if (is61) b.free_ts_nsec = get_ts(buf, "free_ts", "");
    b.allocator = get_allocator(buf, pfn_line);
    list.push_back(std::move(b));
  }

  std::vector<uint32_t> idx(list.size());
  for (uint32_t i = 0; i < idx.size(); ++i) idx[i] = i;
  sort_indices(idx, [&](uint32_t a, uint32_t b) { return compare_cull_condition(c, list[a], list[b]); });
  // Culling: a group is its first block, with the counts of the rest added.
  std::vector<uint32_t> groups;
  for (uint32_t i : idx) {
    if (groups.empty() || compare_cull_condition(c, list[groups.back()], list[i]) != 0) {
      groups.push_back(i);
    } else {
      Block& g = list[groups.back()];
      g.num = static_cast<int32_t>(static_cast<uint32_t>(g.num) + static_cast<uint32_t>(list[i].num));
      g.page_num = static_cast<int32_t>(static_cast<uint32_t>(g.page_num) + static_cast<uint32_t>(list[i].page_num));
    }
  }
  sort_indices(groups, [&](uint32_t a, uint32_t b) { return compare_sort_condition(c, list[a], list[b]); });

  for (uint32_t i : groups) {
    const Block& b = list[i];
    append_int(out, "%lld times, ", b.num);
    append_int(out, "%lld pages", b.page_num);
    if (c.cull == 0) {
      out += ", allocated by ";
      out += page_owner_sort_allocator_text(b.allocator);
      out += ":\n";
      out += b.txt;
      out += '\n';
      continue;
    }
    if ((c.cull & kCullPid) || (c.filter & kFilterPid)) append_int(out, ", PID %lld", b.pid);
    if ((c.cull & kCullTgid) || (c.filter & kFilterTgid)) append_int(out, ", TGID %lld", b.tgid);
    if ((c.cull & kCullComm) || (c.filter & kFilterComm)) {
      out += ", task_comm_name: ";
      out += b.comm;
    }
    if (c.cull & kCullAllocator) {
      out += ", allocated by ";
      out += page_owner_sort_allocator_text(b.allocator);
    }
    if (c.cull & kCullRelease) out += is_released(b) ? " (RELEASED)" : " (UNRELEASED)";  // deviation 3
    if (c.cull & kCullStack) {
      out += ":\n";
      out += b.stack();
    }
    out += '\n';
  }
}

}  // namespace ramsift
