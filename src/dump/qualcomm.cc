// Qualcomm ramdump directories: DDRCS*.BIN files placed in physical memory by
// dump_info.txt or, failing that, load.cmm (formats in qualcomm.h).
//
// What is an error and what a problem (exit 2 / exit 1):
//   - no load.cmm nor dump_info.txt, an empty directory, a malformed line
//     for a RAM/IMEM file, overlapping RAM files, no RAM byte readable:
//     errors, nothing is opened.
//   - a listed file missing or empty, a size that disagrees with
//     dump_info.txt: problems. The range dump_info.txt describes stays, and
//     what the file does not hold reads as NoData. load.cmm gives no sizes,
//     so a file it lists that is missing or empty describes no range at all.
// The architecture and page size are not in the dump: DumpInfo::arch comes
// from --arch (or the kernel layer), page_size stays 0.
#include "qualcomm.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <map>

#include "formats.h"
#include "raw.h"

namespace ramsift::dump_formats {

namespace {

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool iends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

// Calls fn(line_number, line) for each line, "\r\n" or "\n" ended.
template <class Fn>
Status for_each_line(std::string_view text, Fn&& fn) {
  int number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    RAMSIFT_TRY_STATUS(fn(number, line));
  }
  return {};
}

Error line_error(std::string_view origin, int line, std::string message) {
  return bad_input("line " + std::to_string(line) + ": " + message).in_file(std::string(origin));
}

std::string quote_text(std::string_view s) {
  constexpr size_t kMax = 64;  // fuzzed lines can be huge; messages stay short
  std::string out = "'";
  out += s.size() > kMax ? std::string(s.substr(0, kMax)) + "..." : std::string(s);
  return out + "'";
}

// T32 abbreviates commands to the upper-case part of their name: DATA.LOAD.Binary
// is written d.load.binary, D.LOAD.B, data.load.binary...
bool is_load_binary_command(std::string_view word) {
  size_t first = word.find('.');
  if (first == std::string_view::npos) return false;
  size_t second = word.find('.', first + 1);
  if (second == std::string_view::npos) return false;
  std::string_view data = word.substr(0, first);
  std::string_view load = word.substr(first + 1, second - first - 1);
  std::string_view binary = word.substr(second + 1);
  return !data.empty() && istarts_with("data", data) && iequals(load, "load") && !binary.empty() &&
         istarts_with("binary", binary);
}

// "DDRCS0_0.BIN", "\"DDRCS0_0.BIN\"", "&dir\DDRCS0_0.BIN" -> "DDRCS0_0.BIN".
std::string_view file_token(std::string_view word) {
  if (word.size() >= 2 && word.front() == '"' && word.back() == '"') word = word.substr(1, word.size() - 2);
  size_t slash = word.find_last_of("/\\");
  if (slash != std::string_view::npos) word.remove_prefix(slash + 1);
  return word;
}

// T32 addresses may carry an access class: "A:0x80000000", "ANC:0x80000000".
std::optional<uint64_t> t32_address(std::string_view word) {
  size_t colon = word.find(':');
  if (colon != std::string_view::npos) {
    std::string_view access = word.substr(0, colon);
    if (access.empty() ||
        !std::all_of(access.begin(), access.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))
      return std::nullopt;
    word.remove_prefix(colon + 1);
  }
  return parse_hex_address(word);
}

std::optional<uint64_t> parse_decimal(std::string_view word) {
  if (word.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value, 10);
  if (ec != std::errc() || end != word.data() + word.size()) return std::nullopt;
  return value;
}

// A file listed twice could be read at two addresses: refuse it.
Status check_duplicates(const QualcommLayout& layout, std::string_view origin) {
  std::map<std::string, int, std::less<>> seen;
  for (const QualcommEntry& e : layout.entries) {
    if (e.kind == QualcommFileKind::Other) continue;
    auto [it, inserted] = seen.emplace(e.file, e.line);
    if (!inserted)
      return line_error(origin, e.line,
                        quote_text(e.file) + " is listed twice (first on line " + std::to_string(it->second) + ")");
  }
  return {};
}

}  // namespace

QualcommFileKind classify_qualcomm_file(std::string_view name) {
  if (!iends_with(name, ".BIN")) return QualcommFileKind::Other;
  std::string_view stem = name.substr(0, name.size() - 4);
  for (std::string_view prefix : {"VMDDR", "DDR", "EBI"}) {
    if (!istarts_with(stem, prefix)) continue;
    std::string_view rest = stem.substr(prefix.size());
    bool ram = !rest.empty() && std::all_of(rest.begin(), rest.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c)) || c == '_' || lower(c) == 'c' || lower(c) == 's';
    });
    if (ram) return QualcommFileKind::Ram;
  }
  if (iends_with(stem, "IMEM") && !istarts_with(name, "md_")) return QualcommFileKind::Imem;
  return QualcommFileKind::Other;
}

