// A stream of page_owner records in one of the output formats:
//   text  the kernel's debugfs text, byte for byte (freed pages in
//         __dump_page_owner()'s wording);
//   json  JSON Lines, one object per record (schema: docs/formats.md,
//         "record", version 1);
//   csv   one row per record, frames joined by " <- " innermost first.
//
//   RecordWriter w(std::cout, OutputFormat::Text, source.text_format());
//   while (source.next(r)) w.write(r);
//   w.finish();
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "ramsift/decode/page_owner.h"
#include "ramsift/output/dump_info.h"

namespace ramsift {

inline constexpr int kRecordSchemaVersion = 1;

class RecordWriter {
 public:
  RecordWriter(std::ostream& out, OutputFormat format, const PageOwnerTextFormat& text_format);
  ~RecordWriter();
  void write(const PageOwnerRecord& record);
  void finish();

  // Formatting on several threads (list_page_owner's chunks): format()
  // appends one record as write() prints it, but never the CSV header, and
  // may run on any thread; write_formatted() then prints a chunk's text of
  // `records` records, the header first when it is the first.
  void format(std::string& out, const PageOwnerRecord& record) const;
  void write_formatted(std::string_view text, uint64_t records);

 private:
  void header();
  void flush_if_full();
  std::ostream& out_;
  OutputFormat format_;
  PageOwnerTextFormat text_format_;
  std::string buffer_;
  bool header_done_ = false;
};

}  // namespace ramsift
