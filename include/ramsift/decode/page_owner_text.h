// Reading and writing the kernel's /sys/kernel/debug/page_owner text.
//
//   RAMSIFT_TRY(auto file, MappedFile::open("page_owner.txt"));
//   PageOwnerTextReader reader(as_text(file), file.path());
//   PageOwnerRecord r;
//   while (reader.next(r)) use(r);              // streaming, no copy of the file
//   for (const Error& e : reader.problems()) report(e);   // "page_owner.txt: line 12: ..."
//
//   std::string text;
//   append_page_owner_record(text, r, reader.format());   // byte-identical to the kernel
//
// Every record the reader accepts prints back exactly as it was read (the
// parser is strict about the kernel's number formatting for that reason), so
// parse -> print is the identity on kernel output. A record that does not
// parse is reported with its line number and skipped up to the next blank
// line; reading goes on. A record cut off by the end of the file (no blank
// line after it) is reported and not returned.
//
// Formats (PageOwnerTextFormat) are detected from the first record; every
// later record must use the same variant.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ramsift/base/error.h"
#include "ramsift/base/mapped_file.h"
#include "ramsift/decode/page_owner.h"
#include "ramsift/decode/page_owner_source.h"

namespace ramsift {

class PageOwnerTextReader final : public PageOwnerSource {
 public:
  // `text` must outlive the reader; `origin` names it in errors.
  PageOwnerTextReader(std::string_view text, std::string origin);

  bool next(PageOwnerRecord& record) override;
  // Valid once next() has returned a record; before that, the 6.8+ default.
  PageOwnerTextFormat text_format() const override { return format_; }
  const std::vector<Error>& problems() const override { return problems_; }

  bool format_known() const { return format_known_; }
  uint64_t line_number() const { return line_; }

 private:
  bool next_line(std::string_view& line);
  void skip_record();
  Error problem_at(uint64_t line, const std::string& message) const;

  std::string_view text_;
  size_t pos_ = 0;
  uint64_t line_ = 0;  // number of the line last returned by next_line()
  bool last_line_unterminated_ = false;
  std::string origin_;
  PageOwnerTextFormat format_;
  bool format_known_ = false;
  std::vector<Error> problems_;
};

// The whole file at once (tests, small inputs).
struct PageOwnerText {
  PageOwnerTextFormat format;
  std::vector<PageOwnerRecord> records;
  std::vector<Error> problems;
};
PageOwnerText parse_page_owner_text(std::string_view text, std::string origin = "<text>");

// One record exactly as print_page_owner() prints it, blank separator line included.
void append_page_owner_record(std::string& out, const PageOwnerRecord& record, const PageOwnerTextFormat& format);
std::string print_page_owner_text(const PageOwnerText& text);
// A page whose last owner freed it (record.freed), in __dump_page_owner()'s
// wording ("page last allocated via ...", "page last free pid ... stack
// trace:"), with the debugfs PFN line after the first line.
void append_freed_page_owner_record(std::string& out, const PageOwnerRecord& record, const PageOwnerTextFormat& format);

// The bytes of a mapped file as text.
inline std::string_view as_text(const MappedFile& file) {
  return {reinterpret_cast<const char*>(file.bytes().data()), file.bytes().size()};
}

// A page_owner text as an input: a file (mapped) or standard input ("-",
// read whole: `adb shell cat /sys/kernel/debug/page_owner | ramsift top -`),
// with its reader. An empty input is refused (BadInput naming it): it holds
// no record, which no page_owner file is.
class PageOwnerTextInput final : public PageOwnerSource {
 public:
  static Result<std::unique_ptr<PageOwnerTextInput>> open(const std::string& path);
  bool next(PageOwnerRecord& record) override { return reader_->next(record); }
  PageOwnerTextFormat text_format() const override { return reader_->text_format(); }
  const std::vector<Error>& problems() const override { return reader_->problems(); }
  const std::string& origin() const { return origin_; }  // the path, or "<stdin>"

 private:
  PageOwnerTextInput() = default;
  std::optional<MappedFile> file_;
  std::string text_;  // standard input's bytes
  std::string origin_;
  std::unique_ptr<PageOwnerTextReader> reader_;
};

// True when `path` is a regular file that starts as a page_owner text does
// ("Page allocated via", or nothing): no dump format starts with these bytes.
bool looks_like_page_owner_text(const std::string& path);

}  // namespace ramsift