Result<QualcommLayout> parse_load_cmm(std::string_view text, std::string_view origin) {
  QualcommLayout layout;
  RAMSIFT_TRY_STATUS(for_each_line(text, [&](int number, std::string_view line) -> Status {
    // T32 comments: ';' and '//' to the end of the line.
    line = line.substr(0, std::min(line.find(';'), line.find("//")));
    std::vector<std::string_view> words = split_words(line);
    if (words.empty() || !is_load_binary_command(words[0])) return {};
    if (words.size() < 2) return line_error(origin, number, "d.load.binary without a file");
    QualcommEntry entry;
    entry.file = std::string(file_token(words[1]));
    entry.line = number;
    entry.kind = classify_qualcomm_file(entry.file);
    std::optional<uint64_t> start;
    if (words.size() >= 3 && !words[2].starts_with("/")) start = t32_address(words[2]);
    if (!start) {
      if (entry.kind == QualcommFileKind::Other) return {};
      if (words.size() < 3 || words[2].starts_with("/"))
        return line_error(origin, number, "d.load.binary " + quote_text(entry.file) + " without an address");
      return line_error(origin, number,
                        "bad address " + quote_text(words[2]) + " for " + quote_text(entry.file) +
                            " (expected hex, e.g. 0x80000000)");
    }
    entry.start = PhysAddr{*start};
    layout.entries.push_back(std::move(entry));
    return {};
  }));
  RAMSIFT_TRY_STATUS(check_duplicates(layout, origin));
  return layout;
}

Result<QualcommLayout> parse_dump_info(std::string_view text, std::string_view origin) {
  QualcommLayout layout;
  RAMSIFT_TRY_STATUS(for_each_line(text, [&](int number, std::string_view line) -> Status {
    // ramparse stops here: QPST writes this when a region failed to download.
    if (line.find("Exception CreateMemDebugFile during memory dump") != std::string_view::npos)
      layout.problems.push_back(line_error(
          origin, number, "the collector reported an error while downloading the dump; files may be missing or short"));
    std::vector<std::string_view> words = split_words(line);
    if (words.empty()) return {};
    QualcommEntry entry;
    entry.file = std::string(words.back());
    entry.line = number;
    entry.kind = classify_qualcomm_file(entry.file);
    bool used = entry.kind != QualcommFileKind::Other;
    // pref, base, length, [region words...], file name.
    if (words.size() < 4) {
      if (used) return line_error(origin, number, "expected 'pref base length region file', got " + quote_text(line));
      return {};
    }
    std::optional<uint64_t> start = parse_hex_address(words[1]);
    std::optional<uint64_t> size = parse_decimal(words[2]);
    if (!start || !size) {
      if (!used) return {};  // headers, separators, timestamps
      if (!start)
        return line_error(origin, number,
                          "bad base address " + quote_text(words[1]) + " for " + quote_text(entry.file));
      return line_error(
          origin, number,
          "bad length " + quote_text(words[2]) + " for " + quote_text(entry.file) + " (expected decimal bytes)");
    }
    entry.start = PhysAddr{*start};
    entry.size = *size;
    layout.entries.push_back(std::move(entry));
    return {};
  }));
  RAMSIFT_TRY_STATUS(check_duplicates(layout, origin));
  return layout;
}

namespace {

namespace fs = std::filesystem;

struct Directory {
  std::string path;
  std::vector<std::string> names;

  std::string join(std::string_view name) const { return (fs::path(path) / std::string(name)).string(); }
  // QPST runs on Windows: a file listed as DDRCS0_0.BIN may be on disk as
  // ddrcs0_0.bin. An exact match wins.
  std::optional<std::string> find(std::string_view name) const {
    for (const std::string& n : names)
      if (n == name) return join(n);
    for (const std::string& n : names)
      if (iequals(n, name)) return join(n);
    return std::nullopt;
  }
};

Result<Directory> list_directory(const std::string& path) {
  Directory dir{path, {}};
  std::error_code ec;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
    dir.names.push_back(it->path().filename().string());
  if (ec) return io_error("cannot list the directory: " + ec.message()).in_file(path);
  std::sort(dir.names.begin(), dir.names.end());
  return dir;
}

Result<QualcommLayout> parse_layout_file(const std::string& path, bool dump_info) {
  RAMSIFT_TRY(MappedFile file, MappedFile::open(path));
  std::string_view text(reinterpret_cast<const char*>(file.bytes().data()), file.bytes().size());
  RAMSIFT_TRY(QualcommLayout layout, dump_info ? parse_dump_info(text, path) : parse_load_cmm(text, path));
  bool any_ram = std::any_of(layout.entries.begin(), layout.entries.end(),
                             [](const QualcommEntry& e) { return e.kind == QualcommFileKind::Ram; });
  if (!any_ram) return bad_input("lists no RAM file (DDRCS*.BIN, EBICS*.BIN, ...)").in_file(path);
  return layout;
}

}  // namespace

Result<std::unique_ptr<Dump>> qualcomm_open(const std::string& directory, const OpenOptions& options) {
  RAMSIFT_TRY(Directory dir, list_directory(directory));
  if (dir.names.empty())
    return bad_input("empty directory (a Qualcomm ramdump holds dump_info.txt or load.cmm and the .BIN files)")
        .in_file(directory);
  std::optional<std::string> dump_info_path = dir.find("dump_info.txt");
  std::optional<std::string> load_cmm_path = dir.find("load.cmm");
  if (!dump_info_path && !load_cmm_path)
    return bad_input("neither dump_info.txt nor load.cmm: not a Qualcomm ramdump directory").in_file(directory);

  std::vector<Error> problems;
  QualcommLayout layout;
  std::string layout_path;
  // dump_info.txt has the sizes and is what ramparse prefers; load.cmm is the
  // fallback, as in ramparse, when dump_info.txt gives nothing usable.
  if (dump_info_path) {
    auto parsed = parse_layout_file(*dump_info_path, true);
    if (parsed) {
      layout = std::move(*parsed);
      layout_path = *dump_info_path;
    } else if (load_cmm_path) {
      problems.push_back(std::move(parsed).error().with_context("ignored, reading load.cmm instead"));
    } else {
      return std::move(parsed).error();
    }
  }
  if (layout_path.empty()) {
    RAMSIFT_TRY(layout, parse_layout_file(*load_cmm_path, false));
    layout_path = *load_cmm_path;
  }
  for (Error& e : layout.problems) problems.push_back(std::move(e));
  std::string layout_name = fs::path(layout_path).filename().string();

  DumpInfo info;
  info.format = "Qualcomm ramdump";
  info.arch = options.arch;
  std::vector<RawSegment> segments;
  for (const QualcommEntry& entry : layout.entries) {
    if (entry.kind == QualcommFileKind::Other) continue;
    std::string where = layout_name + " line " + std::to_string(entry.line);
    std::optional<std::string> path = dir.find(entry.file);
    std::string name = path.value_or(dir.join(entry.file));
    MappedFile file;
    std::string missing;
    if (!path) {
      missing = "file missing";
      problems.push_back(not_found("listed on " + where + " but missing; " +
                                   (entry.size ? "its range " + hex(entry.start.value()) + " + " + hex(*entry.size) +
                                                     " reads as no data"
                                               : std::string("its range is unknown (load.cmm gives no size)")))
                             .in_file(name));
    } else if (auto opened = MappedFile::open(*path); !opened) {
      missing = "file unreadable";
      problems.push_back(std::move(opened).error().with_context("listed on " + where));
    } else {
      file = std::move(*opened);
      if (file.size() == 0) {
        missing = "file empty";
        problems.push_back(bad_input("empty file, listed on " + where +
                                     (entry.size ? "; its range reads as no data" : "; it describes no range"))
                               .in_file(name));
      } else if (entry.size && *entry.size != file.size()) {
        missing = "file shorter than " + layout_name + " says";
        problems.push_back(corrupt("size on disk " + std::to_string(file.size()) + " bytes, " + where + " says " +
                                   std::to_string(*entry.size) + "; reading the first " +
                                   std::to_string(std::min(file.size(), *entry.size)) + " bytes")
                               .in_file(name));
      }
    }
    uint64_t size = entry.size.value_or(file.size());
    if (entry.kind == QualcommFileKind::Imem) {
      info.aux_files.push_back({entry.file, name, entry.start, size});
      continue;
    }
    if (file.size() > 0) info.files.push_back(name);
    RawSegment segment;
    segment.range = {entry.start, size};
    segment.data_size = std::min(size, file.size());
    segment.name = name;
    segment.where = where;
    segment.missing = missing;
    segment.file = std::move(file);
    segments.push_back(std::move(segment));
  }
  bool any_data = std::any_of(segments.begin(), segments.end(), [](const RawSegment& s) { return s.data_size > 0; });
  if (!any_data) {
    std::string first = problems.empty() ? "" : " (first: " + problems.front().to_string() + ")";
    return bad_input("none of the RAM files " + layout_name + " lists could be read" + first).in_file(directory);
  }
  RAMSIFT_TRY(auto dump, RawFileDump::create(std::move(segments), std::move(info), std::move(problems)));
  return std::unique_ptr<Dump>(std::move(dump));
}

}  // namespace ramsift::dump_formats
